"""An app with the settings a test chooses, seen from the client address it chooses."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from httpx import ASGITransport, AsyncClient
from maillage.accounts.deps import CSRF_COOKIE
from maillage.config import Settings
from maillage.db import get_session
from maillage.main import create_app
from sqlalchemy.ext.asyncio import AsyncSession


@pytest.fixture
def app_client(session: AsyncSession):
    """``async with app_client(settings, ip=...) as client``: like the ``client`` fixture
    (the test's rolled-back session), for an app built from ``settings``."""

    @asynccontextmanager
    async def _client(settings: Settings, ip: str = "203.0.113.7") -> AsyncIterator[AsyncClient]:
        app = create_app(settings)

        async def _session() -> AsyncIterator[AsyncSession]:
            yield session
            await session.flush()

        app.dependency_overrides[get_session] = _session
        transport = ASGITransport(app=app, client=(ip, 40000))
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            client.cookies.set(CSRF_COOKIE, "jeton-csrf-de-test")
            client.headers["x-csrf-token"] = "jeton-csrf-de-test"
            yield client
        await app.state.engine.dispose()

    return _client
