"""Migrations upgrade an empty database and match the models, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from maillage.db import Base, make_engine
from maillage.migrate import downgrade, upgrade
from maillage.models import load_all

# Search machinery created by hand in the migration, outside the ORM metadata (see
# directory/search.py): full-text vector and FTS5 table, the tag bit mask, partial indexes.
_FULL_TEXT = {"search_vector", "ix_service_search_vector", "service_fts", "tag_mask", "ix_service_published"}


def _is_full_text(diff) -> bool:
    text = repr(diff)
    return any(name in text for name in _FULL_TEXT)


async def test_upgrade_from_empty_matches_the_models_and_downgrades(fresh_database_url):
    import asyncio

    await asyncio.to_thread(upgrade, fresh_database_url)
    load_all()
    engine = make_engine(fresh_database_url)
    async with engine.connect() as conn:
        diffs = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata)
        )
    await engine.dispose()
    remaining = [d for d in diffs if not _is_full_text(d)]
    assert remaining == [], remaining
    await asyncio.to_thread(downgrade, fresh_database_url, "base")
