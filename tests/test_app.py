"""Application plumbing: probes, OpenAPI, the SPA fallback and the API error shape."""

import json
from pathlib import Path

from httpx import ASGITransport, AsyncClient
from maillage.config import REPO_ROOT, Settings
from maillage.main import create_app


async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ok"}


async def test_readiness_fails_when_the_database_is_unreachable(tmp_path):
    settings = Settings(database_url="postgresql+asyncpg://postgres@127.0.0.1:1/nothing", static_dir=tmp_path)
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["error"] == "indisponible"


async def test_openapi_and_docs_are_served(client):
    document = (await client.get("/api/v1/openapi.json")).json()
    assert "/api/v1/services/search" in document["paths"]
    assert (await client.get("/api/v1/docs")).status_code == 200


def test_committed_openapi_document_is_up_to_date():
    committed = REPO_ROOT / "frontend" / "src" / "api" / "openapi.json"
    current = create_app(Settings(static_dir=Path("/nonexistent"))).openapi()
    assert committed.exists(), "frontend/src/api/openapi.json manque : lancez « make api »"
    assert json.loads(committed.read_text("utf-8")) == json.loads(json.dumps(current)), (
        "Le document OpenAPI a changé : lancez « make api » et commitez le client régénéré."
    )


async def test_spa_history_fallback_and_api_404(settings, tmp_path):
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<html>appli</html>")
    (static / "assets" / "app.js").write_text("console.log(1)")
    (static / "favicon.svg").write_text("<svg/>")
    app = create_app(settings.model_copy(update={"static_dir": static}))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get("/services/12")).text == "<html>appli</html>"
        assert (await client.get("/assets/app.js")).text == "console.log(1)"
        assert (await client.get("/favicon.svg")).text == "<svg/>"
        assert (await client.get("/../../etc/passwd")).text == "<html>appli</html>"
        missing = await client.get("/api/v1/nothing-here")
        assert missing.status_code == 404 and missing.json()["error"] == "introuvable"
    await app.state.engine.dispose()


async def test_config_exposes_operator_name_not_the_state_brand(client):
    body = (await client.get("/api/v1/config")).json()
    assert body["operator_name"] == "Maillage"
    assert body["demo"] is True


def test_schema_names_are_unique_so_the_client_types_stay_readable():
    schemas = create_app(Settings(static_dir=Path("/nonexistent"))).openapi()["components"]["schemas"]
    clashes = [name for name in schemas if name.startswith("maillage__")]
    assert not clashes, f"Deux modèles Pydantic portent le même nom : {clashes}"
