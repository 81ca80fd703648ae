"""Editing listings: structure admins and network animators keep them up to date."""


from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.accounts.deps import PrincipalDep
from maillage.accounts.principal import Principal
from maillage.db import SessionDep
from maillage.directory import manage
from maillage.directory.cards import service_card
from maillage.directory.manage_schemas import (
    ServiceCreate,
    ServiceEdit,
    ServiceManage,
    StructureEdit,
    StructureManage,
    SuspendIn,
)
from maillage.directory.models import Service, Structure
from maillage.directory.schemas import ServiceCard
from maillage.directory.service import STRUCTURE_FIELDS, get_network
from maillage.pagination import Page, PageDep
from maillage.permissions import (
    can_edit,
    ensure_animator,
    ensure_can_edit,
    ensure_member,
)

router = APIRouter(prefix="/manage", tags=["gestion des fiches"])


def _service_manage(service: Service, structure: Structure, network: str, principal: Principal) -> ServiceManage:
    card = service_card(service, structure.nom, network)
    return ServiceManage(
        **card.model_dump(),
        status=service.status,
        suspended_until=service.suspended_until,
        missing_for_publication=manage.missing_for_publication(service),
        referral_emails=service.referral_emails or [],
        update_frequency_months=service.update_frequency_months,
        created_at=service.created_at,
        can_edit=can_edit(principal, structure),
        fields={f: getattr(service, f) for f in manage.EDITABLE_SERVICE_FIELDS},
    )


async def _structure_manage(session: AsyncSession, structure: Structure, network: str,
                            principal: Principal) -> StructureManage:
    services = await manage.structure_services(session, structure.id)
    return StructureManage(
        id=structure.id, network=network, can_edit=can_edit(principal, structure),
        fields={f: getattr(structure, f) for f in STRUCTURE_FIELDS}, updated_at=structure.updated_at,
        services=[_service_manage(s, structure, network, principal) for s in services],
    )


@router.get("/structures/{structure_id}", response_model=StructureManage, summary="Fiche à gérer (tous les services)")
async def get_structure(structure_id: int, principal: PrincipalDep, session: SessionDep) -> StructureManage:
    structure, network = await manage.get_structure(session, structure_id)
    ensure_member(principal, structure)
    return await _structure_manage(session, structure, network, principal)


@router.patch("/structures/{structure_id}", response_model=StructureManage, summary="Modifier la fiche structure")
async def edit_structure(structure_id: int, body: StructureEdit, principal: PrincipalDep,
                         session: SessionDep) -> StructureManage:
    structure, network = await manage.get_structure(session, structure_id)
    ensure_can_edit(principal, structure)
    await manage.update_structure(session, structure, body.model_dump(exclude_unset=True), principal.user_id)
    return await _structure_manage(session, structure, network, principal)


@router.post("/structures/{structure_id}/services", response_model=ServiceManage, status_code=201,
             summary="Créer un service (brouillon)")
async def create_service(structure_id: int, body: ServiceCreate, principal: PrincipalDep,
                         session: SessionDep) -> ServiceManage:
    structure, network = await manage.get_structure(session, structure_id)
    ensure_can_edit(principal, structure)
    service = await manage.create_service(session, structure, body.model_dump(exclude_unset=True), principal.user_id)
    return _service_manage(service, structure, network, principal)


@router.get("/services/{service_id}", response_model=ServiceManage, summary="Service à gérer")
async def get_service(service_id: int, principal: PrincipalDep, session: SessionDep) -> ServiceManage:
    service, structure, network = await manage.get_service(session, service_id)
    ensure_member(principal, structure)
    return _service_manage(service, structure, network, principal)


@router.patch("/services/{service_id}", response_model=ServiceManage, summary="Modifier un service")
async def edit_service(service_id: int, body: ServiceEdit, principal: PrincipalDep,
                       session: SessionDep) -> ServiceManage:
    service, structure, network = await manage.get_service(session, service_id)
    ensure_can_edit(principal, structure)
    await manage.update_service(session, service, structure, body.model_dump(exclude_unset=True), principal.user_id)
    return _service_manage(service, structure, network, principal)


async def _transition(service_id: int, action: str, principal: Principal, session: AsyncSession,
                      until=None) -> ServiceManage:
    service, structure, network = await manage.get_service(session, service_id)
    ensure_can_edit(principal, structure)
    await manage.transition(session, service, action, principal.user_id, until)
    return _service_manage(service, structure, network, principal)


@router.post("/services/{service_id}/publish", response_model=ServiceManage, summary="Publier")
async def publish(service_id: int, principal: PrincipalDep, session: SessionDep) -> ServiceManage:
    return await _transition(service_id, "publish", principal, session)


@router.post("/services/{service_id}/unpublish", response_model=ServiceManage, summary="Repasser en brouillon")
async def unpublish(service_id: int, principal: PrincipalDep, session: SessionDep) -> ServiceManage:
    return await _transition(service_id, "unpublish", principal, session)


@router.post("/services/{service_id}/suspend", response_model=ServiceManage, summary="Suspendre jusqu'à une date")
async def suspend(service_id: int, body: SuspendIn, principal: PrincipalDep, session: SessionDep) -> ServiceManage:
    return await _transition(service_id, "suspend", principal, session, body.until)


@router.post("/services/{service_id}/archive", response_model=ServiceManage, summary="Archiver")
async def archive(service_id: int, principal: PrincipalDep, session: SessionDep) -> ServiceManage:
    return await _transition(service_id, "archive", principal, session)


@router.post("/services/{service_id}/restore", response_model=ServiceManage, summary="Restaurer (brouillon)")
async def restore(service_id: int, principal: PrincipalDep, session: SessionDep) -> ServiceManage:
    return await _transition(service_id, "restore", principal, session)


@router.post("/services/{service_id}/confirm", response_model=ServiceManage, summary="Confirmer que la fiche est à jour")
async def confirm(service_id: int, principal: PrincipalDep, session: SessionDep) -> ServiceManage:
    service, structure, network = await manage.get_service(session, service_id)
    ensure_can_edit(principal, structure)
    await manage.confirm_up_to_date(session, service, principal.user_id)
    return _service_manage(service, structure, network, principal)


@router.get("/networks/{slug}/outdated-services", response_model=Page[ServiceCard],
            summary="Services du réseau à mettre à jour (animateurs)")
async def outdated_services(slug: str, principal: PrincipalDep, session: SessionDep, page: PageDep) -> Page[ServiceCard]:
    network = await get_network(session, slug)
    ensure_animator(principal, network.id)
    rows, total = await manage.list_outdated(session, network.id, page)
    return Page[ServiceCard].of([service_card(s, nom, slug) for s, nom in rows], total, page)
