"""Shared fixtures: one migrated and seeded database per run (SQLite by default,
PostgreSQL when DATABASE_URL says so), and a transaction rolled back after each test."""

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from httpx import ASGITransport, AsyncClient
from maillage.accounts.deps import CSRF_COOKIE, SESSION_COOKIE
from maillage.accounts.service import open_session
from maillage.config import Settings
from maillage.db import get_session, make_engine
from maillage.demo.seed import seed
from maillage.main import create_app
from maillage.migrate import downgrade, upgrade
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession


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
    return Settings(database_url=database_url, demo=True, static_dir=tmp_path / "no-static")


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
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"maillage_migr_{uuid.uuid4().hex[:8]}"
    admin = f"postgresql://{url.username or 'postgres'}@{url.host or '127.0.0.1'}:{url.port or 5432}/postgres"
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
