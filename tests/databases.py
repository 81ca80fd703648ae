"""Throwaway databases of the run's kind, for tests that need one of their own."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url


@asynccontextmanager
async def empty_database(database_url: str, sqlite_file: Path, prefix: str) -> AsyncIterator[str]:
    """An empty database like ``database_url``'s: a new SQLite file, or a new PostgreSQL
    database named ``prefix_…`` on the same server, dropped afterwards."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite+aiosqlite:///{sqlite_file}"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = f"postgresql://{url.username or 'postgres'}@{url.host or '127.0.0.1'}:{url.port or 5432}/postgres"
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
