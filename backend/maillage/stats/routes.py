"""Network indicators: the Pilotage page (animators), a structure's or a service's
indicators (its members), the CSV exports and the definitions."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import select

from maillage.accounts.deps import PrincipalDep
from maillage.accounts.principal import Principal
from maillage.db import SessionDep
from maillage.directory.models import Network, Service, Structure
from maillage.directory.service import get_network
from maillage.errors import NotFound
from maillage.permissions import ensure_animator, ensure_member, signed_in
from maillage.stats import service
from maillage.stats.refresh import refresh
from maillage.stats.schemas import (
    Definitions,
    ScopeChoices,
    ScopeKind,
    ScopeService,
    ScopeStructure,
    StatsReport,
)

router = APIRouter(prefix="/stats", tags=["indicateurs"])

ScopeQuery = Annotated[ScopeKind, Query(description="network (le réseau), received / sent (orientations reçues / "
                                                    "envoyées par une structure), service")]
ScopeIdQuery = Annotated[int | None, Query(description="La structure (received, sent) ou le service")]
StartQuery = Annotated[str | None, Query(description="Premier mois (AAAA-MM) ; par défaut 11 mois avant la fin")]
EndQuery = Annotated[str | None, Query(description="Dernier mois (AAAA-MM) ; par défaut le mois en cours")]


class RefreshOut(BaseModel):
    computed_at: str


async def _authorised_scope(session, principal: Principal, slug: str, kind: str,
                            scope_id: int | None) -> tuple[Network, service.Scope]:
    """The network's figures: its animators. A structure's or a service's: the
    structure's members (and the network's animators)."""
    signed_in(principal)
    network = await get_network(session, slug)
    if kind == "network":
        ensure_animator(principal, network.id)
        return network, await service.resolve_scope(session, network, kind, scope_id)
    scope = await service.resolve_scope(session, network, kind, scope_id)
    ensure_member(principal, scope.structure)
    return network, scope


def _refresh_minutes(request: Request) -> int:
    return request.app.state.settings.stats_refresh_minutes


@router.get("/networks/{slug}", response_model=StatsReport, summary="Indicateurs d'un réseau, d'une structure "
                                                                     "ou d'un service sur une période")
async def stats(slug: str, request: Request, principal: PrincipalDep, session: SessionDep,
                scope: ScopeQuery = "network", scope_id: ScopeIdQuery = None,
                start: StartQuery = None, end: EndQuery = None) -> StatsReport:
    network, resolved = await _authorised_scope(session, principal, slug, scope, scope_id)
    first, last = service.period(start, end)
    return await service.build(session, network, resolved, first, last, _refresh_minutes(request))


@router.get("/networks/{slug}/export/{table}.csv", summary="Export CSV d'un tableau d'indicateurs",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def export_csv(slug: str, table: str, request: Request, principal: PrincipalDep, session: SessionDep,
                     scope: ScopeQuery = "network", scope_id: ScopeIdQuery = None,
                     start: StartQuery = None, end: EndQuery = None) -> Response:
    network, resolved = await _authorised_scope(session, principal, slug, scope, scope_id)
    first, last = service.period(start, end)
    report = await service.build(session, network, resolved, first, last, _refresh_minutes(request))
    body = "\ufeff" + service.to_csv(report, table)
    name = f"maillage-{network.slug}-{resolved.kind}-{resolved.id}-{table}-{first}-{last}.csv"
    return Response(content=body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.get("/networks/{slug}/scopes", response_model=ScopeChoices, summary="Ce que la personne connectée peut "
                                                                              "consulter")
async def scopes(slug: str, principal: PrincipalDep, session: SessionDep) -> ScopeChoices:
    signed_in(principal)
    network = await get_network(session, slug)
    animator = principal.is_animator(network.id) or principal.is_platform_admin
    structures = select(Structure.id, Structure.nom).where(Structure.network_id == network.id)
    services = (select(Service.id, Service.nom, Service.structure_id)
                .where(Service.network_id == network.id, Service.status != "archived"))
    if not animator:
        mine = list(principal.memberships)
        structures = structures.where(Structure.id.in_(mine))
        services = services.where(Service.structure_id.in_(mine))
    structure_rows = (await session.execute(structures.order_by(Structure.nom))).all()
    if not animator and not structure_rows:
        raise NotFound("Vous n'êtes membre d'aucune structure de ce réseau.")
    return ScopeChoices(
        network=animator,
        structures=[ScopeStructure(id=i, nom=n) for i, n in structure_rows],
        services=[ScopeService(id=i, nom=n, structure_id=s)
                  for i, n, s in (await session.execute(services.order_by(Service.nom))).all()],
    )


@router.post("/networks/{slug}/refresh", response_model=RefreshOut, summary="Recalculer les indicateurs du réseau")
async def refresh_now(slug: str, principal: PrincipalDep, session: SessionDep) -> RefreshOut:
    network = await get_network(session, slug)
    ensure_animator(principal, network.id)
    run = await refresh(session, network)
    return RefreshOut(computed_at=run.finished_at.isoformat())


@router.get("/definitions", response_model=Definitions, summary="La définition de chaque indicateur")
async def definitions() -> Definitions:
    return service.definitions()
