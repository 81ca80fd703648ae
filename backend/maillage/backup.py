"""Backups of the database (``maillage backup create | list | prune | restore``).

- PostgreSQL: ``pg_dump --format=custom`` of the ``DATABASE_URL`` database, restored by
  ``pg_restore --single-transaction --exit-on-error`` into an *empty* database (the
  restoring role owns what it creates: ``--no-owner --no-privileges``). The client tools
  are taken from ``MAILLAGE_PG_BIN`` if set, else from ``/usr/lib/postgresql/<server
  major>/bin`` (Debian's layout), else the oldest installed version that is not older than
  the server, else ``$PATH``: ``pg_dump`` refuses to dump a server newer than itself.
- SQLite: the ``sqlite3`` online backup API (a consistent copy while the app runs).

A backup is a file ``maillage-<base>-<YYYYMMDDTHHMMSSZ>.dump`` (or ``.sqlite3``) created
with mode 0600 (it holds personal data), written under a ``.partial`` name and renamed
when complete, so that an interrupted backup never counts as one.

Retention (``plan_retention``): per database, keep the newest backup of each of the last
``keep_daily`` days that have one, and the newest of each of the last ``keep_weekly`` ISO
weeks that have one; delete the others. Files whose name does not match are never touched.
"""

import asyncio
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

PREFIX = "maillage"
STAMP = "%Y%m%dT%H%M%SZ"
NAME = re.compile(rf"^{PREFIX}-(?P<base>.+)-(?P<stamp>\d{{8}}T\d{{6}}Z)\.(?P<ext>dump|sqlite3)$")
DEFAULT_KEEP_DAILY = 7
DEFAULT_KEEP_WEEKLY = 4
PG_LIB = Path("/usr/lib/postgresql")


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message is for the operator (French)."""


@dataclass(frozen=True)
class Backup:
    path: Path
    base: str
    taken_at: datetime

    @property
    def size(self) -> int:
        return self.path.stat().st_size


# ---------------------------------------------------------------- names and retention


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]", "_", name) or "base"


def backup_name(base: str, taken_at: datetime, ext: str) -> str:
    return f"{PREFIX}-{_safe(base)}-{taken_at.astimezone(UTC).strftime(STAMP)}.{ext}"


def parse(path: Path) -> Backup | None:
    match = NAME.match(path.name)
    if match is None:
        return None
    taken_at = datetime.strptime(match["stamp"], STAMP).replace(tzinfo=UTC)
    return Backup(path, match["base"], taken_at)


def list_backups(directory: Path) -> list[Backup]:
    """The backups found in ``directory``, newest first."""
    if not directory.is_dir():
        return []
    found = [b for p in directory.iterdir() if p.is_file() and (b := parse(p)) is not None]
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def plan_retention(backups: Iterable[Backup], keep_daily: int, keep_weekly: int) -> tuple[list[Backup], list[Backup]]:
    """(kept, to delete): per database, the newest of each of the last ``keep_daily`` days
    and of each of the last ``keep_weekly`` ISO weeks; the newest backup is always kept."""
    if keep_daily < 1 or keep_weekly < 0:
        raise BackupError("Rétention : au moins 1 sauvegarde quotidienne, et un nombre de semaines positif.")
    kept, dropped = [], []
    by_base: dict[str, list[Backup]] = {}
    for backup in backups:
        by_base.setdefault(backup.base, []).append(backup)
    for group in by_base.values():
        days: set = set()
        weeks: set = set()
        for backup in sorted(group, key=lambda b: (b.taken_at, b.path.name), reverse=True):
            day = backup.taken_at.date()
            week = day.isocalendar()[:2]
            keep = False
            if day not in days and len(days) < keep_daily:
                days.add(day)
                keep = True
            if week not in weeks and len(weeks) < keep_weekly:
                weeks.add(week)
                keep = True
            (kept if keep else dropped).append(backup)
    return kept, dropped


def prune(directory: Path, keep_daily: int, keep_weekly: int, dry_run: bool = False) -> list[Backup]:
    """Delete the backups the retention does not keep; returns them."""
    _, dropped = plan_retention(list_backups(directory), keep_daily, keep_weekly)
    if not dry_run:
        for backup in dropped:
            backup.path.unlink(missing_ok=True)
    return dropped


# ---------------------------------------------------------------- PostgreSQL plumbing


def _query(url: URL, key: str) -> str | None:
    value = url.query.get(key)
    if isinstance(value, tuple):
        value = value[0] if value else None
    return value


def libpq_environment(database_url: str) -> dict[str, str]:
    """The PG* variables that point pg_dump / pg_restore at the database of ``database_url``
    (the password goes through the environment, never on a command line)."""
    url = make_url(database_url)
    env = {"PGAPPNAME": "maillage-backup"}
    host = url.host or _query(url, "host")
    port = url.port or _query(url, "port")
    for name, value in (("PGHOST", host), ("PGPORT", port), ("PGUSER", url.username),
                        ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value:
            env[name] = str(value)
    ssl = (_query(url, "sslmode") or _query(url, "ssl") or "").lower()
    if ssl in ("disable", "allow", "prefer", "require", "verify-ca", "verify-full"):
        env["PGSSLMODE"] = ssl
    elif ssl in ("true", "1", "on"):
        env["PGSSLMODE"] = "require"
    return env


async def _pg_probe(database_url: str) -> tuple[int, int]:
    """(server major version, number of tables outside the system schemas)."""
    from maillage.db import make_engine

    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            version = int(await conn.scalar(text("SHOW server_version_num")))
            tables = await conn.scalar(text(
                "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
            ))
    except (OSError, SQLAlchemyError) as exc:
        raise BackupError(f"Base injoignable ({type(exc).__name__}) : vérifiez DATABASE_URL.") from exc
    finally:
        await engine.dispose()
    return version // 10000, int(tables)


async def _pg_analyze(database_url: str) -> None:
    from maillage.db import make_engine

    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()


def pg_tool(name: str, server_major: int | None) -> str:
    """The path of ``pg_dump`` / ``pg_restore`` to use against a server of this version."""
    explicit = os.environ.get("MAILLAGE_PG_BIN")
    if explicit:
        candidate = Path(explicit) / name
        if not candidate.is_file():
            raise BackupError(f"{candidate} introuvable (MAILLAGE_PG_BIN).")
        return str(candidate)
    installed = sorted(int(p.name) for p in PG_LIB.glob("*") if p.name.isdigit() and (p / "bin" / name).is_file()) \
        if PG_LIB.is_dir() else []
    usable = [v for v in installed if server_major is None or v >= server_major]
    if usable:
        return str(PG_LIB / str(usable[0]) / "bin" / name)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} introuvable : installez le paquet postgresql-client "
                          f"(version {server_major} ou plus récente).")
    return found


def _run(command: list[str], env: dict[str, str], **kwargs) -> None:
    result = subprocess.run(command, env={**os.environ, **env}, stderr=subprocess.PIPE, text=True, check=False,
                            **kwargs)
    if result.returncode != 0:
        detail = (result.stderr or "").strip().splitlines()
        raise BackupError(f"{Path(command[0]).name} a échoué (code {result.returncode}) : "
                          f"{detail[-1] if detail else 'aucun message'}")


# ---------------------------------------------------------------- create and restore


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("Une base SQLite en mémoire ne se sauvegarde pas.")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _open_new(path: Path) -> int:
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise BackupError(f"{path.name} existe déjà : attendez une seconde et relancez.") from exc


def create(database_url: str, directory: Path, now: datetime | None = None) -> Backup:
    """Back up the database into ``directory`` (created 0700 if missing)."""
    url = make_url(database_url)
    now = now or datetime.now(UTC)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if url.get_backend_name() == "sqlite":
        source = _sqlite_path(url)
        if not source.is_file():
            raise BackupError(f"La base SQLite {source} n'existe pas.")
        final = directory / backup_name(source.stem, now, "sqlite3")
    elif url.get_backend_name() == "postgresql":
        if not url.database:
            raise BackupError("DATABASE_URL ne nomme pas de base.")
        final = directory / backup_name(url.database, now, "dump")
    else:
        raise BackupError(f"Base « {url.get_backend_name()} » non prise en charge.")
    partial = final.with_name(final.name + ".partial")
    fd = _open_new(partial)
    try:
        if url.get_backend_name() == "sqlite":
            os.close(fd)
            fd = -1
            _sqlite_copy(source, partial)
        else:
            major, _ = asyncio.run(_pg_probe(database_url))
            env = libpq_environment(database_url)
            _run([pg_tool("pg_dump", major), "--format=custom", "--no-password", "--dbname", env["PGDATABASE"]],
                 env, stdout=fd)
            os.close(fd)
            fd = -1
        if final.exists():
            raise BackupError(f"{final.name} existe déjà : attendez une seconde et relancez.")
        partial.rename(final)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        partial.unlink(missing_ok=True)
        raise
    return parse(final)


def restore(path: Path, database_url: str) -> None:
    """Restore a backup into the database of ``database_url``, which must be empty."""
    url = make_url(database_url)
    backup = parse(path) if path.is_file() else None
    if backup is None:
        raise BackupError(f"{path} n'est pas une sauvegarde de Maillage (maillage-<base>-<date>.dump ou .sqlite3).")
    kind = path.suffix.lstrip(".")
    if url.get_backend_name() == "sqlite":
        if kind != "sqlite3":
            raise BackupError("Une sauvegarde PostgreSQL (.dump) se restaure dans une base PostgreSQL.")
        target = _sqlite_path(url)
        if target.exists() and target.stat().st_size > 0:
            with closing(sqlite3.connect(target)) as conn:
                tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            if tables:
                raise BackupError(f"La base cible {target} n'est pas vide : restaurez dans une base neuve.")
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(path, target)
        return
    if url.get_backend_name() != "postgresql":
        raise BackupError(f"Base « {url.get_backend_name()} » non prise en charge.")
    if kind != "dump":
        raise BackupError("Une sauvegarde SQLite (.sqlite3) se restaure dans une base SQLite.")
    if not url.database:
        raise BackupError("L'adresse de la base cible ne nomme pas de base.")
    major, tables = asyncio.run(_pg_probe(database_url))
    if tables:
        raise BackupError(f"La base cible « {url.database} » n'est pas vide ({tables} objets) : "
                          "créez une base neuve (createdb) et restaurez-y.")
    env = libpq_environment(database_url)
    _run([pg_tool("pg_restore", major), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          "--no-password", "--dbname", env["PGDATABASE"], str(path)], env)
    asyncio.run(_pg_analyze(database_url))
