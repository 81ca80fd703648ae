"""Cookie sessions, demo login, one-time email links, CSRF, API tokens."""

from datetime import timedelta

from httpx import ASGITransport, AsyncClient
from maillage.accounts.deps import SESSION_COOKIE
from maillage.accounts.models import LoginLink, UserSession
from maillage.accounts.service import create_api_token
from maillage.audit.models import AuditEvent
from maillage.db import utcnow
from maillage.main import create_app
from maillage.notifications.models import OutboxEmail
from sqlalchemy import select

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_structure


async def test_anonymous_me_gives_a_csrf_token_and_the_methods(client):
    body = (await client.get("/api/v1/auth/me")).json()
    assert body["user"] is None and body["memberships"] == []
    assert body["csrf_token"]
    assert body["methods"] == {"oidc": False, "oidc_label": "ProConnect", "email_link": True, "demo": True}


async def test_demo_login_as_each_persona(client):
    personas = (await client.get("/api/v1/auth/demo/personas")).json()
    assert {p["key"] for p in personas} == {
        "conseillere-mission-locale", "referent-rsa", "admin-structure-accueil", "animatrice-reseau"}
    for persona in personas:
        client.cookies.clear()
        client.cookies.set("maillage_csrf", "x")
        client.headers["x-csrf-token"] = "x"
        response = await client.post("/api/v1/auth/demo", json={"persona": persona["key"]})
        assert response.status_code == 200, response.text
        set_cookie = response.headers.get_list("set-cookie")
        session_cookie = next(c for c in set_cookie if c.startswith(f"{SESSION_COOKIE}="))
        assert "HttpOnly" in session_cookie and "samesite=lax" in session_cookie.lower()
        assert "Max-Age=43200" in session_cookie
        me = (await client.get("/api/v1/auth/me")).json()
        assert me["user"]["display_name"] == persona["name"]
    assert me["animator_of"] and me["memberships"] == []


async def test_demo_login_is_404_outside_demo_mode(settings, session):
    app = create_app(settings.model_copy(update={"demo": False}))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test",
                           cookies={"maillage_csrf": "x"}, headers={"x-csrf-token": "x"}) as raw:
        assert (await raw.get("/api/v1/auth/demo/personas")).status_code == 404
        response = await raw.post("/api/v1/auth/demo", json={"persona": "referent-rsa"})
        assert response.status_code == 404
        assert (await raw.get("/api/v1/demo/mailbox")).status_code == 404
    await app.state.engine.dispose()


async def test_secure_cookie_outside_demo(settings, session):
    from fastapi import Response
    from maillage.accounts.routes import sign_in

    user = await make_user(session)
    response = Response()
    await sign_in(session, response, user, "test", settings.model_copy(update={"demo": False}))
    assert all("Secure" in c for c in response.headers.getlist("set-cookie"))


async def test_logout_revokes_the_session_server_side(client, session, sign_in):
    user = await make_user(session)
    await sign_in(user)
    token = client.cookies.get(SESSION_COOKIE)
    assert (await client.post("/api/v1/auth/logout")).status_code == 200
    row = await session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert row.revoked_at is not None
    client.cookies.set(SESSION_COOKIE, token)
    assert (await client.get("/api/v1/auth/me")).json()["user"] is None


async def test_expired_session_is_anonymous(client, session, sign_in):
    user = await make_user(session)
    await sign_in(user)
    row = await session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    row.expires_at = utcnow() - timedelta(seconds=1)
    await session.flush()
    assert (await client.get("/api/v1/auth/me")).json()["user"] is None


async def test_sign_in_is_audited(client, session, sign_in):
    network = await make_network(session)
    user = await make_user(session, member_of=[await make_structure(session, network)])
    await sign_in(user)
    event = await session.scalar(select(AuditEvent).where(AuditEvent.actor_id == user.id))
    assert event.action == "connexion" and event.network_id == network.id


async def test_csrf_refusals(client, session, sign_in):
    user = await make_user(session)
    await sign_in(user)
    good = client.headers["x-csrf-token"]
    del client.headers["x-csrf-token"]
    missing = await client.post("/api/v1/auth/logout")
    assert missing.status_code == 403 and "CSRF" in missing.json()["detail"]
    forged = await client.post("/api/v1/auth/logout", headers={"x-csrf-token": "autre"})
    assert forged.status_code == 403
    # Same value in cookie and header, but not the session's own token: refused too.
    client.cookies.set("maillage_csrf", "fabrique")
    tossed = await client.post("/api/v1/auth/logout", headers={"x-csrf-token": "fabrique"})
    assert tossed.status_code == 403
    client.cookies.set("maillage_csrf", good)
    assert (await client.post("/api/v1/auth/logout", headers={"x-csrf-token": good})).status_code == 200


async def test_switch_structure(client, session, sign_in):
    network = await make_network(session)
    one, two, other = [await make_structure(session, network, nom=n) for n in ("A", "B", "C")]
    user = await make_user(session, member_of=[one, two])
    await sign_in(user)
    body = (await client.post("/api/v1/auth/switch", json={"structure_id": two.id})).json()
    assert body["current_structure_id"] == two.id
    assert (await client.get("/api/v1/auth/me")).json()["current_structure_id"] == two.id
    refused = await client.post("/api/v1/auth/switch", json={"structure_id": other.id})
    assert refused.status_code == 403


async def _link_token(session, email: str) -> str:
    mail = await session.scalar(
        select(OutboxEmail).where(OutboxEmail.to_address == email).order_by(OutboxEmail.id.desc())
    )
    return mail.text_body.split("jeton=")[1].split()[0]


async def test_login_link_round_trip_single_use(client, session):
    user = await make_user(session, email="lien@test.example.org")
    response = await client.post("/api/v1/auth/login-link", json={"email": "Lien@Test.example.org "})
    assert response.status_code == 202
    token = await _link_token(session, "lien@test.example.org")
    signed = await client.post("/api/v1/auth/login-link/consume", json={"token": token})
    assert signed.status_code == 200 and signed.json()["user"]["id"] == user.id
    client.headers["x-csrf-token"] = signed.json()["csrf_token"]
    again = await client.post("/api/v1/auth/login-link/consume", json={"token": token})
    assert again.status_code == 422 and "n'est plus valable" in again.json()["detail"]


async def test_login_link_expires_after_15_minutes(client, session):
    await make_user(session, email="expire@test.example.org")
    await client.post("/api/v1/auth/login-link", json={"email": "expire@test.example.org"})
    token = await _link_token(session, "expire@test.example.org")
    link = await session.scalar(select(LoginLink).where(LoginLink.email == "expire@test.example.org"))
    assert timedelta(minutes=14) < link.expires_at - link.created_at <= timedelta(minutes=15)
    link.expires_at = utcnow() - timedelta(seconds=1)
    await session.flush()
    response = await client.post("/api/v1/auth/login-link/consume", json={"token": token})
    assert response.status_code == 422


async def test_login_link_same_answer_for_unknown_address_and_no_email(client, session):
    known = await make_user(session, email="connu@test.example.org")
    a = await client.post("/api/v1/auth/login-link", json={"email": known.email})
    b = await client.post("/api/v1/auth/login-link", json={"email": "inconnu@test.example.org"})
    assert (a.status_code, a.json()) == (b.status_code, b.json())
    sent_to_unknown = await session.scalar(
        select(OutboxEmail).where(OutboxEmail.to_address == "inconnu@test.example.org"))
    assert sent_to_unknown is None


async def test_login_link_rate_limited_per_address_and_per_ip(client, session):
    for _ in range(3):
        assert (await client.post("/api/v1/auth/login-link", json={"email": "x@test.example.org"})).status_code == 202
    limited = await client.post("/api/v1/auth/login-link", json={"email": "x@test.example.org"})
    assert limited.status_code == 429 and "Trop de demandes" in limited.json()["detail"]
    statuses = [
        (await client.post("/api/v1/auth/login-link", json={"email": f"y{i}@test.example.org"})).status_code
        for i in range(8)
    ]
    assert statuses.count(429) >= 1, "per-IP limit (10 per 15 min) reached"


async def test_login_link_bad_email_is_a_french_422(client):
    response = await client.post("/api/v1/auth/login-link", json={"email": "pas-une-adresse"})
    assert response.status_code == 422
    assert "email" in response.json()["detail"]


async def test_api_token_acts_for_its_structure_and_can_be_revoked(client, session):
    network = await make_network(session)
    structure = await make_structure(session, network)
    secret, token = await create_api_token(session, structure, "Logiciel métier", None)
    assert token.token_hash != secret and secret.startswith("mlg_")
    client.cookies.clear()
    del client.headers["x-csrf-token"]
    headers = {"Authorization": f"Bearer {secret}"}
    me = (await client.get("/api/v1/auth/me", headers=headers)).json()
    assert [m["structure_id"] for m in me["memberships"]] == [structure.id]
    await session.refresh(token)
    assert token.last_used_at is not None
    token.revoked_at = utcnow()
    await session.flush()
    refused = await client.get("/api/v1/auth/me", headers=headers)
    assert refused.status_code == 401 and "révoqué" in refused.json()["detail"]


async def test_user_edits_their_own_name(client, session, sign_in):
    user = await make_user(session)
    await sign_in(user)
    body = (await client.patch("/api/v1/auth/me", json={"first_name": " Camille ", "last_name": "Martin"})).json()
    assert body["user"]["display_name"] == "Camille Martin"
    empty = await client.patch("/api/v1/auth/me", json={"first_name": "   ", "last_name": "Martin"})
    assert empty.status_code == 422 and "first_name" in empty.json()["detail"]


async def test_me_lists_animated_networks_with_their_slug(client, session, sign_in):
    network = await make_network(session, slug="reseau-anime")
    await sign_in(await make_user(session, animator_of=[network]))
    body = (await client.get("/api/v1/auth/me")).json()
    assert body["animator_networks"] == [
        {"id": network.id, "slug": "reseau-anime", "name": network.name, "territory": "Testville"}]
