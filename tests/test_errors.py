"""The error shape on input the database cannot take or the server cannot read (found by
Schemathesis, tests/proof/): a 4xx in the one JSON shape, never a 500; and a 503 to come
back later while the database is away (``maillage bench faults``)."""

import pytest
from httpx import ASGITransport, AsyncClient
from maillage.config import Settings
from maillage.main import create_app
from maillage.openapi_errors import ERROR_RESPONSES

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_structure

TOO_BIG = 2**63  # past SQLite's INTEGER and PostgreSQL's integer (and bigint)


@pytest.fixture
async def member(session, sign_in):
    network = await make_network(session)
    structure = await make_structure(session, network)
    user = await make_user(session, member_of=[structure])
    await sign_in(user)
    return structure


@pytest.mark.parametrize("method, path, body", [
    ("GET", f"/api/v1/referrals/{TOO_BIG}", None),
    ("GET", f"/api/v1/people/{TOO_BIG}", None),
    ("POST", f"/api/v1/referrals/{TOO_BIG}/accept", None),
    ("POST", "/api/v1/referrals", {"person_id": TOO_BIG, "service_id": 1, "motive": "Un motif d'orientation"}),
    ("GET", f"/api/v1/referrals?structure_id={TOO_BIG}&direction=received", None),
])
async def test_an_id_past_the_integer_range_is_refused_not_a_server_error(client, member, method, path, body):
    response = await client.request(method, path, json=body)
    assert response.status_code in (403, 404, 422), response.text
    assert response.json()["error"] and response.json()["detail"]


async def test_an_id_past_the_integer_range_in_an_upload_is_invalid_input(client, member):
    # The 500 Schemathesis found: the referral is read after the form is parsed.
    response = await client.post(f"/api/v1/referrals/{TOO_BIG}/attachments",
                                 files={"file": ("fiche.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf")})
    assert response.status_code == 422, response.text
    assert response.json() == {"error": "donnees_invalides", "detail": response.json()["detail"]}
    assert "identifiant trop grand" in response.json()["detail"]


async def test_an_unreadable_body_is_a_400_in_french(client, member):
    response = await client.post("/api/v1/people", content=b"\xff\xfe{", headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json() == {"error": "requete_illisible", "detail": response.json()["detail"]}
    assert "illisible" in response.json()["detail"]


def test_every_api_operation_documents_the_error_shape():
    document = create_app().openapi()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in ERROR_RESPONSES:
                assert str(status) in operation["responses"], (method, path, status)
            schema = operation["responses"]["422"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/InvalidInputError"}, (method, path)
    assert "HTTPValidationError" not in document["components"]["schemas"]


async def test_database_away_is_a_503_to_retry_not_a_500(tmp_path):
    settings = Settings(database_url="postgresql+asyncpg://postgres@127.0.0.1:1/nothing", static_dir=tmp_path)
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/api/v1/services/search", params={"network": "pantin", "q": "emploi"})
    await app.state.engine.dispose()
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert response.json() == {"error": "indisponible", "detail": response.json()["detail"]}
