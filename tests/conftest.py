"""Shared fixtures: one migrated and seeded database per run (SQLite by default,
PostgreSQL when DATABASE_URL says so), and a transaction rolled back after each test."""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from maillage.accounts.deps import CSRF_COOKIE, SESSION_COOKIE
from maillage.accounts.service import open_session
from maillage.config import Settings
from maillage.db import get_session, make_engine
from maillage.demo.seed import seed
from maillage.main import create_app
from maillage.migrate import downgrade, upgrade
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from tests.databases import empty_database


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = _database_url(tmp_path_factory)
    downgrade(url, "base")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    async with AsyncSession(engine) as session:
        await seed(session)
        await session.commit()
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        transaction = await conn.begin()
        yield conn
        await transaction.rollback()


@pytest.fixture
async def session(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """A session inside the test's transaction: its commits are savepoints."""
    async with AsyncSession(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as session:
        yield session


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Rate limits off: they count in a transaction of their own, outside the test's (tests/ops turns them on).
    return Settings(database_url=database_url, demo=True, static_dir=tmp_path / "no-static",
                    search_rate_limit=0, sign_in_rate_limit=0, api_token_failure_limit=0)


@pytest.fixture
async def client(settings: Settings, session: AsyncSession) -> AsyncIterator[AsyncClient]:
    app = create_app(settings)

    async def _session() -> AsyncIterator[AsyncSession]:
        yield session
        await session.flush()

    app.dependency_overrides[get_session] = _session
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        # Like the SPA: the anti-CSRF cookie is echoed in a header on unsafe requests.
        client.cookies.set(CSRF_COOKIE, "jeton-csrf-de-test")
        client.headers["x-csrf-token"] = "jeton-csrf-de-test"
        yield client
    await app.state.engine.dispose()


@pytest.fixture
def sign_in(client: AsyncClient, session: AsyncSession, settings: Settings):
    """Sign the test client in as ``user`` (a real server-side session)."""

    async def _sign_in(user) -> AsyncClient:
        token, user_session = await open_session(session, user, "test", settings)
        client.cookies.set(SESSION_COOKIE, token)
        client.cookies.set(CSRF_COOKIE, user_session.csrf_token)
        client.headers["x-csrf-token"] = user_session.csrf_token
        return client

    return _sign_in


@pytest.fixture
def dialect(engine: AsyncEngine) -> str:
    return engine.dialect.name


@pytest.fixture
async def fresh_database_url(database_url, tmp_path):
    """An empty database of the same kind as the run's, dropped afterwards."""
    async with empty_database(database_url, tmp_path / "empty.db", "maillage_migr") as url:
        yield url
