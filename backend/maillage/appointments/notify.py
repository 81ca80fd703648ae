"""Booking emails, through the outbox: confirmation (with an .ics file) to the person when
they gave an email and agreed, and to the counsellor who booked; a reminder two days
before; a notice when the appointment is moved or cancelled; and "record the
attendance" to the receiving structure. Subjects to staff carry the first name and
initial only."""

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from maillage.accounts.models import User
from maillage.appointments.ics import CalendarItem, booking_uid, calendar
from maillage.appointments.models import Booking, Place, PlaceKind, Slot
from maillage.appointments.schedule import french_datetime, french_time
from maillage.directory.models import Service, Structure
from maillage.notifications.emails import enqueue
from maillage.people.models import Person
from maillage.referrals.stall import display_name, enqueue_once, member_emails, public_link


@dataclass(frozen=True)
class BookingContext:
    booking: Booking
    title: str | None
    place_name: str
    place_kind: str
    place_address: str | None
    instructions: str | None
    service_nom: str
    structure_nom: str
    structure_phone: str | None
    person_first_name: str
    person_last_name: str
    person_email: str | None
    booker_email: str | None
    booker_name: str | None

    @property
    def person(self) -> str:
        return display_name(self.person_first_name, self.person_last_name)

    @property
    def where(self) -> str:
        if self.place_kind == PlaceKind.PHONE:
            return "Par téléphone"
        if self.place_kind == PlaceKind.VIDEO:
            return "En visio"
        return ", ".join(p for p in (self.place_name, self.place_address) if p)

    def template_context(self) -> dict:
        b = self.booking
        return {
            "person": self.person, "first_name": self.person_first_name, "service_nom": self.service_nom,
            "structure_nom": self.structure_nom, "structure_phone": self.structure_phone, "title": self.title,
            "when": french_datetime(b.starts_at), "until": french_time(b.ends_at), "where": self.where,
            "instructions": self.instructions, "booker_name": self.booker_name,
            "link": public_link(f"/orientations/{b.referral_id}") if b.referral_id else public_link("/rendez-vous"),
        }


def _address(place: Place) -> str | None:
    town = " ".join(p for p in (place.code_postal, place.commune) if p)
    return ", ".join(p for p in (place.adresse, town) if p) or None


async def load_context(session: AsyncSession, booking: Booking) -> BookingContext:
    booker = aliased(User)
    row = (await session.execute(
        select(Slot.title, Place, Service.nom, Structure.nom, Structure.telephone, Person.first_name,
               Person.last_name, Person.email, booker.email, booker.first_name, booker.last_name)
        .select_from(Booking)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Place, Place.id == Slot.place_id)
        .join(Service, Service.id == Booking.service_id)
        .join(Structure, Structure.id == Booking.structure_id)
        .join(Person, Person.id == Booking.person_id)
        .outerjoin(booker, booker.id == Booking.booked_by_user_id)
        .where(Booking.id == booking.id)
    )).one()
    title, place, service_nom, structure_nom, phone, first, last, email, b_email, b_first, b_last = row
    booker_name = f"{b_first or ''} {b_last or ''}".strip() or None
    return BookingContext(booking, title, place.name, place.kind, _address(place), place.instructions, service_nom,
                          structure_nom, phone, first, last, email, b_email, booker_name)


def calendar_item(ctx: BookingContext, *, for_person: bool, cancelled: bool = False) -> CalendarItem:
    b = ctx.booking
    who = "" if for_person else f" — {ctx.person}"
    lines = [f"{ctx.structure_nom} — {ctx.service_nom}"]
    if ctx.instructions:
        lines.append(ctx.instructions)
    if ctx.structure_phone:
        lines.append(f"En cas d'empêchement : {ctx.structure_phone}")
    return CalendarItem(
        uid=booking_uid(b.id), starts_at=b.starts_at, ends_at=b.ends_at,
        summary=f"RDV {ctx.title or ctx.service_nom}{who}", location=ctx.where, description="\n".join(lines),
        cancelled=cancelled, sequence=1 if cancelled else 0,
    )


def _ics_attachment(ctx: BookingContext, *, for_person: bool, cancelled: bool = False) -> list[dict]:
    content = calendar([calendar_item(ctx, for_person=for_person, cancelled=cancelled)],
                       method="CANCEL" if cancelled else "PUBLISH")
    return [{"filename": "rendez-vous.ics", "content_type": "text/calendar",
             "content_b64": base64.b64encode(content).decode()}]


REMINDER_BEFORE = timedelta(days=2)


def reminder_key(booking_id: int, for_person: bool) -> str:
    """The dedupe key of a booking's reminder: the counsellor's is the guard the job
    looks for."""
    return f"booking:reminder:{booking_id}" + (":personne" if for_person else "")


def _late_keys(booking: Booking) -> tuple[str | None, str | None]:
    """A booking made less than two days ahead gets no reminder: its confirmation takes
    the reminder's keys (counsellor, person), so that the job finds them done."""
    if booking.starts_at - booking.created_at > REMINDER_BEFORE:
        return None, None
    return reminder_key(booking.id, False), reminder_key(booking.id, True)


async def booked(session: AsyncSession, booking: Booking) -> int:
    """Confirmation to the person (if agreed) and to the counsellor who booked."""
    ctx = await load_context(session, booking)
    counsellor_key, person_key = _late_keys(booking)
    sent = 0
    if booking.notify_person and ctx.person_email:
        await enqueue(session, "booking_confirmation", ctx.person_email, network_id=booking.network_id,
                      dedupe_key=person_key, attachments=_ics_attachment(ctx, for_person=True),
                      **ctx.template_context())
        sent += 1
    if ctx.booker_email:
        await enqueue(session, "booking_booked", ctx.booker_email, network_id=booking.network_id,
                      dedupe_key=counsellor_key, attachments=_ics_attachment(ctx, for_person=False),
                      **ctx.template_context())
        sent += 1
    return sent


async def changed(session: AsyncSession, booking: Booking, previous: Booking | None) -> int:
    """Moved (``booking`` is the new one, ``previous`` the old) or cancelled (``previous``
    is None and ``booking`` the cancelled one)."""
    ctx = await load_context(session, booking)
    moved = previous is not None
    extra = {"moved": moved, "previous_when": french_datetime(previous.starts_at) if moved else None,
             "reason": None if moved else booking.cancel_reason}
    counsellor_key, person_key = _late_keys(booking) if moved else (None, None)
    sent = 0
    for address, for_person, key in ((ctx.person_email if booking.notify_person else None, True, person_key),
                                     (ctx.booker_email, False, counsellor_key)):
        if not address:
            continue
        template = "booking_changed_person" if for_person else "booking_changed"
        await enqueue(session, template, address, network_id=booking.network_id, dedupe_key=key,
                      attachments=_ics_attachment(ctx, for_person=for_person, cancelled=not moved),
                      **ctx.template_context(), **extra)
        sent += 1
    return sent


async def reminder(session: AsyncSession, booking: Booking) -> int:
    """Two days before: to the person (if agreed) and to the counsellor, once each."""
    ctx = await load_context(session, booking)
    sent = 0
    if booking.notify_person and ctx.person_email:
        sent += await enqueue_once(session, "booking_reminder", [ctx.person_email], reminder_key(booking.id, True),
                                   network_id=booking.network_id, for_person=True, **ctx.template_context())
    # Last: its key is the one the job checks (a crash in between resends nothing twice).
    sent += await enqueue_once(session, "booking_reminder", [ctx.booker_email] if ctx.booker_email else [],
                               reminder_key(booking.id, False), network_id=booking.network_id,
                               for_person=False, **ctx.template_context())
    return sent


async def to_confirm(session: AsyncSession, booking: Booking, now: datetime) -> int:
    """Ask the receiving structure's members to record whether the person came."""
    ctx = await load_context(session, booking)
    members = await member_emails(session, [booking.structure_id])
    return await enqueue_once(session, "booking_to_confirm", members.get(booking.structure_id, []),
                              f"booking:to_confirm:{booking.id}", network_id=booking.network_id,
                              days=(now - booking.ends_at).days, **ctx.template_context())
