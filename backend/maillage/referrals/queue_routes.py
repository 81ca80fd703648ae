"""The animators' queue of stalled referrals and people without solution."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.accounts.deps import PrincipalDep
from maillage.accounts.principal import Principal
from maillage.config import get_settings
from maillage.db import SessionDep, utcnow
from maillage.directory.models import Network
from maillage.directory.service import get_network
from maillage.pagination import Page, PageDep
from maillage.permissions import ensure_animator
from maillage.referrals import queue
from maillage.referrals.models import Referral
from maillage.referrals.queue_schemas import (
    CloseIn,
    NamedRef,
    PersonRef,
    ReconnectedIn,
    ReferralState,
    RemindIn,
    ReorientedState,
    ReorientIn,
    SnoozeIn,
    StalledItem,
    StalledPage,
    WithoutSolutionItem,
)
from maillage.referrals.stall import STALL_LABELS, StallRule, display_name

router = APIRouter(prefix="/manage/networks", tags=["orientations en souffrance"])


async def _animator_network(session, principal: Principal, slug: str) -> Network:
    network = await get_network(session, slug)
    ensure_animator(principal, network.id)
    return network


async def _state(session: AsyncSession, referral: Referral, network: Network) -> ReferralState:
    return ReferralState(
        referral_id=referral.id, status=referral.status, last_reached_at=referral.last_reached_at,
        last_event_at=referral.last_event_at, snoozed_until=referral.snoozed_until, outcome=referral.outcome,
        in_queue=await queue.in_queue(session, network, referral.id, utcnow()),
    )


@router.get("/{slug}/stalled", response_model=StalledPage, summary="Orientations en souffrance du réseau")
async def stalled(
    slug: str, principal: PrincipalDep, session: SessionDep, page: PageDep,
    rule: Annotated[StallRule | None, Query(description="Règle : no_answer, never_contacted, dormant")] = None,
    structure_id: Annotated[int | None, Query(description="Structure émettrice ou destinataire")] = None,
    min_age_days: Annotated[int | None, Query(ge=0, le=3650, description="Ancienneté minimale (jours)")] = None,
) -> StalledPage:
    network = await _animator_network(session, principal, slug)
    now = utcnow()
    found = await queue.list_stalled(session, network, page, rule=rule, structure_id=structure_id,
                                     min_age_days=min_age_days, now=now)
    items = [
        StalledItem(
            referral_id=r.referral.id, rule=r.rule, rule_label=STALL_LABELS[r.rule], age_days=(now - r.since).days,
            since=r.since, status=r.referral.status, sent_at=r.referral.sent_at,
            sender_structure=NamedRef(id=r.referral.sender_structure_id, nom=r.sender_nom),
            receiver_structure=NamedRef(id=r.referral.receiver_structure_id, nom=r.receiver_nom),
            service=NamedRef(id=r.referral.service_id, nom=r.service_nom),
            person=PersonRef(id=r.referral.person_id, display_name=display_name(r.person_first_name,
                                                                                 r.person_last_name)),
        )
        for r in found.rows
    ]
    shape = Page.of(items, found.total, page)
    capped = sorted(found.capped)
    return StalledPage(**shape.model_dump(exclude={"items"}), items=items, counts=found.counts,
                       count_limit=queue.COUNT_LIMIT, capped=capped,
                       total_capped=any(r in found.capped for r in ([rule] if rule else StallRule)))


@router.get("/{slug}/without-solution", response_model=Page[WithoutSolutionItem],
            summary="Personnes sans solution (orientées, aucune acceptée)")
async def without_solution(slug: str, principal: PrincipalDep, session: SessionDep,
                           page: PageDep) -> Page[WithoutSolutionItem]:
    network = await _animator_network(session, principal, slug)
    now = utcnow()
    rows, total = await queue.list_without_solution(session, network, page, now=now)
    items = [
        WithoutSolutionItem(
            person=PersonRef(id=r.person_id, display_name=display_name(r.first_name, r.last_name)),
            referrals=r.referrals, awaiting=r.awaiting, first_sent_at=r.first_sent_at, last_sent_at=r.last_sent_at,
            days_since_first=(now - r.first_sent_at).days,
        )
        for r in rows
    ]
    return Page.of(items, total, page)


async def _target(session, principal: Principal, slug: str, referral_id: int) -> tuple[Network, Referral]:
    network = await _animator_network(session, principal, slug)
    return network, await queue.get_referral(session, network, referral_id)


@router.post("/{slug}/stalled/{referral_id}/remind", response_model=ReferralState,
             summary="Relancer la structure destinataire")
async def remind(slug: str, referral_id: int, body: RemindIn, principal: PrincipalDep,
                 session: SessionDep) -> ReferralState:
    network, referral = await _target(session, principal, slug, referral_id)
    link = get_settings().public_url.rstrip("/") + f"/orientations/{referral.id}"
    await queue.remind(session, network, referral, principal.user, body.message, link)
    return await _state(session, referral, network)


@router.post("/{slug}/stalled/{referral_id}/reconnected", response_model=ReferralState,
             summary="Noter que la personne a été jointe (contact de l'animation)")
async def reconnected(slug: str, referral_id: int, body: ReconnectedIn, principal: PrincipalDep,
                      session: SessionDep) -> ReferralState:
    network, referral = await _target(session, principal, slug, referral_id)
    await queue.mark_reconnected(session, network, referral, principal.user, contacted_at=body.contacted_at,
                                 channel=body.channel, note=body.note)
    return await _state(session, referral, network)


@router.post("/{slug}/stalled/{referral_id}/snooze", response_model=ReferralState,
             summary="Mettre de côté jusqu'à une date")
async def snooze(slug: str, referral_id: int, body: SnoozeIn, principal: PrincipalDep,
                 session: SessionDep) -> ReferralState:
    network, referral = await _target(session, principal, slug, referral_id)
    await queue.snooze(session, network, referral, principal.user, body.until)
    return await _state(session, referral, network)


@router.post("/{slug}/stalled/{referral_id}/close", response_model=ReferralState,
             summary="Clôturer l'orientation (acceptée) avec sa sortie")
async def close(slug: str, referral_id: int, body: CloseIn, principal: PrincipalDep,
                session: SessionDep) -> ReferralState:
    network, referral = await _target(session, principal, slug, referral_id)
    await queue.close(session, network, referral, principal.user, outcome=body.outcome, detail=body.detail)
    return await _state(session, referral, network)


@router.post("/{slug}/stalled/{referral_id}/reorient", response_model=ReorientedState,
             summary="Réorienter la personne vers un autre service (l'orientation est clôturée)")
async def reorient(slug: str, referral_id: int, body: ReorientIn, principal: PrincipalDep,
                   session: SessionDep) -> ReorientedState:
    network, referral = await _target(session, principal, slug, referral_id)
    done = await queue.reorient(session, network, referral, principal.user, service_id=body.service_id,
                                motive=body.motive, message=body.message)
    return ReorientedState(**(await _state(session, done.old, network)).model_dump(), new_referral_id=done.new.id)
