"""/readyz: 200 when the database answers at the code's migration head; 503 with a French
message when it is unreachable, not migrated, or at another revision."""

import asyncio

from httpx import ASGITransport, AsyncClient
from maillage.config import Settings
from maillage.main import create_app
from maillage.migrate import upgrade
from maillage.ops.readiness import code_heads


async def readyz(database_url: str, tmp_path) -> tuple[int, dict]:
    app = create_app(Settings(database_url=database_url, static_dir=tmp_path / "no-static"))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/readyz")
    await app.state.engine.dispose()
    return response.status_code, response.json()


def test_the_code_head_is_the_latest_migration():
    assert code_heads() == frozenset({"0008"})


async def test_ready_at_head(client):
    response = await client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_not_ready_before_or_behind_the_migrations(fresh_database_url, tmp_path):
    status, body = await readyz(fresh_database_url, tmp_path)
    assert status == 503 and body["error"] == "indisponible"
    assert body["detail"].startswith("La base de données n'est pas migrée")

    await asyncio.to_thread(upgrade, fresh_database_url, "0007")
    status, body = await readyz(fresh_database_url, tmp_path)
    assert status == 503
    assert body["detail"].startswith("La base de données est à la révision 0007 au lieu de 0008")
    assert "maillage db upgrade" in body["detail"]

    await asyncio.to_thread(upgrade, fresh_database_url)
    assert await readyz(fresh_database_url, tmp_path) == (200, {"status": "ok"})


async def test_not_ready_when_the_database_is_unreachable(tmp_path):
    status, body = await readyz("postgresql+asyncpg://postgres@127.0.0.1:1/nothing", tmp_path)
    assert (status, body) == (503, {"error": "indisponible", "detail": "La base de données est injoignable."})
