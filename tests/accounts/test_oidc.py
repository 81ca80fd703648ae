"""Sign-in with OpenID Connect (ProConnect-compatible), against a real provider on loopback
(npm ``oidc-provider``, see tests/oidc/provider.mjs). An httpx client plays the user's
browser on the provider (login form, then consent form) and lands on the app's callback."""

import asyncio
import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from httpx import ASGITransport, AsyncClient
from maillage.accounts import oidc
from maillage.accounts.deps import SESSION_COOKIE
from maillage.accounts.models import (
    Invitation,
    MembershipRole,
    OidcLogin,
    User,
    UserSession,
)
from maillage.accounts.oidc_routes import STATE_COOKIE
from maillage.accounts.tokens import hash_secret
from maillage.config import Settings
from maillage.db import get_session, utcnow
from maillage.directory.models import Structure
from maillage.main import create_app
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_structure
from tests.oidc.fixtures import PUBLIC_URL, OidcProvider, _free_port, oidc_provider  # noqa: F401

LOGIN = "/api/v1/auth/oidc/login"
CALLBACK = "/api/v1/auth/oidc/callback"
DEMO_SIRET = "99933500001023"  # the SIRET of the account `agent-siret` (provider.mjs)


def configured(settings: Settings, provider: OidcProvider, client_id: str | None = None, **extra) -> Settings:
    return settings.model_copy(update={
        "oidc_issuer": provider.issuer, "oidc_client_id": client_id or provider.client_id,
        "oidc_client_secret": provider.client_secret, "public_url": PUBLIC_URL, **extra,
    })


@asynccontextmanager
async def app_client(settings: Settings, session: AsyncSession) -> AsyncIterator[AsyncClient]:
    """The app as the browser sees it, with its database session inside the test's transaction."""
    app = create_app(settings)

    async def _session() -> AsyncIterator[AsyncSession]:
        yield session
        await session.flush()

    app.dependency_overrides[get_session] = _session
    async with AsyncClient(transport=ASGITransport(app=app), base_url=PUBLIC_URL) as client:
        yield client
    await app.state.engine.dispose()


@pytest.fixture
def oidc_settings(settings: Settings, oidc_provider: OidcProvider) -> Settings:  # noqa: F811
    return configured(settings, oidc_provider)


@pytest.fixture
async def app(oidc_settings: Settings, session: AsyncSession) -> AsyncIterator[AsyncClient]:
    async with app_client(oidc_settings, session) as client:
        yield client


@pytest.fixture
async def navigateur() -> AsyncIterator[httpx.AsyncClient]:
    """The user's browser on the provider: keeps its cookies, redirects followed by hand."""
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.S)


async def at_provider(navigateur: httpx.AsyncClient, url: str, login: str, *, abort: bool = False) -> str:
    """Follow the provider's redirects from the authorization URL, sign in as ``login`` (any
    password) and consent; return the path and query the provider sends the navigateur back to."""
    for _ in range(20):
        if url.startswith(PUBLIC_URL + "/"):
            return url[len(PUBLIC_URL):]
        response = await navigateur.get(url)
        if response.status_code in (302, 303):
            url = urljoin(str(response.url), response.headers["location"])
            continue
        assert response.status_code == 200, response.text
        page = response.text
        action = urljoin(str(response.url), html.unescape(_FORM.search(page).group(1)))
        if abort:
            url = action.rstrip("/") + "/abort"
            continue
        if 'name="prompt" value="login"' in page:
            data = {"prompt": "login", "login": login, "password": "peu-importe"}
        else:
            assert 'name="prompt" value="consent"' in page, page
            data = {"prompt": "consent"}
        response = await navigateur.post(action, data=data)
        assert response.status_code in (302, 303), response.text
        url = urljoin(str(response.url), response.headers["location"])
    raise AssertionError("trop de redirections chez le fournisseur")


async def start(app: AsyncClient, next_path: str | None = None) -> str:
    response = await app.get(LOGIN, params={"next": next_path} if next_path else None)
    assert response.status_code == 302, response.text
    return response.headers["location"]


async def sign_in_with_provider(
    app: AsyncClient, navigateur: httpx.AsyncClient, login: str, next_path: str | None = None
) -> httpx.Response:
    callback = await at_provider(navigateur, await start(app, next_path), login)
    return await app.get(callback)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def refused_with(response: httpx.Response, code: str) -> None:
    assert response.status_code == 302, response.text
    assert response.headers["location"] == f"/connexion?erreur={code}"
    assert not any(c.startswith(f"{SESSION_COOKIE}=") for c in response.headers.get_list("set-cookie"))
    assert code in oidc.ERROR_MESSAGES


async def invitation(session: AsyncSession, email: str) -> Structure:
    network = await make_network(session)
    structure = await make_structure(session, network)
    session.add(Invitation(token_hash=hash_secret(f"invitation-{email}"), email=email, structure_id=structure.id,
                           role=MembershipRole.MEMBER, expires_at=utcnow() + timedelta(days=7)))
    await session.flush()
    return structure


# ---------------------------------------------------------------- the authorization request


async def test_login_stores_the_attempt_and_redirects_to_the_provider(app, session, oidc_provider):  # noqa: F811
    location = await start(app, "/structures/12?onglet=services")
    assert location.startswith(f"{oidc_provider.issuer}/auth?")
    params = query_of(location)
    assert params["response_type"] == "code" and params["client_id"] == "maillage"
    assert params["redirect_uri"] == f"{PUBLIC_URL}/api/v1/auth/oidc/callback"
    assert params["scope"] == "openid email given_name usual_name siret"
    assert params["code_challenge_method"] == "S256"
    row = await session.scalar(select(OidcLogin).where(OidcLogin.state_hash == hash_secret(params["state"])))
    assert row is not None and row.nonce == params["nonce"]
    assert params["code_challenge"] == create_s256_code_challenge(row.code_verifier)
    assert row.next_path == "/structures/12?onglet=services"
    assert timedelta(minutes=9) < row.expires_at - utcnow() <= timedelta(minutes=10)
    assert app.cookies.get(STATE_COOKIE) == params["state"]


@pytest.mark.parametrize("value", [None, "", "https://ailleurs.example", "//ailleurs.example/x", "/\\ailleurs.example",
                                   "relatif", "/ok\r\nSet-Cookie: x=y", "/" + "a" * 600])
def test_only_a_local_path_is_kept_as_next(value):
    assert oidc.safe_next(value) == "/"


def test_a_local_path_is_kept_as_next():
    assert oidc.safe_next("/annuaire?q=emploi#haut") == "/annuaire?q=emploi#haut"


# ---------------------------------------------------------------- full flow


@pytest.mark.parametrize("userinfo", ["json", "jwt"])
async def test_full_flow_creates_the_user_and_accepts_the_invitation(
    userinfo, settings, session, navigateur, oidc_provider, monkeypatch,  # noqa: F811
):
    structure = await invitation(session, "camille.invitee@exemple.gouv.fr")
    verified = []
    real = oidc._verified_claims

    async def spy(client, metadata, value, algorithms, what):
        verified.append(what)
        return await real(client, metadata, value, algorithms, what)

    monkeypatch.setattr(oidc, "_verified_claims", spy)
    client_id = oidc_provider.client_id if userinfo == "json" else oidc_provider.jwt_client_id
    async with app_client(configured(settings, oidc_provider, client_id), session) as app:
        response = await sign_in_with_provider(app, navigateur, "agent-invite", "/annuaire?q=emploi")
        assert response.status_code == 302, response.text
        assert response.headers["location"] == "/annuaire?q=emploi"
        cookies = response.headers.get_list("set-cookie")
        session_cookie = next(c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))
        assert "HttpOnly" in session_cookie and "samesite=lax" in session_cookie.lower()
        assert any(c.startswith(f'{STATE_COOKIE}=""') for c in cookies)  # forgotten

        me = (await app.get("/api/v1/auth/me")).json()
    assert verified == (["ID token"] if userinfo == "json" else ["ID token", "userinfo"])
    assert me["user"]["email"] == "camille.invitee@exemple.gouv.fr"
    assert (me["user"]["first_name"], me["user"]["last_name"]) == ("Camille", "Invitée")
    assert [m["structure_id"] for m in me["memberships"]] == [structure.id]
    user = await session.scalar(select(User).where(User.email == "camille.invitee@exemple.gouv.fr"))
    assert user.oidc_subject == f"{oidc_provider.issuer}|agent-invite"
    assert await session.scalar(select(UserSession.method).where(UserSession.user_id == user.id)) == "proconnect"
    assert await session.scalar(select(Invitation.accepted_at).where(Invitation.structure_id == structure.id))
    assert await session.scalar(select(OidcLogin).where(OidcLogin.next_path == "/annuaire?q=emploi")) is None


async def test_existing_user_is_matched_by_email_then_by_subject(app, session, navigateur, oidc_provider):  # noqa: F811
    network = await make_network(session)
    structure = await make_structure(session, network)
    user = await make_user(session, email="alex.inconnu@exemple.gouv.fr", member_of=[structure])
    response = await sign_in_with_provider(app, navigateur, "agent-inconnu")
    assert response.headers["location"] == "/"
    await session.refresh(user)
    assert user.oidc_subject == f"{oidc_provider.issuer}|agent-inconnu"
    assert (user.first_name, user.last_name) == ("Alex", "Inconnu")  # family_name when no usual_name

    # Second sign-in: found by subject even if the address changed in the meantime.
    user.email = "alex.ancienne-adresse@exemple.gouv.fr"
    await session.flush()
    response = await sign_in_with_provider(app, navigateur, "agent-inconnu")
    assert response.headers["location"] == "/"
    await session.refresh(user)
    assert user.email == "alex.inconnu@exemple.gouv.fr"
    assert await session.scalar(select(User.id).where(User.oidc_subject.like("%|agent-inconnu"))) == user.id


async def test_unknown_person_gets_an_account_without_membership(app, session, navigateur):
    response = await sign_in_with_provider(app, navigateur, "agent-inconnu", "/orientations")
    assert response.headers["location"] == "/orientations"
    me = (await app.get("/api/v1/auth/me")).json()
    assert me["user"]["email"] == "alex.inconnu@exemple.gouv.fr" and me["memberships"] == []


async def test_siret_of_a_structure_proposes_to_join_it(app, session, navigateur):
    structure_id = await session.scalar(select(Structure.id).where(Structure.siret == DEMO_SIRET).order_by(Structure.id))
    assert structure_id is not None, "la structure de démonstration de ce SIRET a disparu de pantin.json"
    response = await sign_in_with_provider(app, navigateur, "agent-siret", "/annuaire")
    assert response.status_code == 302
    assert response.headers["location"] == f"/compte?rejoindre={structure_id}"
    me = (await app.get("/api/v1/auth/me")).json()
    assert me["user"]["last_name"] == "Siret" and me["memberships"] == []


async def test_siret_does_not_redirect_a_member(app, session, navigateur):
    network = await make_network(session)
    structure = await make_structure(session, network)
    await make_user(session, email="dominique.siret@exemple.gouv.fr", member_of=[structure])
    response = await sign_in_with_provider(app, navigateur, "agent-siret", "/annuaire")
    assert response.headers["location"] == "/annuaire"


# ---------------------------------------------------------------- refusals


async def test_tampered_state_is_refused(app, session, navigateur):
    callback = await at_provider(navigateur, await start(app), "agent-invite")
    params = query_of(callback)
    forged = callback.replace(f"state={params['state']}", "state=etat-fabrique")
    refused_with(await app.get(forged), "etat-invalide")
    # Even with a navigateur cookie that matches the forged state: unknown server-side.
    app.cookies.set(STATE_COOKIE, "etat-fabrique")
    refused_with(await app.get(forged), "etat-invalide")
    assert (await app.get("/api/v1/auth/me")).json()["user"] is None


async def test_callback_from_another_browser_is_refused(app, session, navigateur):
    """Login CSRF: a callback URL (code + state) started by someone else is refused."""
    callback = await at_provider(navigateur, await start(app), "agent-invite")
    app.cookies.delete(STATE_COOKIE)
    refused_with(await app.get(callback), "etat-invalide")
    assert (await app.get("/api/v1/auth/me")).json()["user"] is None


async def test_wrong_nonce_is_refused(app, session, navigateur):
    callback = await at_provider(navigateur, await start(app), "agent-invite")
    await session.execute(
        update(OidcLogin).where(OidcLogin.state_hash == hash_secret(query_of(callback)["state"]))
        .values(nonce="un-autre-nonce")
    )
    refused_with(await app.get(callback), "jeton-invalide")
    assert (await app.get("/api/v1/auth/me")).json()["user"] is None
    assert await session.scalar(select(User).where(User.email == "camille.invitee@exemple.gouv.fr")) is None


async def test_expired_authorization_code_is_refused(settings, session, navigateur, oidc_provider):  # noqa: F811
    async with app_client(configured(settings, oidc_provider, oidc_provider.short_code_client_id), session) as app:
        callback = await at_provider(navigateur, await start(app), "agent-invite")
        await asyncio.sleep(oidc_provider.short_code_ttl + 1.5)
        refused_with(await app.get(callback), "code-invalide")
        assert (await app.get("/api/v1/auth/me")).json()["user"] is None


async def test_state_is_single_use(app, session, navigateur):
    callback = await at_provider(navigateur, await start(app), "agent-invite")
    state = query_of(callback)["state"]
    assert (await app.get(callback)).headers["location"] == "/"
    app.cookies.clear()
    app.cookies.set(STATE_COOKIE, state)
    refused_with(await app.get(callback), "etat-invalide")


async def test_expired_state_is_refused(app, session, navigateur):
    callback = await at_provider(navigateur, await start(app), "agent-invite")
    await session.execute(
        update(OidcLogin).where(OidcLogin.state_hash == hash_secret(query_of(callback)["state"]))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    refused_with(await app.get(callback), "etat-invalide")


async def test_user_cancelling_at_the_provider(app, session, navigateur):
    callback = await at_provider(navigateur, await start(app), "agent-invite", abort=True)
    assert query_of(callback)["error"] == "access_denied"
    refused_with(await app.get(callback), "connexion-annulee")
    assert await session.scalar(select(OidcLogin).where(
        OidcLogin.state_hash == hash_secret(query_of(callback)["state"]))) is None


async def test_callback_without_parameters_is_refused_not_a_500(app):
    refused_with(await app.get(CALLBACK), "etat-invalide")
    refused_with(await app.get(CALLBACK, params={"code": "x" * 5000, "state": "y" * 5000}), "etat-invalide")


async def test_missing_code_is_refused(app, session, navigateur):
    callback = await at_provider(navigateur, await start(app), "agent-invite")
    state = query_of(callback)["state"]
    refused_with(await app.get(CALLBACK, params={"state": state}), "fournisseur-erreur")


async def test_deactivated_account_is_refused(app, session, navigateur):
    user = await make_user(session, email="alex.inconnu@exemple.gouv.fr")
    user.is_active = False
    await session.flush()
    refused_with(await sign_in_with_provider(app, navigateur, "agent-inconnu"), "compte-desactive")


# ---------------------------------------------------------------- configuration and outages


async def test_not_configured_is_404(client):
    for path in (LOGIN, CALLBACK):
        response = await client.get(path)
        assert response.status_code == 404
        body = response.json()
        assert body["error"] == "introuvable" and "pas configurée" in body["detail"]


async def test_provider_unreachable(settings, session, navigateur, oidc_provider):  # noqa: F811
    down = settings.model_copy(update={
        "oidc_issuer": f"http://127.0.0.1:{_free_port()}", "oidc_client_id": "maillage",
        "oidc_client_secret": "x", "public_url": PUBLIC_URL,
    })
    async with app_client(down, session) as app:
        refused_with(await app.get(LOGIN), "fournisseur-injoignable")

    # The provider goes away between the authorization and the callback.
    async with app_client(configured(settings, oidc_provider), session) as app:
        callback = await at_provider(navigateur, await start(app), "agent-invite")
        state_cookie = app.cookies.get(STATE_COOKIE)
    async with app_client(configured(settings, oidc_provider, oidc_issuer=down.oidc_issuer), session) as app:
        app.cookies.set(STATE_COOKIE, state_cookie)
        refused_with(await app.get(callback), "fournisseur-injoignable")
