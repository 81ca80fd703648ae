"""Bookings: on a referral (by either side), moved, cancelled, attendance; a counsellor's
"Mes RDV"; and a structure's calendar feed (public behind its secret address)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from maillage import permissions
from maillage.accounts.deps import PrincipalDep
from maillage.appointments import access, agenda, booking, feeds
from maillage.appointments.schemas import AttendanceIn, BookingIn, BookingOut, MoveIn, ReasonIn
from maillage.appointments.views import booking_out
from maillage.db import SessionDep
from maillage.errors import NotFound
from maillage.pagination import Page, PageDep
from maillage.referrals import access as referral_access

router = APIRouter(tags=["rendez-vous"])


async def _out(session, booking_id: int) -> BookingOut:
    return booking_out(await agenda.booking_row(session, booking_id))


@router.get("/referrals/{referral_id}/bookings", response_model=list[BookingOut],
            summary="Rendez-vous d'une orientation (le plus récent d'abord)")
async def referral_bookings(referral_id: int, principal: PrincipalDep, session: SessionDep) -> list[BookingOut]:
    referral, found = await referral_access.load(session, principal, referral_id)
    await referral_access.audit_read(session, principal, referral, found)
    return [booking_out(row) for row in await agenda.referral_bookings(session, referral.id)]


@router.post("/referrals/{referral_id}/bookings", response_model=BookingOut, status_code=status.HTTP_201_CREATED,
             summary="Prendre rendez-vous pour la personne orientée")
async def book(referral_id: int, body: BookingIn, principal: PrincipalDep, session: SessionDep) -> BookingOut:
    referral, found = await referral_access.load(session, principal, referral_id)
    slot = await booking.get_slot(session, body.slot_id)
    made = await booking.book(session, referral, slot, by_user_id=principal.user_id,
                              by_structure_id=access.acting_structure(found, referral),
                              by_receiver=found.receiver or found.animator, notify_person=body.notify_person,
                              note=body.note)
    return await _out(session, made.id)


@router.post("/bookings/{booking_id}/move", response_model=BookingOut, summary="Déplacer un rendez-vous")
async def move(booking_id: int, body: MoveIn, principal: PrincipalDep, session: SessionDep) -> BookingOut:
    current, referral, found = await access.booking_with_access(session, principal, booking_id)
    slot = await booking.get_slot(session, body.slot_id)
    moved = await booking.move(session, current, referral, slot, by_user_id=principal.user_id,
                               by_structure_id=access.acting_structure(found, referral),
                               by_receiver=found.receiver or found.animator)
    return await _out(session, moved.id)


@router.post("/bookings/{booking_id}/cancel", response_model=BookingOut, summary="Annuler un rendez-vous")
async def cancel(booking_id: int, body: ReasonIn, principal: PrincipalDep, session: SessionDep) -> BookingOut:
    current, referral, found = await access.booking_with_access(session, principal, booking_id)
    await booking.cancel(session, current, referral, reason=body.reason, by_user_id=principal.user_id,
                         by_structure_id=access.acting_structure(found, referral))
    return await _out(session, current.id)


@router.post("/bookings/{booking_id}/attendance", response_model=BookingOut,
             summary="Indiquer si la personne est venue, absente ou excusée")
async def attendance(booking_id: int, body: AttendanceIn, principal: PrincipalDep, session: SessionDep) -> BookingOut:
    current, referral, found = await access.booking_with_access(session, principal, booking_id)
    referral_access.ensure_receiver(found)
    await booking.mark_attendance(session, current, referral, body.status, by_user_id=principal.user_id,
                                  by_structure_id=access.acting_structure(found, referral))
    return await _out(session, current.id)


@router.get("/bookings/mine", response_model=Page[BookingOut], summary="Mes RDV : les rendez-vous que j'ai pris")
async def my_bookings(principal: PrincipalDep, session: SessionDep, page: PageDep,
                      past: Annotated[bool, Query(description="Les rendez-vous passés")] = False) -> Page[BookingOut]:
    permissions.user_signed_in(principal)
    rows, total = await agenda.my_bookings(session, principal.user_id, page, past=past)
    return Page.of([booking_out(r) for r in rows], total, page)


@router.get("/calendar/{token}.ics", summary="Agenda partagé d'une structure (iCalendar)",
            response_class=Response, responses={200: {"content": {"text/calendar": {}}}})
async def calendar_feed(token: str, session: SessionDep) -> Response:
    if not token.startswith(feeds.TOKEN_PREFIX):
        raise NotFound("Cet agenda partagé n'existe pas ou a été révoqué.")
    body = await feeds.render(session, token)
    return Response(content=body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=300", "X-Robots-Tag": "noindex"})
