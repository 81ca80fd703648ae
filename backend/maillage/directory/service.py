"""Directory domain logic: reads of the public directory and the writes shared by
the demo seed and the data·inclusion import. No HTTP here; the caller commits."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.db import utcnow
from maillage.directory import referentials as ref
from maillage.directory.models import (
    Network,
    Service,
    ServiceStatus,
    ServiceTag,
    Structure,
    StructureStatus,
    TagKind,
)
from maillage.directory.text import normalise
from maillage.errors import InvalidInput, NotFound
from maillage.pagination import PageParams

PUBLIC_SERVICE_STATUSES = (ServiceStatus.PUBLISHED, ServiceStatus.SUSPENDED)


# ---------------------------------------------------------------- networks


async def _published_per_network(session: AsyncSession, model: type[Structure] | type[Service]) -> dict[int, int]:
    published = StructureStatus.PUBLISHED if model is Structure else ServiceStatus.PUBLISHED
    rows = await session.execute(
        select(model.network_id, func.count()).where(model.status == published).group_by(model.network_id)
    )
    return dict(rows.all())


async def list_networks(session: AsyncSession) -> list[tuple[Network, int, int]]:
    """Networks with their published structure and service counts (3 queries, no N+1)."""
    networks = (await session.scalars(select(Network).order_by(Network.name))).all()
    structures = await _published_per_network(session, Structure)
    services = await _published_per_network(session, Service)
    return [(n, structures.get(n.id, 0), services.get(n.id, 0)) for n in networks]


async def get_network(session: AsyncSession, slug: str) -> Network:
    network = await session.scalar(select(Network).where(Network.slug == slug))
    if network is None:
        raise NotFound(f"Le réseau « {slug} » n'existe pas.")
    return network


async def network_id_for_filter(session: AsyncSession, slug: str | None) -> int | None:
    """The id of the network named in a query parameter (422 when it does not exist)."""
    if slug is None:
        return None
    network_id = await session.scalar(select(Network.id).where(Network.slug == slug))
    if network_id is None:
        raise InvalidInput(f"Paramètres invalides : network « {slug} » n'est pas un réseau connu.")
    return network_id


# ---------------------------------------------------------------- structures


async def list_structures(
    session: AsyncSession, page: PageParams, network_slug: str | None, q: str | None
) -> tuple[list[tuple[Structure, str, int]], int]:
    network_id = await network_id_for_filter(session, network_slug)
    conditions = [Structure.status == StructureStatus.PUBLISHED]
    if network_id is not None:
        conditions.append(Structure.network_id == network_id)
    if q:
        conditions.append(func.lower(Structure.nom).contains(q.strip().lower()))
    total = await session.scalar(select(func.count()).select_from(Structure).where(*conditions))
    services_count = (
        select(func.count())
        .where(Service.structure_id == Structure.id, Service.status == ServiceStatus.PUBLISHED)
        .correlate(Structure)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Structure, Network.slug, services_count)
        .join(Network, Network.id == Structure.network_id)
        .where(*conditions)
        .order_by(Structure.nom, Structure.id)
        .offset(page.offset)
        .limit(page.page_size)
    )
    return [tuple(r) for r in rows], total or 0


async def get_structure(session: AsyncSession, structure_id: int) -> tuple[Structure, str, list[Service]]:
    row = (
        await session.execute(
            select(Structure, Network.slug)
            .join(Network, Network.id == Structure.network_id)
            .where(Structure.id == structure_id, Structure.status == StructureStatus.PUBLISHED)
        )
    ).first()
    if row is None:
        raise NotFound("Cette structure n'existe pas ou n'est pas publiée.")
    services = (
        await session.scalars(
            select(Service)
            .where(Service.structure_id == structure_id, Service.status.in_(PUBLIC_SERVICE_STATUSES))
            .order_by(Service.nom)
        )
    ).all()
    return row[0], row[1], list(services)


# ---------------------------------------------------------------- services


async def list_services(
    session: AsyncSession, page: PageParams, network_slug: str | None, structure_id: int | None
) -> tuple[list[tuple[Service, str, str]], int]:
    network_id = await network_id_for_filter(session, network_slug)
    conditions = [Service.status == ServiceStatus.PUBLISHED]
    if network_id is not None:
        conditions.append(Service.network_id == network_id)
    if structure_id is not None:
        conditions.append(Service.structure_id == structure_id)
    total = await session.scalar(select(func.count()).select_from(Service).where(*conditions))
    rows = await session.execute(
        select(Service, Structure.nom, Network.slug)
        .join(Structure, Structure.id == Service.structure_id)
        .join(Network, Network.id == Service.network_id)
        .where(*conditions)
        .order_by(Service.nom, Service.id)
        .offset(page.offset)
        .limit(page.page_size)
    )
    return [tuple(r) for r in rows], total or 0


async def get_service(session: AsyncSession, service_id: int) -> tuple[Service, Structure, str]:
    row = (
        await session.execute(
            select(Service, Structure, Network.slug)
            .join(Structure, Structure.id == Service.structure_id)
            .join(Network, Network.id == Service.network_id)
            .where(
                Service.id == service_id,
                Service.status.in_(PUBLIC_SERVICE_STATUSES),
                Structure.status == StructureStatus.PUBLISHED,
            )
        )
    ).first()
    if row is None:
        raise NotFound("Ce service n'existe pas ou n'est pas publié.")
    return row[0], row[1], row[2]


# ---------------------------------------------------------------- writes

STRUCTURE_FIELDS = (
    "nom description siret commune code_postal code_insee adresse complement_adresse latitude "
    "longitude telephone courriel site_web lien_source horaires_accueil accessibilite_lieu "
    "reseaux_porteurs"
).split()

SERVICE_FIELDS = (
    "nom description type thematiques frais frais_precisions publics publics_precisions "
    "conditions_acces commune code_postal code_insee adresse complement_adresse latitude longitude "
    "telephone courriel modes_accueil zone_eligibilite contact_nom_prenom lien_mobilisation "
    "modes_mobilisation mobilisable_par mobilisation_precisions volume_horaire_hebdomadaire "
    "nombre_semaines horaires_accueil lien_source accepts_referrals referral_emails "
    "update_frequency_months publishes_slots status suspended_until"
).split()

_LIST_FIELDS = {"reseaux_porteurs", "thematiques", "publics", "modes_accueil", "modes_mobilisation",
                "mobilisable_par", "referral_emails"}


def apply_fields(obj: Any, fields: list[str], data: Mapping[str, Any]) -> None:
    for name in fields:
        if name in data:
            value = data[name]
            if name in _LIST_FIELDS:
                value = sorted({str(v) for v in value or []})
            setattr(obj, name, value)


async def upsert_structure(
    session: AsyncSession, network: Network, external_id: str, data: Mapping[str, Any],
    *, source: str = "maillage", updated_at: datetime | None = None,
) -> Structure:
    structure = await session.scalar(
        select(Structure).where(Structure.network_id == network.id, Structure.external_id == external_id)
    )
    if structure is None:
        structure = Structure(network_id=network.id, external_id=external_id, source=source)
        session.add(structure)
    apply_fields(structure, STRUCTURE_FIELDS, data)
    structure.updated_at = updated_at or utcnow()
    await session.flush()
    return structure


async def upsert_service(
    session: AsyncSession, structure: Structure, external_id: str, data: Mapping[str, Any],
    *, source: str = "maillage", updated_at: datetime | None = None,
) -> Service:
    service = await session.scalar(
        select(Service).where(
            Service.network_id == structure.network_id, Service.external_id == external_id
        )
    )
    if service is None:
        service = Service(network_id=structure.network_id, external_id=external_id, source=source)
        session.add(service)
    service.structure_id = structure.id
    apply_fields(service, SERVICE_FIELDS, data)
    service.updated_at = updated_at or utcnow()
    fill_search_text(service, structure)
    await session.flush()
    await replace_tags(session, service)
    return service


def fill_search_text(service: Service, structure: Structure) -> None:
    """What full-text search matches: the name weighs most, then description,
    thématique labels, publics, the structure's name and the commune."""
    labels = [ref.label(ref.THEMATIQUES, t) for t in service.thematiques or []]
    labels += [ref.label(ref.CATEGORIES, ref.categorie_of(t)) for t in service.thematiques or []]
    labels += [ref.label(ref.PUBLICS, p) for p in service.publics or []]
    service.search_name = normalise(service.nom)
    service.search_body = normalise(
        service.description, " ".join(filter(None, labels)), structure.nom, service.commune
    )


def service_tags(service: Service) -> set[tuple[str, str]]:
    tags = {(TagKind.THEMATIQUE, t) for t in service.thematiques or []}
    tags |= {(TagKind.CATEGORIE, ref.categorie_of(t)) for t in service.thematiques or []}
    tags |= {(TagKind.PUBLIC, p) for p in service.publics or []}
    tags |= {(TagKind.MODE_ACCUEIL, m) for m in service.modes_accueil or []}
    return tags


async def replace_tags(session: AsyncSession, service: Service) -> None:
    await session.execute(delete(ServiceTag).where(ServiceTag.service_id == service.id))
    rows = [{"service_id": service.id, "kind": str(k), "code": c} for k, c in sorted(service_tags(service))]
    if rows:
        await session.execute(insert(ServiceTag), rows)
