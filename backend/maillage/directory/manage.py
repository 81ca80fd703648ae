"""Editing listings: structures and their services, their publication states, and the
network's outdated listings. No HTTP here; the caller authorises and commits."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import JSON, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.audit.service import record
from maillage.db import utcnow
from maillage.directory.freshness import outdated
from maillage.directory.models import Network, Service, ServiceStatus, Structure
from maillage.directory.service import (
    SERVICE_FIELDS,
    STRUCTURE_FIELDS,
    apply_fields,
    fill_search_text,
    replace_tags,
)
from maillage.errors import Conflict, InvalidInput, NotFound
from maillage.pagination import PageParams

# Which action moves a service from which status to which (anything else is a 409).
TRANSITIONS: dict[str, dict[ServiceStatus, ServiceStatus]] = {
    "publish": {ServiceStatus.DRAFT: ServiceStatus.PUBLISHED, ServiceStatus.SUSPENDED: ServiceStatus.PUBLISHED},
    "unpublish": {ServiceStatus.PUBLISHED: ServiceStatus.DRAFT, ServiceStatus.SUSPENDED: ServiceStatus.DRAFT},
    "suspend": {ServiceStatus.PUBLISHED: ServiceStatus.SUSPENDED, ServiceStatus.SUSPENDED: ServiceStatus.SUSPENDED},
    "archive": {s: ServiceStatus.ARCHIVED for s in (ServiceStatus.DRAFT, ServiceStatus.PUBLISHED, ServiceStatus.SUSPENDED)},
    "restore": {ServiceStatus.ARCHIVED: ServiceStatus.DRAFT},
}
ACTION_LABELS = {
    "publish": "publié", "unpublish": "repassé en brouillon", "suspend": "suspendu",
    "archive": "archivé", "restore": "restauré en brouillon",
}
STATUS_LABELS = {
    ServiceStatus.DRAFT: "brouillon", ServiceStatus.PUBLISHED: "publié",
    ServiceStatus.SUSPENDED: "suspendu", ServiceStatus.ARCHIVED: "archivé",
}
EDITABLE_SERVICE_FIELDS = [f for f in SERVICE_FIELDS if f not in ("status", "suspended_until")]


async def get_structure(session: AsyncSession, structure_id: int) -> tuple[Structure, str]:
    row = (await session.execute(
        select(Structure, Network.slug).join(Network, Network.id == Structure.network_id)
        .where(Structure.id == structure_id)
    )).first()
    if row is None:
        raise NotFound("Cette structure n'existe pas.")
    return row[0], row[1]


async def get_service(session: AsyncSession, service_id: int) -> tuple[Service, Structure, str]:
    row = (await session.execute(
        select(Service, Structure, Network.slug)
        .join(Structure, Structure.id == Service.structure_id)
        .join(Network, Network.id == Service.network_id)
        .where(Service.id == service_id)
    )).first()
    if row is None:
        raise NotFound("Ce service n'existe pas.")
    return row[0], row[1], row[2]


async def structure_services(session: AsyncSession, structure_id: int) -> list[Service]:
    return list(await session.scalars(
        select(Service).where(Service.structure_id == structure_id).order_by(Service.status, Service.nom)
    ))


def _refuse_emptying(model: type, values: dict[str, Any]) -> None:
    """An edit may clear optional fields (null), not required ones: a 422 rather than the
    database's NOT NULL error (a 500). Lists are fine: null becomes an empty list."""
    columns = model.__table__.c
    required = sorted(k for k, v in values.items()
                      if v is None and k in columns and not columns[k].nullable
                      and not isinstance(columns[k].type, JSON))
    if required:
        raise InvalidInput(f"Ces champs ne peuvent pas être vidés : {', '.join(required)}.")


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if v is not None and k in ("site_web", "accessibilite_lieu", "lien_mobilisation") else v)
            for k, v in values.items()}


async def update_structure(session: AsyncSession, structure: Structure, values: dict[str, Any], actor_id: int | None) -> None:
    _refuse_emptying(Structure, values)
    renamed = "nom" in values and values["nom"] != structure.nom
    apply_fields(structure, STRUCTURE_FIELDS, _plain(values))
    structure.updated_at = utcnow()
    if renamed:
        for service in await structure_services(session, structure.id):
            fill_search_text(service, structure)
    await record(session, "fiche_structure_modifiee", f"Fiche de {structure.nom} modifiée",
                 actor_id=actor_id, network_id=structure.network_id, target_type="structure",
                 target_id=structure.id, champs=sorted(values))


async def create_service(session: AsyncSession, structure: Structure, values: dict[str, Any], actor_id: int | None) -> Service:
    service = Service(
        network_id=structure.network_id, structure_id=structure.id, external_id=f"maillage--{uuid.uuid4().hex[:16]}",
        status=ServiceStatus.DRAFT,
    )
    _refuse_emptying(Service, values)
    session.add(service)
    apply_fields(service, EDITABLE_SERVICE_FIELDS, _plain(values))
    service.updated_at = utcnow()
    fill_search_text(service, structure)
    await session.flush()
    await replace_tags(session, service)
    await record(session, "service_cree", f"Service « {service.nom} » créé (brouillon) pour {structure.nom}",
                 actor_id=actor_id, network_id=structure.network_id, target_type="service", target_id=service.id)
    return service


def missing_for_publication(service: Service) -> list[str]:
    """What a counsellor needs before the service can be published (French labels)."""
    missing = []
    if len((service.description or "").strip()) < 20:
        missing.append("une description (au moins 20 caractères)")
    if service.accepts_referrals and not service.referral_emails:
        missing.append("l'adresse qui reçoit les orientations")
    if not service.accepts_referrals and not (service.courriel or service.telephone or service.lien_mobilisation):
        missing.append("un contact pour orienter (courriel, téléphone ou lien)")
    if not service.modes_accueil:
        missing.append("le mode d'accueil (sur place ou à distance)")
    elif "en-presentiel" in service.modes_accueil and not (service.adresse and service.commune):
        missing.append("l'adresse du lieu d'accueil")
    if not service.thematiques:
        missing.append("au moins une thématique")
    if not service.publics:
        missing.append("au moins un public")
    return missing


def _ensure_publishable(service: Service) -> None:
    missing = missing_for_publication(service)
    if missing:
        raise InvalidInput("Publication impossible, il manque : " + ", ".join(missing) + ".")


async def update_service(session: AsyncSession, service: Service, structure: Structure, values: dict[str, Any],
                         actor_id: int | None) -> None:
    _refuse_emptying(Service, values)
    apply_fields(service, EDITABLE_SERVICE_FIELDS, _plain(values))
    if service.status in (ServiceStatus.PUBLISHED, ServiceStatus.SUSPENDED):
        _ensure_publishable(service)
    service.updated_at = utcnow()
    fill_search_text(service, structure)
    await session.flush()
    await replace_tags(session, service)
    await record(session, "service_modifie", f"Service « {service.nom} » modifié", actor_id=actor_id,
                 network_id=service.network_id, target_type="service", target_id=service.id, champs=sorted(values))


async def transition(session: AsyncSession, service: Service, action: str, actor_id: int | None,
                     until: date | None = None) -> None:
    """Move a service to another publication status. The UPDATE is conditional on the
    status read, so two concurrent transitions cannot both apply (the loser gets a 409)."""
    current = ServiceStatus(service.status)
    target = TRANSITIONS[action].get(current)
    if target is None:
        raise Conflict(f"Un service {STATUS_LABELS[current]} ne peut pas être {ACTION_LABELS[action]}.")
    if action == "publish":
        _ensure_publishable(service)
    if action == "suspend" and (until is None or until <= date.today()):
        raise InvalidInput("La date de reprise d'une suspension doit être dans le futur.")
    now = utcnow()
    result = await session.execute(
        update(Service).where(Service.id == service.id, Service.status == current)
        .values(status=target, suspended_until=until if action == "suspend" else None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("Ce service vient d'être modifié par quelqu'un d'autre : rechargez la page.")
    await session.refresh(service)
    summary = f"Service « {service.nom} » {ACTION_LABELS[action]}"
    if until:
        summary += f" jusqu'au {until.strftime('%d/%m/%Y')}"
    await record(session, f"service_{action}", summary, actor_id=actor_id, network_id=service.network_id,
                 target_type="service", target_id=service.id)


async def confirm_up_to_date(session: AsyncSession, service: Service, actor_id: int | None) -> None:
    service.updated_at = utcnow()
    await record(session, "service_confirme", f"Service « {service.nom} » confirmé à jour", actor_id=actor_id,
                 network_id=service.network_id, target_type="service", target_id=service.id)


async def list_outdated(session: AsyncSession, network_id: int, page: PageParams) -> tuple[list[tuple[Service, str]], int]:
    conditions = [Service.network_id == network_id, Service.status == ServiceStatus.PUBLISHED, outdated(utcnow())]
    total = await session.scalar(select(func.count()).select_from(Service).where(*conditions)) or 0
    rows = await session.execute(
        select(Service, Structure.nom).join(Structure, Structure.id == Service.structure_id)
        .where(*conditions).order_by(Service.updated_at, Service.id).offset(page.offset).limit(page.page_size)
    )
    return [tuple(r) for r in rows.all()], total


async def resume_suspended(session: AsyncSession, today: date | None = None) -> int:
    """Suspensions end by themselves on their date (job)."""
    result = await session.execute(
        update(Service)
        .where(Service.status == ServiceStatus.SUSPENDED, Service.suspended_until <= (today or date.today()))
        .values(status=ServiceStatus.PUBLISHED, suspended_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
