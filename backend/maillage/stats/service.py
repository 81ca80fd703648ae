"""The indicators of a network, a structure or a service over a period of months: which
scope is asked for, the latest snapshot (computed here when the network has none), and
the protected report. No HTTP here; the caller authorises (``access``) and commits."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.db import PARIS, utcnow
from maillage.directory.models import Network, Service, Structure
from maillage.errors import InvalidInput, NotFound
from maillage.stats import report
from maillage.stats.definitions import BY_KEY, INDICATORS, PRIVACY, SECTIONS
from maillage.stats.models import StatsRun
from maillage.stats.protect import THRESHOLD
from maillage.stats.refresh import refresh
from maillage.stats.schemas import Definition, Definitions, ScopeOut, StatsReport, Table

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_MONTHS = 60
FIGURES_TABLE = "chiffres-cles"
REFRESH_LOCK = 7_301   # the advisory lock class of the snapshot refresh (the second key is the network)


@dataclass(frozen=True)
class Scope:
    kind: str
    id: int
    label: str
    structure: Structure | None = None   # the structure whose members may read it (None: the network)


async def resolve_scope(session: AsyncSession, network: Network, kind: str, scope_id: int | None) -> Scope:
    if kind == "network":
        return Scope("network", 0, network.name)
    if scope_id is None:
        raise InvalidInput("Précisez la structure ou le service (scope_id).")
    if kind in ("received", "sent"):
        structure = await session.scalar(select(Structure).where(Structure.id == scope_id,
                                                                 Structure.network_id == network.id))
        if structure is None:
            raise NotFound("Cette structure n'existe pas dans ce réseau.")
        verb = "reçues" if kind == "received" else "envoyées"
        return Scope(kind, structure.id, f"Orientations {verb} — {structure.nom}", structure)
    row = (await session.execute(
        select(Service, Structure).join(Structure, Structure.id == Service.structure_id)
        .where(Service.id == scope_id, Service.network_id == network.id)
    )).first()
    if row is None:
        raise NotFound("Ce service n'existe pas dans ce réseau.")
    service, structure = row
    return Scope("service", service.id, f"{service.nom} — {structure.nom}", structure)


def period(start: str | None, end: str | None, now: datetime | None = None) -> tuple[str, str]:
    """The months asked for, by default the last 12 (the current one included)."""
    today = (now or utcnow()).astimezone(PARIS)
    end = end or today.strftime("%Y-%m")
    if not MONTH.match(end):
        raise InvalidInput("Le mois de fin doit s'écrire AAAA-MM, par exemple 2026-12.")
    if start is None:
        year, month = int(end[:4]), int(end[5:]) - 11
        if month < 1:
            year, month = year - 1, month + 12
        start = f"{year:04d}-{month:02d}"
    if not MONTH.match(start):
        raise InvalidInput("Le mois de début doit s'écrire AAAA-MM, par exemple 2026-01.")
    if start > end:
        raise InvalidInput("Le mois de début doit précéder le mois de fin.")
    if len(report.months_between(start, end)) > MAX_MONTHS:
        raise InvalidInput(f"Choisissez une période de {MAX_MONTHS} mois au plus.")
    return start, end


async def _latest(session: AsyncSession, network_id: int) -> StatsRun | None:
    return await session.scalar(select(StatsRun).where(StatsRun.network_id == network_id,
                                                       StatsRun.finished_at.is_not(None))
                                .order_by(StatsRun.id.desc()).limit(1))


async def latest_run(session: AsyncSession, network: Network) -> StatsRun:
    """The newest finished snapshot; a network that has none gets one now."""
    return await _latest(session, network.id) or await refresh(session, network)


async def build(session: AsyncSession, network: Network, scope: Scope, start: str, end: str,
                refresh_minutes: int) -> StatsReport:
    run = await latest_run(session, network)
    own = await report.load_cells(session, run.id, scope.kind, scope.id, start, end)
    network_cells = None
    if scope.kind != "network":
        network_cells = await report.load_cells(session, run.id, "network", 0, start, end, breakdowns=False)
    ids = report.structure_ids(own)
    names = {}
    if ids:
        rows = await session.execute(select(Structure.id, Structure.nom).where(Structure.id.in_(ids),
                                                                              Structure.network_id == network.id))
        names = {str(i): nom for i, nom in rows.all()}
    return StatsReport(
        network_slug=network.slug, network_name=network.name,
        scope=ScopeOut(kind=scope.kind, id=scope.id, label=scope.label), start=start, end=end,
        computed_at=run.finished_at, refresh_minutes=refresh_minutes, threshold=THRESHOLD, privacy=PRIVACY,
        sections=report.sections(scope.kind, own, network_cells, start, end, names),
    )


def definitions() -> Definitions:
    return Definitions(threshold=THRESHOLD, privacy=PRIVACY, indicators=[
        Definition(key=i.key, section=SECTIONS[i.section], label=i.label, definition=i.definition)
        for i in INDICATORS])


def _csv_table(stats: StatsReport, key: str) -> Table:
    for section in stats.sections:
        for table in section.tables:
            if table.key == key:
                return table
    raise NotFound("Ce tableau n'existe pas pour cette vue.")


def to_csv(stats: StatsReport, key: str) -> str:
    """One table (or every figure, ``chiffres-cles``) as CSV for a spreadsheet: « ; » as
    separator, values as displayed (« < 5 » included), the period and scope on top."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([f"{stats.network_name} — {stats.scope.label}", f"{stats.start} à {stats.end}",
                     f"calculé le {stats.computed_at.astimezone(PARIS):%d/%m/%Y %H:%M}"])
    if key == FIGURES_TABLE:
        network_column = stats.scope.kind != "network"
        writer.writerow(["Rubrique", "Indicateur", "Valeur", "Base"] + (["Réseau"] if network_column else [])
                        + ["Définition"])
        for section in stats.sections:
            for f in section.figures:
                writer.writerow([section.title, f.label, f.value.display, f.basis or ""]
                                + ([f.network.display if f.network else ""] if network_column else [])
                                + [f.definition])
        return out.getvalue()
    table = _csv_table(stats, key)
    writer.writerow([BY_KEY[key].label] + [c.label for c in table.columns])
    for row in table.rows + ([table.total] if table.total else []):
        writer.writerow([row.label] + [cell.display for cell in row.cells])
    return out.getvalue()


def is_stale(run: StatsRun | None, now: datetime, minutes: int) -> bool:
    return run is None or run.finished_at is None or run.finished_at <= now - timedelta(minutes=minutes)


async def _claim(session: AsyncSession, network_id: int) -> bool:
    """Whether this runner may refresh the network now: on PostgreSQL, a transaction-level
    advisory lock per network, so that two job runners never compute the same snapshot
    twice (SQLite serialises writers anyway)."""
    if session.bind.dialect.name != "postgresql":
        return True
    return bool(await session.scalar(select(func.pg_try_advisory_xact_lock(REFRESH_LOCK, network_id))))


async def refresh_stale(session: AsyncSession, minutes: int, now: datetime | None = None) -> int:
    """The job: recompute every network whose snapshot is older than ``minutes``."""
    now = now or utcnow()
    done = 0
    for network in (await session.scalars(select(Network).order_by(Network.id))).all():
        if not is_stale(await _latest(session, network.id), now, minutes) or not await _claim(session, network.id):
            continue
        # Another runner may have finished it between the first look and the lock.
        if is_stale(await _latest(session, network.id), now, minutes):
            await refresh(session, network, now)
            done += 1
    return done
