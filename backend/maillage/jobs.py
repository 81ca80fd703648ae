"""Background jobs: idempotent functions run by ``maillage jobs run`` (cron, systemd
timer) and, in the embedded default, by a loop inside the web process."""

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
    async with sessionmaker() as session:
        report.counts["suspensions terminées"] = await resume_suspended(session)
        report.counts["rappels fiches"] = await remind_outdated_listings(session)
        report.counts["rappels équipes"] = await remind_members_review(session)
        report.counts.update(await run_stall_rules(session))
        report.counts.update(await weekly_digest(session))
        report.counts.update(await appointment_jobs.run(session))
        report.counts["personnes anonymisées"] = await anonymise_inactive(session, utcnow())
        report.counts["pièces jointes supprimées"] = await purge_expired_attachments(session, utcnow())
        await session.commit()
        report.counts["indicateurs recalculés"] = await refresh_stale(session, settings.stats_refresh_minutes)
        await session.commit()
    sent = await send_pending(sessionmaker, settings)
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
