"""A structure's places, slots, series, agenda and calendar feeds; a service's free slots."""

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, status

from maillage import permissions
from maillage.accounts.deps import PrincipalDep
from maillage.appointments import access, agenda, booking, feeds, slots
from maillage.appointments.agenda import SlotRow
from maillage.appointments.schemas import (
    AgendaOut,
    AgendaSlot,
    CancelSlotOut,
    ExceptionsIn,
    FeedCreated,
    FeedIn,
    FeedOut,
    OptionalReasonIn,
    PlaceIn,
    PlaceOut,
    PlaceUpdate,
    ReasonIn,
    SeriesIn,
    SeriesOut,
    SlotIn,
    SlotOut,
    StopOut,
)
from maillage.appointments.views import booking_out, place_out, series_out, slot_out
from maillage.db import SessionDep, utcnow
from maillage.directory.models import Service
from maillage.pagination import Page, PageDep

router = APIRouter(tags=["rendez-vous : agenda des structures"])

FromQuery = Annotated[datetime, Query(alias="from", description="Début de la période (avec fuseau horaire)")]
ToQuery = Annotated[datetime, Query(alias="to", description="Fin de la période (exclue)")]


# ---------------------------------------------------------------- places


@router.get("/structures/{structure_id}/places", response_model=list[PlaceOut], summary="Lieux d'accueil")
async def list_places(structure_id: int, principal: PrincipalDep, session: SessionDep,
                      archived: bool = False) -> list[PlaceOut]:
    structure = await access.structure_for(session, structure_id)
    access.ensure_agenda_member(principal, structure)
    return [place_out(p) for p in await slots.list_places(session, structure.id, archived=archived)]


@router.post("/structures/{structure_id}/places", response_model=PlaceOut, status_code=status.HTTP_201_CREATED,
             summary="Ajouter un lieu d'accueil")
async def create_place(structure_id: int, body: PlaceIn, principal: PrincipalDep, session: SessionDep) -> PlaceOut:
    structure = await access.structure_for(session, structure_id)
    permissions.ensure_can_edit(principal, structure)
    return place_out(await slots.create_place(session, structure, **body.model_dump()))


@router.patch("/places/{place_id}", response_model=PlaceOut, summary="Modifier un lieu")
async def update_place(place_id: int, body: PlaceUpdate, principal: PrincipalDep, session: SessionDep) -> PlaceOut:
    place = await slots.get_place(session, place_id)
    permissions.ensure_can_edit(principal, await access.structure_for(session, place.structure_id))
    return place_out(await slots.update_place(session, place, body.model_dump(exclude_unset=True)))


@router.delete("/places/{place_id}", response_model=PlaceOut, summary="Archiver un lieu")
async def archive_place(place_id: int, principal: PrincipalDep, session: SessionDep) -> PlaceOut:
    place = await slots.get_place(session, place_id)
    permissions.ensure_can_edit(principal, await access.structure_for(session, place.structure_id))
    return place_out(await slots.archive_place(session, place))


# ---------------------------------------------------------------- slots and series


async def _managed_service(session, principal, service_id: int) -> Service:
    service = await access.service_for(session, service_id)
    access.ensure_agenda_member(principal, await access.structure_for(session, service.structure_id))
    return service


@router.post("/services/{service_id}/slots", response_model=SlotOut, status_code=status.HTTP_201_CREATED,
             summary="Publier un créneau")
async def create_slot(service_id: int, body: SlotIn, principal: PrincipalDep, session: SessionDep) -> SlotOut:
    service = await _managed_service(session, principal, service_id)
    place = await slots.get_place(session, body.place_id)
    slot = await slots.create_slot(session, service, place, **body.model_dump(exclude={"place_id"}))
    return slot_out(SlotRow(slot, place, service.nom))


@router.post("/services/{service_id}/slot-series", response_model=SeriesOut, status_code=status.HTTP_201_CREATED,
             summary="Publier des créneaux chaque semaine")
async def create_series(service_id: int, body: SeriesIn, principal: PrincipalDep, session: SessionDep) -> SeriesOut:
    service = await _managed_service(session, principal, service_id)
    place = await slots.get_place(session, body.place_id)
    series, created = await slots.create_series(session, service, place, **body.model_dump(exclude={"place_id"}),
                                                created_by=principal.user_id)
    return series_out(series, created)


async def _managed_series(session, principal, series_id: int):
    series = await slots.get_series(session, series_id)
    access.ensure_agenda_member(principal, await access.structure_for(session, series.structure_id))
    return series


@router.get("/slot-series/{series_id}", response_model=SeriesOut, summary="Une série de créneaux")
async def get_series(series_id: int, principal: PrincipalDep, session: SessionDep) -> SeriesOut:
    return series_out(await _managed_series(session, principal, series_id))


@router.post("/slot-series/{series_id}/exceptions", response_model=SeriesOut,
             summary="Jours sans créneau (fériés, absences)")
async def add_exceptions(series_id: int, body: ExceptionsIn, principal: PrincipalDep, session: SessionDep) -> SeriesOut:
    series = await _managed_series(session, principal, series_id)
    await slots.add_exceptions(session, series, body.dates, reason=body.reason)
    return series_out(series)


@router.post("/slot-series/{series_id}/stop", response_model=StopOut, summary="Arrêter une série")
async def stop_series(series_id: int, body: OptionalReasonIn, principal: PrincipalDep, session: SessionDep) -> StopOut:
    series = await _managed_series(session, principal, series_id)
    cancelled, kept = await slots.stop_series(session, series, reason=body.reason)
    return StopOut(cancelled=cancelled, kept=kept)


@router.post("/slots/{slot_id}/cancel", response_model=CancelSlotOut,
             summary="Annuler un créneau (les personnes inscrites sont prévenues)")
async def cancel_slot(slot_id: int, body: ReasonIn, principal: PrincipalDep, session: SessionDep) -> CancelSlotOut:
    slot = await booking.get_slot(session, slot_id)
    structure = await access.structure_for(session, slot.structure_id)
    access.ensure_agenda_member(principal, structure)
    count = await slots.cancel_slot(session, slot, reason=body.reason, by_user_id=principal.user_id,
                                    by_structure_id=structure.id if principal.is_member(structure.id) else None)
    place = await slots.get_place(session, slot.place_id)
    service = await access.service_for(session, slot.service_id)
    return CancelSlotOut(slot=slot_out(SlotRow(slot, place, service.nom)), bookings_cancelled=count)


@router.get("/services/{service_id}/slots", response_model=Page[SlotOut],
            summary="Créneaux libres d'un service (les plus proches d'abord)")
async def free_slots(service_id: int, principal: PrincipalDep, session: SessionDep, page: PageDep,
                     start: Annotated[datetime | None, Query(alias="from")] = None,
                     end: Annotated[datetime | None, Query(alias="to")] = None) -> Page[SlotOut]:
    service = await access.service_for(session, service_id)
    own = access.ensure_network_member(principal, service)
    now = utcnow()
    start = start or now
    end = end or start + timedelta(weeks=4)
    rows, total = await agenda.free_slots(session, service.id, page, start=start, end=end, structure_only=own, now=now)
    return Page.of([slot_out(r) for r in rows], total, page)


# ---------------------------------------------------------------- agenda


@router.get("/structures/{structure_id}/agenda", response_model=AgendaOut,
            summary="Agenda d'une structure : créneaux, inscrits, places restantes")
async def structure_agenda(structure_id: int, principal: PrincipalDep, session: SessionDep, start: FromQuery,
                           end: ToQuery, place_id: int | None = None, service_id: int | None = None) -> AgendaOut:
    structure = await access.structure_for(session, structure_id)
    access.ensure_agenda_member(principal, structure)
    rows, by_slot = await agenda.agenda(session, structure.id, start=start, end=end, place_id=place_id,
                                        service_id=service_id)
    await access.audit_agenda_read(session, principal, structure)
    now = utcnow()
    items = [AgendaSlot(**slot_out(r).model_dump(), bookings=[booking_out(b, now) for b in by_slot.get(r.slot.id, [])])
             for r in rows]
    return AgendaOut(structure_id=structure.id, start=start, end=end, slots=items,
                     truncated=len(rows) >= agenda.MAX_AGENDA_SLOTS)


# ---------------------------------------------------------------- calendar feeds


def _feed_out(feed) -> FeedOut:
    return FeedOut(id=feed.id, label=feed.label, created_at=feed.created_at, last_used_at=feed.last_used_at,
                   revoked=feed.revoked_at is not None)


@router.get("/structures/{structure_id}/calendar-feeds", response_model=list[FeedOut],
            summary="Agendas partagés (adresses iCalendar secrètes)")
async def list_feeds(structure_id: int, principal: PrincipalDep, session: SessionDep) -> list[FeedOut]:
    structure = await access.structure_for(session, structure_id)
    permissions.ensure_can_edit(principal, structure)
    return [_feed_out(f) for f in await feeds.list_feeds(session, structure.id)]


@router.post("/structures/{structure_id}/calendar-feeds", response_model=FeedCreated,
             status_code=status.HTTP_201_CREATED, summary="Créer une adresse d'agenda partagé")
async def create_feed(structure_id: int, body: FeedIn, principal: PrincipalDep, session: SessionDep) -> FeedCreated:
    structure = await access.structure_for(session, structure_id)
    permissions.ensure_can_edit(principal, structure)
    feed, token = await feeds.create_feed(session, structure, body.label, principal.user_id)
    return FeedCreated(**_feed_out(feed).model_dump(), url=feeds.feed_url(token))


@router.delete("/calendar-feeds/{feed_id}", response_model=FeedOut, summary="Révoquer un agenda partagé")
async def revoke_feed(feed_id: int, principal: PrincipalDep, session: SessionDep) -> FeedOut:
    feed = await feeds.get_feed(session, feed_id)
    permissions.ensure_can_edit(principal, await access.structure_for(session, feed.structure_id))
    return _feed_out(await feeds.revoke(session, feed))
