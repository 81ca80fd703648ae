"""Alembic environment: async engine, URL from the settings (or ``-x url=...``),
batch mode on SQLite so that ALTERs work there too."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from maillage.config import get_settings
from maillage.db import Base, make_engine
from maillage.models import load_all

load_all()
target_metadata = Base.metadata


def _url() -> str:
    return context.get_x_argument(as_dictionary=True).get("url") or context.config.attributes.get(
        "url"
    ) or get_settings().database_url


# Search machinery the migrations create by hand, outside the ORM metadata (see
# directory/search.py): autogenerate must not propose to drop it.
HAND_MADE = {"search_vector", "tag_mask", "ix_service_search_vector", "ix_service_published"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (name in HAND_MADE or (type_ == "table" and name and name.startswith("service_fts")))


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = make_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
        await connection.commit()
    await engine.dispose()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    raise SystemExit("Les migrations hors ligne ne sont pas prises en charge.")
run_migrations_online()
