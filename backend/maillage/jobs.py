"""Background jobs: idempotent functions run by ``maillage jobs run`` (cron, systemd
timer) and, in the embedded default, by a loop inside the web process. Each step is
counted (runs, failures, last success) in the Prometheus metrics (ops/metrics.py)."""

import asyncio
import logging
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from maillage.appointments import jobs as appointment_jobs
from maillage.config import Settings
from maillage.db import utcnow
from maillage.directory.manage import resume_suspended
from maillage.directory.reminders import remind_members_review, remind_outdated_listings
from maillage.notifications.sender import send_pending
from maillage.ops import metrics, ratelimit
from maillage.people.retention import anonymise_inactive
from maillage.referrals.attachments import purge_expired_attachments
from maillage.referrals.stall import run_stall_rules, weekly_digest
from maillage.stats.service import refresh_stale

log = logging.getLogger("maillage.jobs")
LOOP_SECONDS = 30


@dataclass
class JobsReport:
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{k} : {v}" for k, v in self.counts.items()) or "rien à faire"


async def run_once(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> JobsReport:
    report = JobsReport()
    with metrics.job("run_once"):
        async with sessionmaker() as session:
            # Each step: its name in the metrics, the report's label when it returns a single
            # count (steps returning a dict of counts name their own), and the work.
            steps = (
                ("resume_suspended", "suspensions terminées", lambda: resume_suspended(session)),
                ("remind_outdated_listings", "rappels fiches", lambda: remind_outdated_listings(session)),
                ("remind_members_review", "rappels équipes", lambda: remind_members_review(session)),
                ("stall_rules", None, lambda: run_stall_rules(session)),
                ("weekly_digest", None, lambda: weekly_digest(session)),
                ("appointments", None, lambda: appointment_jobs.run(session)),
                ("anonymise_inactive", "personnes anonymisées", lambda: anonymise_inactive(session, utcnow())),
                ("purge_attachments", "pièces jointes supprimées",
                 lambda: purge_expired_attachments(session, utcnow())),
                ("purge_rate_limits", "compteurs de limites purgés", lambda: ratelimit.purge(session)),
            )
            for name, label, work in steps:
                with metrics.job(name):
                    counts = await work()
                report.counts.update(counts if label is None else {label: counts})
            await session.commit()
            with metrics.job("stats_refresh"):
                report.counts["indicateurs recalculés"] = await refresh_stale(session, settings.stats_refresh_minutes)
            await session.commit()
        with metrics.job("send_emails"):
            sent = await send_pending(sessionmaker, settings)
        metrics.EMAILS_SENT.inc(sent.sent)
        metrics.EMAIL_FAILURES.inc(sent.failed)
        report.counts["courriels envoyés"] = sent.sent
        report.counts["échecs d'envoi"] = sent.failed
    return report


async def loop(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """The in-process runner: every ``LOOP_SECONDS``, until cancelled."""
    while True:
        try:
            await run_once(sessionmaker, settings)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a failing run must not stop the loop
            log.exception("job run failed")
        await asyncio.sleep(LOOP_SECONDS)
