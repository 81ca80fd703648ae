"""Reading appointments: a service's free slots, a structure's agenda, a counsellor's
"Mes RDV", a referral's bookings. Each is a bounded number of queries (no N+1)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from maillage.accounts.models import User
from maillage.appointments.models import BookableBy, Booking, Place, Slot
from maillage.db import utcnow
from maillage.directory.models import Service, Structure
from maillage.errors import InvalidInput
from maillage.pagination import PageParams
from maillage.people.models import Person

MAX_AGENDA_DAYS = 31
MAX_FREE_SLOT_DAYS = 92
MAX_AGENDA_SLOTS = 2000


@dataclass(frozen=True)
class SlotRow:
    slot: Slot
    place: Place
    service_nom: str


@dataclass(frozen=True)
class BookingRow:
    booking: Booking
    person_first_name: str
    person_last_name: str
    person_phone: str | None
    service_nom: str
    structure_nom: str
    place: Place
    title: str | None
    booker_first_name: str | None = None
    booker_last_name: str | None = None
    booker_structure_nom: str | None = None

    @property
    def booked_by(self) -> str | None:
        name = f"{self.booker_first_name or ''} {self.booker_last_name or ''}".strip()
        if name and self.booker_structure_nom:
            return f"{name} ({self.booker_structure_nom})"
        return name or self.booker_structure_nom


def _range(start: datetime, end: datetime, max_days: int) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("Indiquez le fuseau horaire des dates (par exemple 2026-03-02T00:00:00+01:00).")
    if end <= start:
        raise InvalidInput("La fin de la période doit suivre son début.")
    if end - start > timedelta(days=max_days):
        raise InvalidInput(f"Choisissez une période de {max_days} jours au plus.")


async def free_slots(session: AsyncSession, service_id: int, page: PageParams, *, start: datetime, end: datetime,
                     structure_only: bool, now: datetime | None = None) -> tuple[list[SlotRow], int]:
    """Open, future slots of a service with a free place, soonest first. Counsellors of
    other structures see only the slots open to the network (``structure_only`` False)."""
    now = now or utcnow()
    _range(start, end, MAX_FREE_SLOT_DAYS)
    conditions = [Slot.service_id == service_id, Slot.cancelled_at.is_(None), Slot.starts_at >= max(start, now),
                  Slot.starts_at < end, Slot.booked_count < Slot.capacity]
    if not structure_only:
        conditions.append(Slot.bookable_by == BookableBy.NETWORK.value)
    rows = (await session.execute(
        select(Slot, Place, Service.nom).join(Place, Place.id == Slot.place_id)
        .join(Service, Service.id == Slot.service_id)
        .where(*conditions).order_by(Slot.starts_at, Slot.id).offset(page.offset).limit(page.page_size)
    )).all()
    if len(rows) < page.page_size and (rows or page.offset == 0):
        total = page.offset + len(rows)  # the last page: no need to count (the usual case)
    else:
        total = await session.scalar(select(func.count()).select_from(Slot).where(*conditions)) or 0
    return [SlotRow(*row) for row in rows], total


async def agenda(session: AsyncSession, structure_id: int, *, start: datetime, end: datetime,
                 place_id: int | None = None, service_id: int | None = None,
                 ) -> tuple[list[SlotRow], dict[int, list[BookingRow]]]:
    """The structure's slots of a period (cancelled ones too) and their bookings (two
    queries)."""
    _range(start, end, MAX_AGENDA_DAYS)
    conditions = [Slot.structure_id == structure_id, Slot.starts_at >= start, Slot.starts_at < end]
    if place_id is not None:
        conditions.append(Slot.place_id == place_id)
    if service_id is not None:
        conditions.append(Slot.service_id == service_id)
    rows = (await session.execute(
        select(Slot, Place, Service.nom).join(Place, Place.id == Slot.place_id)
        .join(Service, Service.id == Slot.service_id)
        .where(*conditions).order_by(Slot.starts_at, Slot.id).limit(MAX_AGENDA_SLOTS)
    )).all()
    slots = [SlotRow(*row) for row in rows]
    if not slots:
        return [], {}
    by_slot: dict[int, list[BookingRow]] = defaultdict(list)
    for row in await _bookings(session, Booking.slot_id.in_([s.slot.id for s in slots])):
        by_slot[row.booking.slot_id].append(row)
    return slots, by_slot


async def _bookings(session: AsyncSession, *conditions, page: PageParams | None = None, descending: bool = False):
    booker, booker_structure = aliased(User), aliased(Structure)
    query = (
        select(Booking, Person.first_name, Person.last_name, Person.phone, Service.nom, Structure.nom, Place,
               Slot.title, booker.first_name, booker.last_name, booker_structure.nom)
        .join(Person, Person.id == Booking.person_id)
        .join(Service, Service.id == Booking.service_id)
        .join(Structure, Structure.id == Booking.structure_id)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Place, Place.id == Slot.place_id)
        .outerjoin(booker, booker.id == Booking.booked_by_user_id)
        .outerjoin(booker_structure, booker_structure.id == Booking.booked_by_structure_id)
        .where(*conditions)
    )
    order = (Booking.starts_at.desc(), Booking.id.desc()) if descending else (Booking.starts_at, Booking.id)
    query = query.order_by(*order)
    if page is not None:
        query = query.offset(page.offset).limit(page.page_size)
    return [BookingRow(*row) for row in (await session.execute(query)).all()]


async def my_bookings(session: AsyncSession, user_id: int, page: PageParams, *, past: bool = False,
                      now: datetime | None = None) -> tuple[list[BookingRow], int]:
    """The appointments a counsellor booked: upcoming (soonest first) or past (latest
    first)."""
    now = now or utcnow()
    when = Booking.ends_at <= now if past else Booking.ends_at > now
    conditions = (Booking.booked_by_user_id == user_id, when)
    total = await session.scalar(select(func.count()).select_from(Booking).where(*conditions)) or 0
    if total == 0 or page.offset >= total:
        return [], total
    return await _bookings(session, *conditions, page=page, descending=past), total


async def referral_bookings(session: AsyncSession, referral_id: int) -> list[BookingRow]:
    return await _bookings(session, Booking.referral_id == referral_id, descending=True)


async def structure_bookings(session: AsyncSession, structure_id: int, start: datetime, end: datetime,
                             limit: int) -> list[BookingRow]:
    """For the calendar feed: the structure's bookings (cancelled ones too) of a period."""
    return (await _bookings(session, Booking.structure_id == structure_id, Booking.starts_at >= start,
                            Booking.starts_at < end, page=PageParams(1, limit)))


async def booking_row(session: AsyncSession, booking_id: int) -> BookingRow:
    return (await _bookings(session, Booking.id == booking_id))[0]
