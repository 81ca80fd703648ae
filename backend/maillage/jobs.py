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
            with metrics.job("resume_suspended"):
                report.counts["suspensions terminées"] = await resume_suspended(session)
            with metrics.job("remind_outdated_listings"):
                report.counts["rappels fiches"] = await remind_outdated_listings(session)
            with metrics.job("remind_members_review"):
                report.counts["rappels équipes"] = await remind_members_review(session)
            with metrics.job("stall_rules"):
                report.counts.update(await run_stall_rules(session))
            with metrics.job("weekly_digest"):
                report.counts.update(await weekly_digest(session))
            with metrics.job("appointments"):
                report.counts.update(await appointment_jobs.run(session))
            with metrics.job("anonymise_inactive"):
                report.counts["personnes anonymisées"] = await anonymise_inactive(session, utcnow())
            with metrics.job("purge_attachments"):
                report.counts["pièces jointes supprimées"] = await purge_expired_attachments(session, utcnow())
            with metrics.job("purge_rate_limits"):
                report.counts["compteurs de limites purgés"] = await ratelimit.purge(session)
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
