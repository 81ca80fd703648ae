"""Request bodies past the limit are refused with 413 and the API's error shape, before
the whole body is read: by Content-Length, or by counting a chunked body as it comes."""

import json

from maillage.referrals.attachments import MAX_SIZE, TOO_BIG
from maillage.security import BodySizeLimit

from tests.referrals.test_referrals_api import acting_as, build_world, send

MIB = 1024 * 1024


async def test_a_declared_oversized_json_body_is_refused_with_413(client):
    body = json.dumps({"email": "x" * (MIB + 10)})
    response = await client.post("/api/v1/auth/login-link", content=body,
                                 headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {"error": "trop_volumineux",
                               "detail": "La requête dépasse la taille autorisée (1 Mo)."}
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_chunked_body_is_counted_as_it_arrives(client):
    sent = []

    async def chunks():
        for _ in range(40):  # 40 × 64 kio = 2,5 Mio, without Content-Length
            sent.append(1)
            yield b"x" * 65536

    response = await client.post("/api/v1/auth/login-link", content=chunks(),
                                 headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "trop_volumineux"


async def test_the_limit_is_a_setting(app_client, settings):
    async with app_client(settings.model_copy(update={"max_body_bytes": 2048})) as client:
        small = await client.post("/api/v1/auth/login-link", json={"email": "a@example.org"})
        big = await client.post("/api/v1/auth/login-link", json={"email": "a" * 3000 + "@example.org"})
    assert small.status_code == 202
    assert big.status_code == 413 and big.json()["detail"] == "La requête dépasse la taille autorisée (2 ko)."


async def test_the_document_upload_has_its_own_limit(client, session, sign_in):
    world = await build_world(session)
    act_as = acting_as(sign_in, world)
    referral = await send(act_as, world)
    url = f"/api/v1/referrals/{referral['id']}/attachments"
    pdf = b"%PDF-1.7\n"
    # Past the JSON limit but within the file rule: accepted.
    ok = await client.post(url, files={"file": ("scan.pdf", pdf + bytes(2 * MIB), "application/pdf")})
    assert ok.status_code == 201, ok.text
    # Just over 5 Mo: the route's own rule answers, as before.
    over = await client.post(url, files={"file": ("gros.pdf", pdf + bytes(MAX_SIZE), "application/pdf")})
    assert over.status_code == 422 and over.json()["detail"] == TOO_BIG
    # Far over: stopped before the route reads it, with the same message.
    huge = await client.post(url, files={"file": ("énorme.pdf", pdf + bytes(8 * MIB), "application/pdf")})
    assert huge.status_code == 413 and huge.json() == {"error": "trop_volumineux", "detail": TOO_BIG}


async def test_refused_on_content_length_without_reading_the_body():
    called = []

    async def app(scope, receive, send):  # pragma: no cover - must not run
        called.append(True)

    messages = []

    async def receive():
        raise AssertionError("the body must not be read")

    async def send(message):
        messages.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/referrals", "headers": [(b"content-length", b"5000000")]}
    await BodySizeLimit(app, max_bytes=MIB)(scope, receive, send)
    assert not called
    assert messages[0]["status"] == 413
    assert json.loads(messages[1]["body"])["error"] == "trop_volumineux"
