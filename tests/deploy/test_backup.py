"""Backups: a round trip through ``maillage backup create`` / ``restore`` on the run's
database kind (pg_dump / pg_restore on PostgreSQL, the sqlite3 backup API on SQLite), and
the retention of dated files."""

import asyncio
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from maillage import backup as backups
from maillage.cli import main
from maillage.config import get_settings
from maillage.db import make_engine
from maillage.demo.seed import seed
from maillage.migrate import upgrade
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

# Tables whose every row is compared, column by column.
COMPARED = ("network", "structure", "service", "user_account", "person", "referral", "booking", "outbox_email")


async def _seed(url: str) -> None:
    engine = make_engine(url)
    try:
        async with AsyncSession(engine) as session:
            await seed(session)
            await session.commit()
    finally:
        await engine.dispose()


async def _snapshot(url: str) -> dict:
    """Row counts of every table, full rows of a few, the schema objects and, on
    PostgreSQL, the sequences (so that the next insert does not collide)."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
            counts = {t: await conn.scalar(text(f'SELECT count(*) FROM "{t}"')) for t in tables}
            rows = {t: (await conn.execute(text(f'SELECT * FROM "{t}" ORDER BY id'))).all() for t in COMPARED}
            if engine.dialect.name == "postgresql":
                objects = set((await conn.execute(text(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"))).scalars())
                extra = dict((await conn.execute(text(
                    "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"))).all())
            else:
                objects = set((await conn.execute(text("SELECT type || ':' || name FROM sqlite_master"))).scalars())
                extra = {}
    finally:
        await engine.dispose()
    return {"counts": counts, "rows": rows, "objects": objects, "extra": extra}


@pytest.fixture
def cli(clean_environment):
    runner = CliRunner()

    def invoke(*args: str, database_url: str):
        clean_environment.setenv("DATABASE_URL", database_url)
        get_settings.cache_clear()
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_backup_and_restore_round_trip(cli, fresh_database_url, another_database_url, tmp_path):
    upgrade(fresh_database_url)
    asyncio.run(_seed(fresh_database_url))
    before = asyncio.run(_snapshot(fresh_database_url))
    assert before["counts"]["referral"] > 100 and before["counts"]["structure"] >= 45

    folder = tmp_path / "sauvegardes"
    created = cli("backup", "create", "--dir", str(folder), database_url=fresh_database_url)
    assert created.exit_code == 0, created.output
    [made] = backups.list_backups(folder)
    kind = make_url(fresh_database_url).get_backend_name()
    assert made.path.suffix == (".dump" if kind == "postgresql" else ".sqlite3")
    assert stat.S_IMODE(made.path.stat().st_mode) == 0o600
    assert not list(folder.glob("*.partial"))
    listed = cli("backup", "list", "--dir", str(folder), database_url=fresh_database_url)
    assert made.path.name in listed.output

    restored = cli("backup", "restore", str(made.path), "--database-url", another_database_url,
                   database_url=fresh_database_url)
    assert restored.exit_code == 0, restored.output
    after = asyncio.run(_snapshot(another_database_url))
    assert after["counts"] == before["counts"]
    for table in COMPARED:
        assert after["rows"][table] == before["rows"][table], table
    assert after["objects"] == before["objects"]
    assert after["extra"] == before["extra"]
    # The restored database is at the code's migration: nothing left to upgrade.
    upgrade(another_database_url)

    # A second restore into the now full database is refused.
    again = cli("backup", "restore", str(made.path), "--database-url", another_database_url,
                database_url=fresh_database_url)
    assert again.exit_code == 1 and "n'est pas vide" in again.output


def test_restore_refuses_what_is_not_a_backup(cli, fresh_database_url, tmp_path):
    stray = tmp_path / "notes.txt"
    stray.write_text("bonjour")
    result = cli("backup", "restore", str(stray), database_url=fresh_database_url)
    assert result.exit_code == 1 and "n'est pas une sauvegarde" in result.output


def test_libpq_environment_carries_the_url_without_a_command_line_password():
    env = backups.libpq_environment("postgresql+asyncpg://maillage:s%40cret@db.interne:6432/maillage?ssl=require")
    assert env["PGHOST"] == "db.interne" and env["PGPORT"] == "6432" and env["PGUSER"] == "maillage"
    assert env["PGPASSWORD"] == "s@cret" and env["PGDATABASE"] == "maillage" and env["PGSSLMODE"] == "require"
    socket = backups.libpq_environment("postgresql+asyncpg://maillage@/maillage?host=/run/postgresql")
    assert socket["PGHOST"] == "/run/postgresql" and "PGPASSWORD" not in socket


def test_pg_tool_prefers_the_server_version(tmp_path, monkeypatch):
    for version in ("15", "17"):
        (tmp_path / version / "bin").mkdir(parents=True)
        (tmp_path / version / "bin" / "pg_dump").write_text("")
    monkeypatch.setattr(backups, "PG_LIB", tmp_path)
    monkeypatch.delenv("MAILLAGE_PG_BIN", raising=False)
    assert backups.pg_tool("pg_dump", 15) == str(tmp_path / "15" / "bin" / "pg_dump")
    assert backups.pg_tool("pg_dump", 16) == str(tmp_path / "17" / "bin" / "pg_dump")
    monkeypatch.setenv("MAILLAGE_PG_BIN", str(tmp_path / "15" / "bin"))
    assert backups.pg_tool("pg_dump", 17) == str(tmp_path / "15" / "bin" / "pg_dump")


# ---------------------------------------------------------------- retention


def _fake(folder: Path, base: str, at: datetime, ext: str = "dump") -> Path:
    path = folder / backups.backup_name(base, at, ext)
    path.write_bytes(b"x")
    return path


def test_retention_keeps_the_newest_of_each_recent_day_and_week(tmp_path):
    # Every night at 03:15 UTC for 60 days, plus a second backup on the last day (by hand),
    # ending on Wednesday 2027-03-10.
    last = datetime(2027, 3, 10, 3, 15, tzinfo=UTC)
    nightly = [last - timedelta(days=n) for n in range(60)]
    for at in nightly:
        _fake(tmp_path, "maillage", at)
    by_hand = _fake(tmp_path, "maillage", last + timedelta(hours=9))
    other_base = _fake(tmp_path, "autre", last - timedelta(days=300))
    strangers = [tmp_path / "notes.txt", tmp_path / (backups.backup_name("maillage", last, "dump") + ".partial"),
                 tmp_path / "maillage-maillage-2027.dump"]
    for path in strangers:
        path.write_text("?")

    dropped = backups.prune(tmp_path, keep_daily=7, keep_weekly=4)
    kept = {b.path.name for b in backups.list_backups(tmp_path)}

    expected_daily = {backups.backup_name("maillage", at, "dump") for at in nightly[1:7]} | {by_hand.name}
    # The newest of the 4 most recent ISO weeks: this week (the hand-made one), then the
    # Sundays of the three weeks before.
    sundays = [datetime(2027, 3, 7, 3, 15, tzinfo=UTC) - timedelta(weeks=n) for n in range(3)]
    expected_weekly = {by_hand.name} | {backups.backup_name("maillage", at, "dump") for at in sundays}
    assert kept == expected_daily | expected_weekly | {other_base.name}
    assert len(dropped) == 61 - len(expected_daily | expected_weekly)
    assert all(path.exists() for path in strangers)

    # Idempotent, and a dry run deletes nothing.
    assert backups.prune(tmp_path, keep_daily=7, keep_weekly=4) == []
    assert len(backups.prune(tmp_path, keep_daily=1, keep_weekly=0, dry_run=True)) == len(kept) - 2
    assert {b.path.name for b in backups.list_backups(tmp_path)} == kept


def test_retention_through_the_command(cli, tmp_path, fresh_database_url):
    last = datetime(2027, 3, 10, 3, 15, tzinfo=UTC)
    for n in range(20):
        _fake(tmp_path, "maillage", last - timedelta(days=n))
    result = cli("backup", "prune", "--dir", str(tmp_path), "--keep-daily", "3", "--keep-weekly", "2",
                 database_url=fresh_database_url)
    assert result.exit_code == 0, result.output
    # 3 days (10, 9, 8 March) and 2 weeks (this one: the 10th; the one before: Sunday the 7th).
    assert len(backups.list_backups(tmp_path)) == 4
    assert "16 sauvegarde(s) hors rétention" in result.output
    assert cli("backup", "prune", "--dir", str(tmp_path), "--keep-daily", "0",
               database_url=fresh_database_url).exit_code == 2


def test_retention_settings_come_from_the_environment(cli, tmp_path, fresh_database_url, clean_environment):
    last = datetime(2027, 3, 10, 3, 15, tzinfo=UTC)
    for n in range(10):
        _fake(tmp_path, "maillage", last - timedelta(days=n))
    clean_environment.setenv("MAILLAGE_BACKUP_DIR", str(tmp_path))
    clean_environment.setenv("MAILLAGE_BACKUP_KEEP_DAILY", "2")
    clean_environment.setenv("MAILLAGE_BACKUP_KEEP_WEEKLY", "0")
    assert cli("backup", "prune", database_url=fresh_database_url).exit_code == 0
    assert [b.taken_at.day for b in backups.list_backups(tmp_path)] == [10, 9]
    assert os.environ["MAILLAGE_BACKUP_DIR"] == str(tmp_path)
