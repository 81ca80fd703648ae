"""ORM rows → response models (shared by the appointments routes)."""

from datetime import date, datetime

from maillage.appointments.agenda import BookingRow, SlotRow
from maillage.appointments.models import BOOKING_STATUS_LABELS, PLACE_KIND_LABELS, Place, PlaceKind, SlotSeries
from maillage.appointments.schemas import BookingOut, BookingPerson, Named, PlaceOut, SeriesOut, SlotOut
from maillage.db import utcnow
from maillage.referrals.followup import BookingState


def place_out(place: Place) -> PlaceOut:
    return PlaceOut(id=place.id, structure_id=place.structure_id, name=place.name, kind=place.kind,
                    kind_label=PLACE_KIND_LABELS[PlaceKind(place.kind)], adresse=place.adresse,
                    code_postal=place.code_postal, commune=place.commune, instructions=place.instructions,
                    archived=place.archived_at is not None)


def slot_out(row: SlotRow) -> SlotOut:
    slot = row.slot
    return SlotOut(
        id=slot.id, service=Named(id=slot.service_id, nom=row.service_nom), place=place_out(row.place),
        series_id=slot.series_id, title=slot.title, starts_at=slot.starts_at, ends_at=slot.ends_at,
        capacity=slot.capacity, booked_count=slot.booked_count, remaining=max(slot.capacity - slot.booked_count, 0),
        bookable_by=slot.bookable_by, cancelled=slot.cancelled_at is not None, cancel_reason=slot.cancel_reason,
    )


def booking_out(row: BookingRow, now: datetime | None = None) -> BookingOut:
    b = row.booking
    state = BookingState(b.status)
    return BookingOut(
        id=b.id, referral_id=b.referral_id, slot_id=b.slot_id,
        person=BookingPerson(id=b.person_id, first_name=row.person_first_name, last_name=row.person_last_name,
                             phone=row.person_phone),
        service=Named(id=b.service_id, nom=row.service_nom), structure=Named(id=b.structure_id, nom=row.structure_nom),
        place=place_out(row.place), title=row.title, starts_at=b.starts_at, ends_at=b.ends_at, status=state,
        status_label=BOOKING_STATUS_LABELS[state],
        to_confirm=state == BookingState.BOOKED and b.ends_at <= (now or utcnow()),
        notify_person=b.notify_person, booked_by=row.booked_by, note=b.note, cancel_reason=b.cancel_reason,
        moved_to_id=b.moved_to_id,
        created_at=b.created_at,
    )


def series_out(series: SlotSeries, created: int | None = None) -> SeriesOut:
    return SeriesOut(
        id=series.id, service_id=series.service_id, place_id=series.place_id, weekdays=series.weekdays,
        start_time=series.start_time, duration_minutes=series.duration_minutes, capacity=series.capacity,
        bookable_by=series.bookable_by, title=series.title, starts_on=series.starts_on, ends_on=series.ends_on,
        exceptions=[date.fromisoformat(d) for d in series.exceptions or []], stopped=series.stopped_at is not None,
        slots_created=created,
    )
