"""The appointment jobs (run by ``maillage jobs run`` with the others): the reminder two
days before, and the request to record the attendance of an appointment past by two
days (a network's ``appointment_to_confirm_days``). Idempotent and safe with two runners:
each email carries a dedupe key, and candidates whose key exists are skipped in SQL."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.appointments import notify
from maillage.appointments.notify import REMINDER_BEFORE
from maillage.appointments.models import Booking
from maillage.db import utcnow
from maillage.directory.models import Network
from maillage.referrals.followup import BookingState
from maillage.referrals.rules import rules_for
from maillage.referrals.stall import dedupe_key_sql, key_absent

BATCH = 500
REMINDERS = "rappels de rendez-vous"
TO_CONFIRM = "rendez-vous à préciser"


async def send_reminders(session: AsyncSession, now: datetime | None = None) -> int:
    """Bookings starting within two days whose reminder is not done (a booking made
    less than two days ahead had its confirmation take the reminder's key)."""
    now = now or utcnow()
    rows = (await session.scalars(
        select(Booking).where(
            Booking.status == BookingState.BOOKED.value, Booking.starts_at > now,
            Booking.starts_at <= now + REMINDER_BEFORE,
            key_absent(dedupe_key_sql("booking:reminder:", Booking.id)),
        ).order_by(Booking.starts_at).limit(BATCH)
    )).all()
    sent = 0
    for booking in rows:
        sent += await notify.reminder(session, booking)
    return sent


async def ask_attendance(session: AsyncSession, now: datetime | None = None) -> int:
    sent = 0
    now = now or utcnow()
    for network in (await session.scalars(select(Network).order_by(Network.id))).all():
        days = rules_for(network).appointment_to_confirm_days
        rows = (await session.scalars(
            select(Booking).where(
                Booking.network_id == network.id, Booking.status == BookingState.BOOKED.value,
                Booking.ends_at <= now - timedelta(days=days),
                key_absent(dedupe_key_sql("booking:to_confirm:", Booking.id)),
            ).order_by(Booking.starts_at).limit(BATCH)
        )).all()
        for booking in rows:
            sent += await notify.to_confirm(session, booking, now)
    return sent


async def run(session: AsyncSession, now: datetime | None = None) -> dict[str, int]:
    """Both jobs; does not commit."""
    now = now or utcnow()
    result = {REMINDERS: await send_reminders(session, now), TO_CONFIRM: await ask_attendance(session, now)}
    await session.flush()
    return result
