"""Readiness: the database answers and carries the migrations of this code (Alembic
head). A process whose database is behind (or ahead, after a rollback of the code) must
not receive traffic: the load balancer reads ``/readyz``."""

import asyncio
from functools import lru_cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from maillage.migrate import alembic_config

TIMEOUT_S = 5.0
UNREACHABLE = "La base de données est injoignable."


@lru_cache
def code_heads() -> frozenset[str]:
    """The Alembic head revision(s) of the migrations shipped with this code."""
    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


async def database_revisions(engine: AsyncEngine) -> frozenset[str]:
    async with engine.connect() as conn:
        return frozenset(await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_heads()))


def _migrations_problem(found: frozenset[str], expected: frozenset[str]) -> str | None:
    if found == expected:
        return None
    wanted = ", ".join(sorted(expected))
    if not found:
        return f"La base de données n'est pas migrée (révision attendue : {wanted}) : lancez « maillage db upgrade »."
    return (f"La base de données est à la révision {', '.join(sorted(found))} au lieu de {wanted} : "
            "lancez « maillage db upgrade » avec la version de l'application qui correspond.")


async def problem(engine: AsyncEngine) -> str | None:
    """None when ready, else what is wrong (in French)."""
    try:
        found = await asyncio.wait_for(database_revisions(engine), TIMEOUT_S)
    except Exception:  # noqa: BLE001 - any failure to read means "not ready"
        return UNREACHABLE
    return _migrations_problem(found, code_heads())
