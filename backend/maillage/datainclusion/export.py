"""The directory in the data·inclusion v1 format (``Structure`` / ``Service`` of
``data-inclusion-schema``), for the API and for ``maillage export data-inclusion``."""

from collections.abc import AsyncIterator

from data_inclusion.schema import v1 as di
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.directory.models import Service, ServiceStatus, Structure, StructureStatus
from maillage.directory.service import STRUCTURE_FIELDS, network_id_for_filter

DI_SERVICE_FIELDS = tuple(
    name for name in di.Service.model_fields if name not in ("source", "structure_id", "id", "date_maj")
)
DI_STRUCTURE_FIELDS = tuple(f for f in STRUCTURE_FIELDS if f in di.Structure.model_fields)


def _clean(value):
    return value if value not in ([], "") else None


def structure_to_di(structure: Structure) -> di.Structure:
    data = {name: _clean(getattr(structure, name)) for name in DI_STRUCTURE_FIELDS}
    return di.Structure(
        source=structure.source, id=structure.external_id, date_maj=structure.updated_at.date(), **data
    )


def service_to_di(service: Service, structure_external_id: str) -> di.Service:
    data = {name: _clean(getattr(service, name, None)) for name in DI_SERVICE_FIELDS}
    return di.Service(
        source=service.source,
        structure_id=structure_external_id,
        id=service.external_id,
        date_maj=service.updated_at.date(),
        **data,
    )


def _published(model: type[Structure] | type[Service], network_id: int | None) -> list:
    published = StructureStatus.PUBLISHED if model is Structure else ServiceStatus.PUBLISHED
    conditions = [model.status == published]
    if network_id is not None:
        conditions.append(model.network_id == network_id)
    return conditions


async def structures_page(
    session: AsyncSession, network: str | None, offset: int, limit: int
) -> tuple[list[di.Structure], int]:
    conditions = _published(Structure, await network_id_for_filter(session, network))
    total = await session.scalar(select(func.count()).select_from(Structure).where(*conditions)) or 0
    rows = await session.scalars(
        select(Structure).where(*conditions).order_by(Structure.id).offset(offset).limit(limit)
    )
    return [structure_to_di(s) for s in rows], total


async def services_page(
    session: AsyncSession, network: str | None, offset: int, limit: int
) -> tuple[list[di.Service], int]:
    conditions = _published(Service, await network_id_for_filter(session, network))
    total = await session.scalar(select(func.count()).select_from(Service).where(*conditions)) or 0
    rows = await session.execute(
        select(Service, Structure.external_id)
        .join(Structure, Structure.id == Service.structure_id)
        .where(*conditions)
        .order_by(Service.id)
        .offset(offset)
        .limit(limit)
    )
    return [service_to_di(s, sid) for s, sid in rows], total


async def iter_all(session: AsyncSession, kind: str, network: str | None, batch: int = 1000) -> AsyncIterator:
    """Every published structure or service, batch by batch (for the CLI export)."""
    fetch = structures_page if kind == "structures" else services_page
    offset = 0
    while True:
        items, _total = await fetch(session, network, offset, batch)
        for item in items:
            yield item
        if len(items) < batch:
            return
        offset += batch
