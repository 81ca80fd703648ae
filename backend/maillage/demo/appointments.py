"""Demo appointments for the Pantin network: La Table de l'Ourcq and the social driving
school publish weekly slots (individual interviews, a collective information meeting),
and four more people are oriented there with an appointment in each state the
follow-up status and the stall rules care about (upcoming, to confirm, missed and not
rebooked, honoured). Idempotent: nothing is added once the network has places."""

from dataclasses import dataclass
from datetime import time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.appointments.booking import sync_referral
from maillage.appointments.models import BookableBy, Booking, Place, PlaceKind, Slot, SlotSeries
from maillage.appointments.schedule import PARIS, local_instant, occurrences
from maillage.db import utcnow
from maillage.demo.referrals import AUTO_ECOLE, ML, RSA, TABLE, DemoReferral, add_referral, demo_context
from maillage.directory.models import Network
from maillage.referrals.followup import BookingState
from maillage.referrals.models import ReferralEvent


@dataclass(frozen=True)
class DemoSeries:
    structure: str
    service_index: int      # among the structure's services accepting referrals, by id
    place: str
    title: str
    weekdays: tuple[int, ...]
    start: time
    minutes: int
    capacity: int


PLACES = {
    TABLE: ("Accueil du restaurant", "36 quai de l'Ourcq", "Sonnez à la porte de service, à gauche de la terrasse."),
    AUTO_ECOLE: ("Salle de code", "153 avenue Jean Lolive", "Au fond de la cour, premier étage."),
}
SERIES = (
    DemoSeries(TABLE, 0, TABLE, "Entretien d'accueil", (1, 3), time(9, 30), 45, 1),
    DemoSeries(TABLE, 0, TABLE, "Réunion d'information collective", (0,), time(14, 0), 90, 12),
    DemoSeries(AUTO_ECOLE, 0, AUTO_ECOLE, "Premier rendez-vous permis", (2,), time(10, 0), 60, 1),
)
# (referral, days from today of the appointment (negative: past), state of the booking)
WITH_APPOINTMENT = (
    (DemoReferral("Moussa", "Diarra", ML, TABLE, 10, "accepted", answered_days_ago=8), 2, BookingState.BOOKED),
    (DemoReferral("Léa", "Bonnet", RSA, TABLE, 20, "accepted", answered_days_ago=15), -4, BookingState.BOOKED),
    (DemoReferral("Karim", "Benhamou", ML, TABLE, 45, "accepted", answered_days_ago=40), -30, BookingState.MISSED),
    (DemoReferral("Inès", "Morel", RSA, AUTO_ECOLE, 14, "accepted", answered_days_ago=12), -5,
     BookingState.HONOURED),
)


async def seed_appointments(session: AsyncSession, network: Network) -> int:
    if await session.scalar(select(func.count()).select_from(Place).where(Place.network_id == network.id)):
        return 0
    ctx = await demo_context(session, network)
    now = utcnow()
    today = now.astimezone(PARIS).date()
    places: dict[str, Place] = {}
    for key, (name, adresse, instructions) in PLACES.items():
        places[key] = Place(network_id=network.id, structure_id=ctx.structure(key), name=name,
                            kind=PlaceKind.ON_SITE, adresse=adresse, code_postal="93500", commune="Pantin",
                            instructions=instructions)
    session.add_all(places.values())
    await session.flush()
    first_slot: dict[str, Slot] = {}
    for item in SERIES:
        structure_id = ctx.structure(item.structure)
        service_id = ctx.services_of(structure_id)[item.service_index]
        series = SlotSeries(
            network_id=network.id, structure_id=structure_id, service_id=service_id, place_id=places[item.place].id,
            title=item.title, weekdays=list(item.weekdays), start_time=item.start.strftime("%H:%M"),
            duration_minutes=item.minutes, capacity=item.capacity, bookable_by=BookableBy.NETWORK,
            starts_on=today, ends_on=today + timedelta(weeks=12), exceptions=[],
        )
        session.add(series)
        await session.flush()
        for o in occurrences(item.weekdays, item.start, item.minutes, today + timedelta(days=1), series.ends_on):
            slot = Slot(network_id=network.id, structure_id=structure_id, service_id=service_id,
                        place_id=series.place_id, series_id=series.id, title=item.title, starts_at=o.starts_at,
                        ends_at=o.ends_at, capacity=item.capacity, booked_count=0, bookable_by=BookableBy.NETWORK)
            session.add(slot)
            first_slot.setdefault(item.structure, slot)
    await session.flush()

    for demo, days, state in WITH_APPOINTMENT:
        referral = await add_referral(session, network, ctx, demo, now)
        day = today + timedelta(days=days)
        starts = local_instant(day, time(9, 30) if day.weekday() != 0 else time(14, 0))
        # An upcoming one takes its place in a published series when one is at that time.
        slot = await session.scalar(select(Slot).where(
            Slot.service_id == referral.service_id, Slot.starts_at == starts, Slot.booked_count < Slot.capacity))
        if slot is not None:
            slot.booked_count += 1
        else:
            slot = Slot(network_id=network.id, structure_id=referral.receiver_structure_id,
                        service_id=referral.service_id, place_id=places[demo.receiver].id,
                        title="Entretien d'accueil", starts_at=starts, ends_at=starts + timedelta(minutes=45),
                        capacity=1, booked_count=1, bookable_by=BookableBy.NETWORK)
            session.add(slot)
        await session.flush()
        booked_at = min(referral.answered_at, starts - timedelta(days=3))
        marked = starts + timedelta(hours=1) if state != BookingState.BOOKED else None
        session.add(Booking(
            network_id=network.id, slot_id=slot.id, person_id=referral.person_id, referral_id=referral.id,
            structure_id=slot.structure_id, service_id=slot.service_id, starts_at=slot.starts_at,
            ends_at=slot.ends_at, status=state, booked_by_user_id=referral.sender_user_id,
            booked_by_structure_id=referral.sender_structure_id, created_at=booked_at, updated_at=marked or booked_at,
            attendance_marked_at=marked,
        ))
        session.add(ReferralEvent(referral_id=referral.id, kind="rdv-pris", actor_structure_id=referral.sender_structure_id,
                                  data={"starts_at": starts.isoformat()}, created_at=booked_at))
        last = booked_at
        if marked:
            label = {BookingState.MISSED: "Absente", BookingState.HONOURED: "Venue"}[state]
            session.add(ReferralEvent(referral_id=referral.id, kind="rdv-presence",
                                      actor_structure_id=referral.receiver_structure_id,
                                      data={"state": state.value, "label": label}, created_at=marked))
            last = marked
        referral.last_event_at = max(referral.last_event_at, last)
        await session.flush()
        await sync_referral(session, referral.id)
    await session.flush()
    return len(WITH_APPOINTMENT)
