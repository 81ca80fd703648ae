"""A structure's calendar feeds: secret iCalendar addresses (stored hashed, revocable)
that staff subscribe to in their own calendar tool. A feed shows the bookings of the
last 30 and next 180 days, with the person's first name and initial only: the
calendar tool is outside the platform."""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.accounts.tokens import hash_secret, new_secret
from maillage.appointments.agenda import structure_bookings
from maillage.appointments.ics import CalendarItem, booking_uid, calendar
from maillage.appointments.models import BOOKING_STATUS_LABELS, CalendarFeed
from maillage.config import get_settings
from maillage.db import utcnow
from maillage.directory.models import Structure
from maillage.errors import Conflict, NotFound
from maillage.referrals.followup import BookingState
from maillage.referrals.stall import display_name

TOKEN_PREFIX = "cal_"
PAST = timedelta(days=30)
AHEAD = timedelta(days=180)
MAX_EVENTS = 3000
MAX_FEEDS = 10


def feed_url(token: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}/api/v1/calendar/{token}.ics"


async def list_feeds(session: AsyncSession, structure_id: int) -> list[CalendarFeed]:
    return list((await session.scalars(
        select(CalendarFeed).where(CalendarFeed.structure_id == structure_id).order_by(CalendarFeed.created_at.desc())
    )).all())


async def create_feed(session: AsyncSession, structure: Structure, label: str, user_id: int | None
                      ) -> tuple[CalendarFeed, str]:
    active = [f for f in await list_feeds(session, structure.id) if f.revoked_at is None]
    if len(active) >= MAX_FEEDS:
        raise Conflict(f"Cette structure a déjà {MAX_FEEDS} agendas partagés : révoquez-en un d'abord.")
    token = new_secret(TOKEN_PREFIX)
    feed = CalendarFeed(structure_id=structure.id, token_hash=hash_secret(token), label=label.strip(),
                        created_by=user_id)
    session.add(feed)
    await session.flush()
    return feed, token


async def get_feed(session: AsyncSession, feed_id: int) -> CalendarFeed:
    feed = await session.get(CalendarFeed, feed_id)
    if feed is None:
        raise NotFound("Agenda partagé introuvable.")
    return feed


async def revoke(session: AsyncSession, feed: CalendarFeed, now: datetime | None = None) -> CalendarFeed:
    if feed.revoked_at is None:
        feed.revoked_at = now or utcnow()
        await session.flush()
    return feed


async def render(session: AsyncSession, token: str, now: datetime | None = None) -> bytes:
    """The feed's iCalendar document; 404 for an unknown or revoked address."""
    now = now or utcnow()
    feed = await session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == hash_secret(token)))
    if feed is None or feed.revoked_at is not None:
        raise NotFound("Cet agenda partagé n'existe pas ou a été révoqué.")
    structure = await session.get(Structure, feed.structure_id)
    rows = await structure_bookings(session, feed.structure_id, now - PAST, now + AHEAD, MAX_EVENTS)
    await session.execute(update(CalendarFeed).where(CalendarFeed.id == feed.id).values(last_used_at=now)
                          .execution_options(synchronize_session=False))
    items = []
    for row in rows:
        b = row.booking
        if b.status == BookingState.CANCELLED and b.moved_to_id is not None:
            continue  # the move shows as the new booking
        items.append(CalendarItem(
            uid=booking_uid(b.id), starts_at=b.starts_at, ends_at=b.ends_at,
            summary=f"{display_name(row.person_first_name, row.person_last_name)} — {row.title or row.service_nom}",
            location=row.place.name,
            description=f"{row.service_nom} ({BOOKING_STATUS_LABELS[BookingState(b.status)]})",
            cancelled=b.status == BookingState.CANCELLED,
        ))
    return calendar(items, method=None, name=f"RDV — {structure.nom if structure else ''}".strip(" —"))
