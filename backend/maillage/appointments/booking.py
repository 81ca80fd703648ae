"""Booking a person on a slot for a referral, moving, cancelling, and marking attendance.
No HTTP and no commit here: the caller authorises and the request's session commits.

Capacity is taken with one conditional UPDATE (``booked_count < capacity``): under any
number of concurrent bookers the database lets exactly as many through as there are
places (a row lock on PostgreSQL, the write lock on SQLite), and the CHECK constraint on
``slot`` is the last guard. Every change re-derives the referral's appointment summary
(``sync_referral``) from which the follow-up status and the stall rules are computed.
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.appointments import notify
from maillage.appointments.models import BOOKING_STATUS_LABELS, BookableBy, Booking, Slot
from maillage.appointments.schedule import french_datetime
from maillage.db import utcnow
from maillage.errors import Conflict, InvalidInput, NotFound
from maillage.people.models import Person
from maillage.referrals import service as referral_service
from maillage.referrals.followup import BookingState
from maillage.referrals.models import Referral, ReferralEvent, ReferralStatus

BOOKED_EVENT = "rdv-pris"
MOVED_EVENT = "rdv-deplace"
CANCELLED_EVENT = "rdv-annule"
ATTENDANCE_EVENT = "rdv-presence"
ATTENDANCE = (BookingState.HONOURED, BookingState.MISSED, BookingState.EXCUSED)
_OPEN = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)
_ALREADY_THERE = "Cette personne a déjà une place sur ce créneau."


async def sync_referral(session: AsyncSession, referral_id: int | None) -> None:
    """Store on the referral its latest booking that counts (not cancelled) and the
    start of its first honoured one (see ``referrals.followup``)."""
    if referral_id is None:
        return
    rows = (await session.execute(
        select(Booking.status, Booking.starts_at, Booking.ends_at)
        .where(Booking.referral_id == referral_id, Booking.status != BookingState.CANCELLED.value)
        .order_by(Booking.starts_at.desc(), Booking.id.desc())
    )).all()
    latest = rows[0] if rows else None
    honoured = [r.starts_at for r in rows if r.status == BookingState.HONOURED]
    await session.execute(
        update(Referral).where(Referral.id == referral_id).values(
            appointment_status=latest.status if latest else None,
            appointment_starts_at=latest.starts_at if latest else None,
            appointment_ends_at=latest.ends_at if latest else None,
            honoured_at=min(honoured) if honoured else None,
        ).execution_options(synchronize_session=False)
    )


async def get_booking(session: AsyncSession, booking_id: int) -> Booking:
    booking = await session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("Rendez-vous introuvable.")
    return booking


async def get_slot(session: AsyncSession, slot_id: int) -> Slot:
    slot = await session.get(Slot, slot_id)
    if slot is None:
        raise NotFound("Créneau introuvable.")
    return slot


async def _take_place(session: AsyncSession, slot: Slot, now: datetime) -> None:
    result = await session.execute(
        update(Slot)
        .where(Slot.id == slot.id, Slot.cancelled_at.is_(None), Slot.booked_count < Slot.capacity,
               Slot.starts_at > now)
        .values(booked_count=Slot.booked_count + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        await session.refresh(slot)
        if slot.cancelled_at is not None:
            raise Conflict("Ce créneau a été annulé par la structure : choisissez-en un autre.")
        if slot.starts_at <= now:
            raise Conflict("Ce créneau est déjà passé : choisissez-en un autre.")
        raise Conflict("Ce créneau vient d'être complet : choisissez-en un autre.")


async def _release_place(session: AsyncSession, slot_id: int) -> None:
    await session.execute(
        update(Slot).where(Slot.id == slot_id, Slot.booked_count > 0)
        .values(booked_count=Slot.booked_count - 1).execution_options(synchronize_session=False)
    )


def _check_slot_for(referral: Referral, slot: Slot, *, by_receiver: bool) -> None:
    if slot.structure_id != referral.receiver_structure_id:
        raise InvalidInput("Ce créneau n'est pas proposé par la structure qui reçoit l'orientation.")
    if slot.bookable_by != BookableBy.NETWORK and not by_receiver:
        raise Conflict("Ce créneau est réservé par la structure elle-même : choisissez un créneau ouvert aux "
                       "conseillers du réseau.")


async def book(
    session: AsyncSession, referral: Referral, slot: Slot, *, by_user_id: int | None, by_structure_id: int | None,
    by_receiver: bool, notify_person: bool, note: str | None = None, now: datetime | None = None,
    send_emails: bool = True,
) -> Booking:
    """Book ``slot`` for the referral's person. 409 when the slot is full, cancelled or
    past, when the referral is finished, or when it already has an upcoming booking."""
    now = now or utcnow()
    if referral.status not in _OPEN:
        raise Conflict("Cette orientation est terminée : on ne peut plus y prendre de rendez-vous.")
    _check_slot_for(referral, slot, by_receiver=by_receiver)
    upcoming = await session.scalar(
        select(Booking.id).where(Booking.referral_id == referral.id, Booking.status == BookingState.BOOKED.value,
                                 Booking.ends_at > now).limit(1)
    )
    if upcoming is not None:
        raise Conflict("Cette orientation a déjà un rendez-vous à venir : déplacez-le plutôt que d'en prendre "
                       "un second.")
    holder = await session.scalar(
        select(Booking.id).where(Booking.slot_id == slot.id, Booking.person_id == referral.person_id,
                                 Booking.status != BookingState.CANCELLED.value).limit(1)
    )
    if holder is not None:
        raise Conflict(_ALREADY_THERE)
    person = await session.get(Person, referral.person_id)
    if notify_person and not (person and person.email):
        raise InvalidInput("La personne n'a pas d'adresse électronique : décochez l'envoi de la confirmation.")
    await _take_place(session, slot, now)
    booking = Booking(
        network_id=referral.network_id, slot_id=slot.id, person_id=referral.person_id, referral_id=referral.id,
        structure_id=slot.structure_id, service_id=slot.service_id, starts_at=slot.starts_at, ends_at=slot.ends_at,
        status=BookingState.BOOKED, booked_by_user_id=by_user_id, booked_by_structure_id=by_structure_id,
        notify_person=notify_person, note=(note or "").strip() or None, created_at=now, updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(booking)
            await session.flush()
    except IntegrityError:
        raise Conflict(_ALREADY_THERE) from None
    await _event(session, referral, BOOKED_EVENT, by_user_id, by_structure_id, now,
                 {"booking_id": booking.id, "starts_at": slot.starts_at.isoformat(), "slot_id": slot.id})
    await sync_referral(session, referral.id)
    if send_emails:
        await notify.booked(session, booking)
    return booking


async def move(
    session: AsyncSession, booking: Booking, referral: Referral, new_slot: Slot, *, by_user_id: int | None,
    by_structure_id: int | None, by_receiver: bool, now: datetime | None = None,
) -> Booking:
    """A new booking on ``new_slot`` (its place taken first), the old one cancelled and
    linked to it: the history stays on the referral's timeline."""
    now = now or utcnow()
    if booking.status != BookingState.BOOKED:
        raise Conflict("Seul un rendez-vous à venir peut être déplacé.")
    if new_slot.id == booking.slot_id:
        raise InvalidInput("Choisissez un autre créneau que celui du rendez-vous actuel.")
    _check_slot_for(referral, new_slot, by_receiver=by_receiver)
    await _take_place(session, new_slot, now)
    if not await _set_status(session, booking, BookingState.BOOKED, BookingState.CANCELLED, now,
                             cancel_reason="Rendez-vous déplacé"):
        raise Conflict("Ce rendez-vous vient d'être modifié par quelqu'un d'autre : rechargez la page.")
    await _release_place(session, booking.slot_id)
    moved = Booking(
        network_id=booking.network_id, slot_id=new_slot.id, person_id=booking.person_id,
        referral_id=booking.referral_id, structure_id=new_slot.structure_id, service_id=new_slot.service_id,
        starts_at=new_slot.starts_at, ends_at=new_slot.ends_at, status=BookingState.BOOKED,
        booked_by_user_id=by_user_id, booked_by_structure_id=by_structure_id, notify_person=booking.notify_person,
        note=booking.note, created_at=now, updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(moved)
            await session.flush()
    except IntegrityError:
        raise Conflict(_ALREADY_THERE) from None
    booking.moved_to_id = moved.id
    await _event(session, referral, MOVED_EVENT, by_user_id, by_structure_id, now,
                 {"booking_id": moved.id, "from": booking.starts_at.isoformat(),
                  "starts_at": moved.starts_at.isoformat()})
    await sync_referral(session, referral.id)
    await notify.changed(session, moved, previous=booking)
    return moved


async def cancel(
    session: AsyncSession, booking: Booking, referral: Referral | None, *, reason: str, by_user_id: int | None,
    by_structure_id: int | None, now: datetime | None = None, send_emails: bool = True,
) -> Booking:
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Indiquez le motif de l'annulation.")
    if booking.status != BookingState.BOOKED:
        raise Conflict("Seul un rendez-vous à venir peut être annulé.")
    if booking.ends_at <= now:
        raise Conflict("Ce rendez-vous est passé : indiquez plutôt si la personne est venue.")
    if not await _set_status(session, booking, BookingState.BOOKED, BookingState.CANCELLED, now, cancel_reason=reason):
        raise Conflict("Ce rendez-vous vient d'être modifié par quelqu'un d'autre : rechargez la page.")
    await _release_place(session, booking.slot_id)
    if referral is not None:
        await _event(session, referral, CANCELLED_EVENT, by_user_id, by_structure_id, now,
                     {"booking_id": booking.id, "starts_at": booking.starts_at.isoformat(), "reason": reason})
        await sync_referral(session, referral.id)
    if send_emails:
        await notify.changed(session, booking, previous=None)
    return booking


async def mark_attendance(
    session: AsyncSession, booking: Booking, referral: Referral | None, state: BookingState, *,
    by_user_id: int | None, by_structure_id: int | None, now: datetime | None = None,
) -> Booking:
    """Honoured, missed or excused, once the appointment has begun (a mark can be
    corrected). A person who came to the appointment of an unanswered referral has been
    taken in: the referral is accepted on the way."""
    now = now or utcnow()
    if state not in {s.value for s in ATTENDANCE}:
        raise InvalidInput("Indiquez si la personne est venue, absente ou excusée.")
    state = BookingState(state)
    if booking.status == BookingState.CANCELLED:
        raise Conflict("Ce rendez-vous a été annulé.")
    if booking.starts_at > now:
        raise Conflict(f"Le rendez-vous n'a pas encore eu lieu (il est prévu le {french_datetime(booking.starts_at)}).")
    previous = BookingState(booking.status)
    if previous == state:
        return booking
    if not await _set_status(session, booking, previous, state, now, marked_by=by_user_id):
        raise Conflict("Ce rendez-vous vient d'être modifié par quelqu'un d'autre : rechargez la page.")
    if referral is not None:
        if state == BookingState.HONOURED and referral.status == ReferralStatus.SENT:
            await referral_service.transition(session, referral, "accept", actor_user_id=by_user_id,
                                              actor_structure_id=by_structure_id, now=now, event_data={"rdv": True})
        await _event(session, referral, ATTENDANCE_EVENT, by_user_id, by_structure_id, now,
                     {"booking_id": booking.id, "state": state.value, "label": BOOKING_STATUS_LABELS[state]})
        await sync_referral(session, referral.id)
    return booking


async def release_for_referral(session: AsyncSession, referral: Referral, now: datetime | None = None) -> int:
    """A referral just finished (refused, cancelled, expired, closed, reoriented): its
    upcoming bookings are cancelled and their places freed, the person and the counsellor
    told. Returns how many."""
    now = now or utcnow()
    upcoming = (await session.scalars(
        select(Booking).where(Booking.referral_id == referral.id, Booking.status == BookingState.BOOKED.value,
                              Booking.starts_at > now)
    )).all()
    for booking in upcoming:
        if await _set_status(session, booking, BookingState.BOOKED, BookingState.CANCELLED, now,
                             cancel_reason="Orientation terminée"):
            await _release_place(session, booking.slot_id)
            await notify.changed(session, booking, previous=None)
    if upcoming:
        await sync_referral(session, referral.id)
    return len(upcoming)


async def release_person_bookings(session: AsyncSession, people, now: datetime) -> int:
    """For an erasure or anonymisation: ``people`` (a SELECT of person ids) lose their
    bookings' notes; their upcoming bookings are cancelled, places freed, no email."""
    upcoming = (await session.scalars(
        select(Booking).where(Booking.person_id.in_(people), Booking.status == BookingState.BOOKED.value,
                              Booking.starts_at > now)
    )).all()
    for booking in upcoming:
        if await _set_status(session, booking, BookingState.BOOKED, BookingState.CANCELLED, now,
                             cancel_reason="Données de la personne effacées"):
            await _release_place(session, booking.slot_id)
            await sync_referral(session, booking.referral_id)
    await session.execute(
        update(Booking).where(Booking.person_id.in_(people)).values(note=None)
        .execution_options(synchronize_session=False)
    )
    return len(upcoming)


async def _set_status(session: AsyncSession, booking: Booking, current: BookingState, target: BookingState,
                      now: datetime, *, cancel_reason: str | None = None, marked_by: int | None = None) -> bool:
    """Conditional UPDATE on the status read: of two concurrent changes one wins."""
    values: dict = {"status": target.value, "updated_at": now}
    if cancel_reason is not None:
        values["cancel_reason"] = cancel_reason
    if target in ATTENDANCE:
        values.update(attendance_marked_at=now, attendance_marked_by=marked_by)
    result = await session.execute(
        update(Booking).where(Booking.id == booking.id, Booking.status == current.value).values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    await session.refresh(booking)
    return True


async def _event(session: AsyncSession, referral: Referral, kind: str, user_id: int | None, structure_id: int | None,
                 now: datetime, data: dict) -> None:
    session.add(ReferralEvent(referral_id=referral.id, kind=kind, actor_user_id=user_id,
                              actor_structure_id=structure_id, data=data, created_at=now))
    await session.execute(
        update(Referral).where(Referral.id == referral.id).values(last_event_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
