"""Bench database plumbing: (re)create it, migrate it, bulk-load generated rows
with PostgreSQL's COPY (asyncpg), and leave the tables analysed."""

import json
from typing import Any

import asyncpg
from sqlalchemy import JSON
from sqlalchemy.engine import URL, make_url

from maillage.bench.generate import Batch
from maillage.directory.models import Network, Service, Structure
from maillage.migrate import upgrade_async

TABLES = (("network", Network), ("structure", Structure), ("service", Service))


def asyncpg_dsn(url: str | URL) -> str:
    """``postgresql+asyncpg://…`` (SQLAlchemy) → ``postgresql://…`` (asyncpg)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def recreate_database(url: str) -> None:
    """Drop and create the database named in ``url`` (through the ``postgres``
    maintenance database), then apply the migrations."""
    target = make_url(url)
    if target.get_backend_name() != "postgresql":
        raise ValueError("Le banc d'essai demande une base PostgreSQL.")
    name = target.database
    if not name or name in ("postgres", "template0", "template1"):
        raise ValueError(f"Refus de recréer la base « {name} ».")
    admin = await asyncpg.connect(asyncpg_dsn(target.set(database="postgres")))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    await upgrade_async(url)


def _records(model, rows: list[dict[str, Any]], columns: list[str]) -> list[tuple]:
    json_columns = {c.name for c in model.__table__.columns if isinstance(c.type, JSON)}
    out = []
    for row in rows:
        out.append(tuple(
            json.dumps(row[c], ensure_ascii=False) if c in json_columns and row[c] is not None else row[c]
            for c in columns
        ))
    return out


async def load_batch(url: str, batch: Batch) -> None:
    """COPY the batch in, move the id sequences past the loaded ids, and VACUUM
    ANALYZE (what autovacuum would soon do on a live database: fresh statistics,
    the GIN pending list merged and the visibility map set)."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with conn.transaction():
            for table, model in TABLES:
                rows = getattr(batch, "networks" if table == "network" else f"{table}s")
                if not rows:
                    continue
                columns = list(rows[0])
                await conn.copy_records_to_table(table, records=_records(model, rows, columns), columns=columns)
            if batch.tags:
                await conn.copy_records_to_table(
                    "service_tag", records=batch.tags, columns=["service_id", "kind", "code"]
                )
            for table, _ in TABLES:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
        for table in ("network", "structure", "service", "service_tag"):
            await conn.execute(f"VACUUM (ANALYZE) {table}")
    finally:
        await conn.close()


async def count_services(url: str) -> int:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await conn.fetchval("SELECT count(*) FROM service")
    finally:
        await conn.close()
