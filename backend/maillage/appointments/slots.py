"""A structure's places, and the slots it publishes per service: one-off slots and
weekly series (stored as their occurrences), exceptions, cancellation. No HTTP here."""

from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.appointments import booking as bookings
from maillage.appointments.models import BookableBy, Booking, Place, PlaceKind, Slot, SlotSeries
from maillage.appointments.schedule import MAX_SERIES_DAYS, day_bounds, occurrences, parse_time
from maillage.db import utcnow
from maillage.directory.models import Service, Structure
from maillage.errors import Conflict, InvalidInput, NotFound
from maillage.referrals.followup import BookingState

MAX_CAPACITY = 500
MAX_DURATION_MINUTES = 12 * 60


# ---------------------------------------------------------------- places


async def list_places(session: AsyncSession, structure_id: int, *, archived: bool = False) -> list[Place]:
    query = select(Place).where(Place.structure_id == structure_id)
    if not archived:
        query = query.where(Place.archived_at.is_(None))
    return list((await session.scalars(query.order_by(Place.name, Place.id))).all())


def _clean_place(kind: str, name: str, adresse: str | None) -> tuple[str, str | None]:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Donnez un nom au lieu (par exemple « Accueil du siège » ou « Entretien téléphonique »).")
    adresse = (adresse or "").strip() or None
    if kind == PlaceKind.ON_SITE and not adresse:
        raise InvalidInput("Indiquez l'adresse du lieu d'accueil.")
    return name, adresse


async def create_place(session: AsyncSession, structure: Structure, *, name: str, kind: PlaceKind,
                       adresse: str | None, code_postal: str | None, commune: str | None,
                       instructions: str | None) -> Place:
    name, adresse = _clean_place(kind, name, adresse)
    place = Place(network_id=structure.network_id, structure_id=structure.id, name=name, kind=kind, adresse=adresse,
                  code_postal=(code_postal or "").strip() or None, commune=(commune or "").strip() or None,
                  instructions=(instructions or "").strip() or None)
    session.add(place)
    await session.flush()
    return place


async def update_place(session: AsyncSession, place: Place, changes: dict) -> Place:
    if changes.get("kind") is None:
        changes.pop("kind", None)
    for field, value in changes.items():
        setattr(place, field, value.strip() or None if isinstance(value, str) and field != "name" else value)
    place.name, place.adresse = _clean_place(place.kind, place.name, place.adresse)
    await session.flush()
    return place


async def archive_place(session: AsyncSession, place: Place, now: datetime | None = None) -> Place:
    """A place with upcoming open slots stays: cancel or move them first."""
    now = now or utcnow()
    upcoming = await session.scalar(
        select(Slot.id).where(Slot.place_id == place.id, Slot.cancelled_at.is_(None), Slot.starts_at > now).limit(1))
    if upcoming is not None:
        raise Conflict("Des créneaux à venir ont lieu dans ce lieu : annulez-les avant de l'archiver.")
    place.archived_at = now
    await session.flush()
    return place


async def get_place(session: AsyncSession, place_id: int) -> Place:
    place = await session.get(Place, place_id)
    if place is None:
        raise NotFound("Lieu introuvable.")
    return place


# ---------------------------------------------------------------- slots


def _check_common(service: Service, place: Place, capacity: int, duration_minutes: int) -> None:
    if place.structure_id != service.structure_id:
        raise InvalidInput("Ce lieu n'appartient pas à la structure du service.")
    if place.archived_at is not None:
        raise InvalidInput("Ce lieu est archivé : choisissez-en un autre.")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(f"La capacité va de 1 (entretien individuel) à {MAX_CAPACITY} places.")
    if not 5 <= duration_minutes <= MAX_DURATION_MINUTES:
        raise InvalidInput("La durée d'un créneau va de 5 minutes à 12 heures.")


async def create_slot(session: AsyncSession, service: Service, place: Place, *, starts_at: datetime,
                      duration_minutes: int, capacity: int, bookable_by: BookableBy, title: str | None,
                      now: datetime | None = None) -> Slot:
    now = now or utcnow()
    _check_common(service, place, capacity, duration_minutes)
    if starts_at.tzinfo is None:
        raise InvalidInput("Indiquez le fuseau horaire de l'heure de début.")
    if starts_at <= now:
        raise InvalidInput("Le créneau doit commencer dans le futur.")
    slot = Slot(network_id=service.network_id, structure_id=service.structure_id, service_id=service.id,
                place_id=place.id, title=(title or "").strip() or None, starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=duration_minutes), capacity=capacity, booked_count=0,
                bookable_by=bookable_by, created_at=now)
    session.add(slot)
    await session.flush()
    return slot


async def create_series(session: AsyncSession, service: Service, place: Place, *, weekdays: list[int],
                        start_time: str, duration_minutes: int, capacity: int, bookable_by: BookableBy,
                        title: str | None, starts_on: date, ends_on: date, exceptions: list[date],
                        created_by: int | None, now: datetime | None = None) -> tuple[SlotSeries, int]:
    """The series and its occurrences (those already past are skipped)."""
    now = now or utcnow()
    _check_common(service, place, capacity, duration_minutes)
    try:
        start = parse_time(start_time)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    days = sorted(set(weekdays))
    if not days or any(d not in range(7) for d in days):
        raise InvalidInput("Choisissez au moins un jour de la semaine.")
    if ends_on < starts_on:
        raise InvalidInput("La date de fin doit suivre la date de début.")
    if (ends_on - starts_on).days > MAX_SERIES_DAYS:
        raise InvalidInput("Une série couvre un an au plus : créez-en une nouvelle pour la suite.")
    series = SlotSeries(
        network_id=service.network_id, structure_id=service.structure_id, service_id=service.id, place_id=place.id,
        title=(title or "").strip() or None, weekdays=days, start_time=start.strftime("%H:%M"),
        duration_minutes=duration_minutes, capacity=capacity, bookable_by=bookable_by, starts_on=starts_on,
        ends_on=ends_on, exceptions=sorted({d.isoformat() for d in exceptions}), created_by=created_by,
        created_at=now,
    )
    session.add(series)
    await session.flush()
    rows = [
        Slot(network_id=series.network_id, structure_id=series.structure_id, service_id=series.service_id,
             place_id=series.place_id, series_id=series.id, title=series.title, starts_at=o.starts_at,
             ends_at=o.ends_at, capacity=capacity, booked_count=0, bookable_by=bookable_by, created_at=now)
        for o in occurrences(days, start, duration_minutes, starts_on, ends_on, exceptions)
        if o.starts_at > now
    ]
    if not rows:
        raise InvalidInput("Cette série ne donne aucun créneau à venir : vérifiez les jours et les dates.")
    session.add_all(rows)
    await session.flush()
    return series, len(rows)


async def get_series(session: AsyncSession, series_id: int) -> SlotSeries:
    series = await session.get(SlotSeries, series_id)
    if series is None:
        raise NotFound("Série de créneaux introuvable.")
    return series


async def add_exceptions(session: AsyncSession, series: SlotSeries, days: list[date], *, reason: str | None,
                         now: datetime | None = None) -> int:
    """No slot on these days (holidays, absences): their occurrences are cancelled. A day
    where someone is booked is refused: move or cancel those appointments first."""
    now = now or utcnow()
    if not days:
        raise InvalidInput("Choisissez au moins une date.")
    windows = [(d, *day_bounds(d)) for d in sorted(set(days))]
    slot_ids: list[int] = []
    for day, begin, end in windows:
        found = (await session.execute(
            select(Slot.id, Slot.booked_count).where(Slot.series_id == series.id, Slot.starts_at >= begin,
                                                     Slot.starts_at < end, Slot.cancelled_at.is_(None))
        )).all()
        if any(booked for _, booked in found):
            raise Conflict(f"Des rendez-vous sont pris le {day.strftime('%d/%m/%Y')} : déplacez-les ou annulez-les "
                           "avant d'en faire un jour sans créneau.")
        slot_ids += [slot_id for slot_id, _ in found]
    if slot_ids:
        await session.execute(
            update(Slot).where(Slot.id.in_(slot_ids), Slot.booked_count == 0)
            .values(cancelled_at=now, cancel_reason=(reason or "").strip() or "Jour sans créneau")
            .execution_options(synchronize_session=False)
        )
    series.exceptions = sorted(set(series.exceptions or []) | {d.isoformat() for d in days})
    await session.flush()
    return len(slot_ids)


async def stop_series(session: AsyncSession, series: SlotSeries, *, reason: str | None,
                      now: datetime | None = None) -> tuple[int, int]:
    """Cancel the series' future free occurrences. Those with bookings are kept (they
    are listed in the agenda: cancel them one by one, telling the people). Returns
    (cancelled, kept)."""
    now = now or utcnow()
    future = Slot.series_id == series.id, Slot.starts_at > now, Slot.cancelled_at.is_(None)
    kept = len((await session.scalars(select(Slot.id).where(*future, Slot.booked_count > 0))).all())
    result = await session.execute(
        update(Slot).where(*future, Slot.booked_count == 0)
        .values(cancelled_at=now, cancel_reason=(reason or "").strip() or "Série arrêtée")
        .execution_options(synchronize_session=False)
    )
    series.stopped_at = now
    await session.flush()
    return result.rowcount, kept


async def cancel_slot(session: AsyncSession, slot: Slot, *, reason: str, by_user_id: int | None,
                      by_structure_id: int | None, now: datetime | None = None) -> int:
    """Cancel a slot and every booking on it (each person and counsellor told). Returns
    the number of bookings cancelled."""
    from maillage.referrals.models import Referral

    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Indiquez le motif de l'annulation (il est envoyé aux personnes inscrites).")
    if slot.cancelled_at is not None:
        raise Conflict("Ce créneau est déjà annulé.")
    if slot.ends_at <= now:
        raise Conflict("Ce créneau est passé : indiquez plutôt la présence des personnes.")
    booked = (await session.scalars(
        select(Booking).where(Booking.slot_id == slot.id, Booking.status == BookingState.BOOKED.value)
    )).all()
    referrals = {r.id: r for r in (await session.scalars(
        select(Referral).where(Referral.id.in_([b.referral_id for b in booked if b.referral_id]))
    )).all()} if booked else {}
    for item in booked:
        await bookings.cancel(session, item, referrals.get(item.referral_id), reason=reason, by_user_id=by_user_id,
                              by_structure_id=by_structure_id, now=now)
    slot.cancelled_at = now
    slot.cancel_reason = reason
    await session.flush()
    return len(booked)
