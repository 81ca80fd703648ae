"""Import of data·inclusion v1 files (``structures.json``, ``services.json``) into a
network: valid rows are upserted, invalid ones reported and skipped."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path

from data_inclusion.schema import v1 as di
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.directory.models import Network, ServiceStatus, Structure
from maillage.directory.service import upsert_service, upsert_structure
from maillage.errors import validation_detail

Progress = Callable[[str, int], None]


@dataclass
class Rejection:
    file: str
    row: int
    id: str | None
    reason: str


@dataclass
class ImportReport:
    structures: int = 0
    services: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def as_text(self) -> str:
        lines = [
            f"{self.structures} structure(s) et {self.services} service(s) importés, "
            f"{len(self.rejected)} ligne(s) rejetée(s)."
        ]
        lines += [f"- {r.file} ligne {r.row} ({r.id or 'sans id'}) : {r.reason}" for r in self.rejected]
        return "\n".join(lines)


def read_rows(path: Path) -> list:
    if not path.exists():
        return []
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name} n'est pas un fichier JSON valide : {exc}") from exc
    if not isinstance(rows, list):
        raise ValueError(f"{path.name} doit contenir une liste d'objets.")
    return rows


def _as_datetime(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def _reason(exc: ValidationError) -> str:
    return validation_detail(list(exc.errors()))[0].removeprefix("Paramètres invalides : ")


def _plain(model, exclude: set[str]) -> dict:
    return model.model_dump(mode="json", exclude=exclude)


async def import_directory(
    session: AsyncSession, network: Network, directory: Path, progress: Progress | None = None
) -> ImportReport:
    report = ImportReport()
    structure_rows = read_rows(directory / "structures.json")
    service_rows = read_rows(directory / "services.json")
    if not structure_rows and not service_rows:
        raise ValueError(f"Ni structures.json ni services.json dans {directory}.")

    for index, raw in enumerate(structure_rows, start=1):
        try:
            item = di.Structure.model_validate(raw)
        except ValidationError as exc:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            report.rejected.append(Rejection("structures.json", index, raw_id, _reason(exc)))
        else:
            await upsert_structure(
                session, network, item.id, _plain(item, {"source", "id", "date_maj"}),
                source=item.source, updated_at=_as_datetime(item.date_maj),
            )
            report.structures += 1
        if progress:
            progress("structures", index)

    known = dict(
        (await session.execute(
            select(Structure.external_id, Structure.id).where(Structure.network_id == network.id)
        )).all()
    )
    structures_by_id: dict[int, Structure] = {}
    for index, raw in enumerate(service_rows, start=1):
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        try:
            item = di.Service.model_validate(raw)
        except ValidationError as exc:
            report.rejected.append(Rejection("services.json", index, raw_id, _reason(exc)))
        else:
            structure_id = known.get(item.structure_id)
            if structure_id is None:
                report.rejected.append(Rejection(
                    "services.json", index, raw_id,
                    f"structure_id « {item.structure_id} » inconnue dans ce réseau",
                ))
            else:
                if structure_id not in structures_by_id:
                    structures_by_id[structure_id] = await session.get(Structure, structure_id)
                data = _plain(item, {"source", "id", "date_maj", "structure_id"})
                data["status"] = ServiceStatus.PUBLISHED
                await upsert_service(
                    session, structures_by_id[structure_id], item.id, data,
                    source=item.source, updated_at=_as_datetime(item.date_maj),
                )
                report.services += 1
        if progress:
            progress("services", index)
    return report
