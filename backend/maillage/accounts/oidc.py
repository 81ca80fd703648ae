"""OpenID Connect sign-in, compatible with ProConnect: discovery, the authorization
request (state, nonce, PKCE S256), the code exchange, the ID token and userinfo checks,
and finding (or creating) the account. The routes are in ``oidc_routes.py``.

Everything that can go wrong with the provider or the browser's request raises
:class:`OidcFailure` with a short code that the SPA turns into a French message
(``/connexion?erreur=<code>``, see :data:`ERROR_MESSAGES`); never a 500.
"""

import logging
import time
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import authlib.deprecate  # noqa: F401 - installs its "always" warning filter before ours (below)
import httpx
from authlib.common.security import generate_token
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.accounts.models import OidcLogin, User
from maillage.accounts.service import normalise_email
from maillage.accounts.tokens import hash_secret, same
from maillage.config import Settings
from maillage.db import utcnow
from maillage.directory.models import Structure, StructureStatus

with warnings.catch_warnings():
    # authlib prefers the `httpx2` package and warns when it falls back on httpx.
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.base_client.errors import OAuthError
    from authlib.integrations.httpx_client import AsyncOAuth2Client

log = logging.getLogger(__name__)

#: How the app authenticates at the token endpoint. ProConnect accepts
#: ``client_secret_basic`` and ``client_secret_post``.
TOKEN_ENDPOINT_AUTH_METHOD = "client_secret_basic"
CALLBACK_PATH = "/api/v1/auth/oidc/callback"
LOGIN_TTL = timedelta(minutes=10)
DISCOVERY_TTL_SECONDS = 300
HTTP_TIMEOUT_SECONDS = 10
CLOCK_LEEWAY_SECONDS = 60
#: Asymmetric signatures only: never ``none``, nor HMAC with the client secret.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
SESSION_METHOD = "proconnect"

#: The short codes of a refused sign-in and what the SPA shows for each.
ERROR_MESSAGES = {
    "etat-invalide": "Cette tentative de connexion a expiré ou a déjà été utilisée : recommencez la connexion.",
    "connexion-annulee": "La connexion a été annulée.",
    "fournisseur-erreur": "Le service de connexion a renvoyé une erreur : réessayez dans quelques instants.",
    "fournisseur-injoignable": "Le service de connexion est injoignable pour le moment : réessayez plus tard "
                               "ou demandez un lien de connexion par courriel.",
    "code-invalide": "Le code de connexion a expiré ou a déjà été utilisé : recommencez la connexion.",
    "jeton-invalide": "La réponse du service de connexion n'a pas pu être vérifiée : recommencez la connexion.",
    "courriel-manquant": "Le service de connexion n'a pas transmis d'adresse électronique valide.",
    "courriel-non-verifie": "Votre adresse électronique n'est pas vérifiée par le service de connexion.",
    "compte-desactive": "Ce compte est désactivé.",
}


class OidcFailure(Exception):
    """A refused sign-in: ``code`` goes to the SPA, ``reason`` to the logs only."""

    def __init__(self, code: str, reason: str):
        assert code in ERROR_MESSAGES, code
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason

    @property
    def message(self) -> str:
        return ERROR_MESSAGES[self.code]


# ---------------------------------------------------------------- provider metadata


@dataclass
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    id_token_algorithms: list[str]
    fetched_at: float = field(default_factory=time.monotonic)
    jwks: KeySet | None = None


_cache: dict[str, ProviderMetadata] = {}


def clear_cache() -> None:
    _cache.clear()


def _same_issuer(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def redirect_uri(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + CALLBACK_PATH


def new_client(settings: Settings) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        token_endpoint_auth_method=TOKEN_ENDPOINT_AUTH_METHOD,
        scope=settings.oidc_scopes,
        redirect_uri=redirect_uri(settings),
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT_SECONDS,
        follow_redirects=False,
    )


async def _get_json(client: AsyncOAuth2Client, url: str, what: str) -> dict:
    try:
        response = await client.request("GET", url, withhold_token=True, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise OidcFailure("fournisseur-injoignable", f"{what} : {exc!r}") from exc
    if response.status_code >= 500:
        raise OidcFailure("fournisseur-injoignable", f"{what} : HTTP {response.status_code}")
    try:
        body = response.json() if response.status_code == 200 else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise OidcFailure("fournisseur-erreur", f"{what} : réponse inattendue (HTTP {response.status_code})")
    return body


async def provider_metadata(client: AsyncOAuth2Client, settings: Settings) -> ProviderMetadata:
    """The discovery document of ``settings.oidc_issuer``, cached for a few minutes."""
    issuer = settings.oidc_issuer or ""
    cached = _cache.get(issuer)
    if cached is not None and time.monotonic() - cached.fetched_at < DISCOVERY_TTL_SECONDS:
        return cached
    doc = await _get_json(client, issuer.rstrip("/") + "/.well-known/openid-configuration", "découverte")
    try:
        metadata = ProviderMetadata(
            issuer=str(doc["issuer"]),
            authorization_endpoint=str(doc["authorization_endpoint"]),
            token_endpoint=str(doc["token_endpoint"]),
            jwks_uri=str(doc["jwks_uri"]),
            userinfo_endpoint=doc.get("userinfo_endpoint"),
            id_token_algorithms=[
                a for a in doc.get("id_token_signing_alg_values_supported") or ["RS256"] if a in SIGNING_ALGORITHMS
            ],
        )
    except KeyError as exc:
        raise OidcFailure("fournisseur-erreur", f"découverte : champ {exc} absent") from exc
    if not _same_issuer(metadata.issuer, issuer):
        raise OidcFailure("fournisseur-erreur", f"découverte : émetteur {metadata.issuer!r} au lieu de {issuer!r}")
    _cache[issuer] = metadata
    return metadata


async def _keys(client: AsyncOAuth2Client, metadata: ProviderMetadata, refresh: bool = False) -> KeySet:
    if metadata.jwks is None or refresh:
        document = await _get_json(client, metadata.jwks_uri, "clés publiques (JWKS)")
        try:
            metadata.jwks = KeySet.import_key_set(
                {"keys": [k for k in document.get("keys", []) if isinstance(k, dict) and k.get("use", "sig") == "sig"]}
            )
        except (JoseError, ValueError, TypeError) as exc:
            raise OidcFailure("fournisseur-erreur", f"clés publiques illisibles : {exc!r}") from exc
    return metadata.jwks


async def _verified_claims(
    client: AsyncOAuth2Client, metadata: ProviderMetadata, value: str, algorithms: list[str], what: str
) -> dict[str, Any]:
    """Check a JWT's signature against the provider's keys (fetched again once when the
    signing key is unknown: the provider may have rotated its keys)."""
    for refresh in (False, True):
        keys = await _keys(client, metadata, refresh=refresh)
        try:
            return dict(jwt.decode(value, keys, algorithms=algorithms).claims)
        except InvalidKeyIdError as exc:
            if refresh:
                raise OidcFailure("jeton-invalide", f"{what} : {exc!r}") from exc
        except (JoseError, ValueError, TypeError) as exc:
            raise OidcFailure("jeton-invalide", f"{what} : {exc!r}") from exc
    raise AssertionError("unreachable")


def _check_claims(claims: dict, what: str, **options: dict) -> None:
    registry = jwt.JWTClaimsRegistry(leeway=CLOCK_LEEWAY_SECONDS, **options)
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise OidcFailure("jeton-invalide", f"{what} : {exc!r}") from exc


# ---------------------------------------------------------------- authorization request


def safe_next(value: str | None) -> str:
    """Only a local path: starts with "/" but not "//" (nor "/\\", which browsers read
    as "//"), no control characters."""
    if (
        not value or len(value) > 500 or not value.startswith("/") or value.startswith(("//", "/\\"))
        or any(ord(c) < 32 or c == "\x7f" for c in value)
    ):
        return "/"
    return value


async def start_login(session: AsyncSession, settings: Settings, next_path: str | None) -> tuple[str, str]:
    """Store a sign-in under way; return the provider's authorization URL and the state."""
    async with new_client(settings) as client:
        metadata = await provider_metadata(client, settings)
        state, nonce, code_verifier = generate_token(43), generate_token(43), generate_token(64)
        url, _state = client.create_authorization_url(
            metadata.authorization_endpoint, state=state, code_verifier=code_verifier, nonce=nonce,
        )
    now = utcnow()
    await session.execute(delete(OidcLogin).where(OidcLogin.expires_at < now))
    session.add(OidcLogin(
        state_hash=hash_secret(state), nonce=nonce, code_verifier=code_verifier, next_path=safe_next(next_path),
        created_at=now, expires_at=now + LOGIN_TTL,
    ))
    await session.flush()
    return url, state


# ---------------------------------------------------------------- callback


@dataclass
class Identity:
    """What the provider says about the person, checked."""

    issuer: str
    claims: dict[str, Any]
    next_path: str

    @property
    def subject(self) -> str:
        return f"{self.issuer}|{self.claims['sub']}"


async def claim_login(session: AsyncSession, state: str | None) -> OidcLogin:
    """Take the stored sign-in for ``state`` (single use: the row is deleted)."""
    if not state or len(state) > 200:
        raise OidcFailure("etat-invalide", "paramètre state absent")
    row = await session.scalar(select(OidcLogin).where(OidcLogin.state_hash == hash_secret(state)))
    if row is None:
        raise OidcFailure("etat-invalide", "state inconnu ou déjà utilisé")
    deleted = await session.execute(delete(OidcLogin).where(OidcLogin.id == row.id))
    if deleted.rowcount != 1:  # another request took it meanwhile
        raise OidcFailure("etat-invalide", "state déjà utilisé")
    if row.expires_at <= utcnow():
        raise OidcFailure("etat-invalide", "state expiré")
    return row


async def finish_login(
    session: AsyncSession, settings: Settings, *, state: str | None, code: str | None, iss: str | None,
) -> Identity:
    login = await claim_login(session, state)
    if not code or len(code) > 2000:
        raise OidcFailure("fournisseur-erreur", "paramètre code absent")
    async with new_client(settings) as client:
        metadata = await provider_metadata(client, settings)
        if iss is not None and not _same_issuer(iss, metadata.issuer):  # RFC 9207: mix-up defence
            raise OidcFailure("fournisseur-erreur", f"paramètre iss inattendu : {iss!r}")
        token = await _exchange(client, metadata, code, login.code_verifier)
        id_claims = await _id_token_claims(client, metadata, settings, token, login.nonce)
        userinfo = await _userinfo(client, metadata, settings, id_claims["sub"])
    return Identity(issuer=metadata.issuer, claims={**id_claims, **userinfo}, next_path=login.next_path)


async def _exchange(client: AsyncOAuth2Client, metadata: ProviderMetadata, code: str, code_verifier: str) -> dict:
    try:
        token = await client.fetch_token(
            metadata.token_endpoint, grant_type="authorization_code", code=code, code_verifier=code_verifier,
        )
    except OAuthError as exc:
        kind = "code-invalide" if exc.error == "invalid_grant" else "fournisseur-erreur"
        raise OidcFailure(kind, f"échange du code refusé : {exc.error} {exc.description or ''}") from exc
    except httpx.HTTPStatusError as exc:
        kind = "fournisseur-injoignable" if exc.response.status_code >= 500 else "fournisseur-erreur"
        raise OidcFailure(kind, f"échange du code : HTTP {exc.response.status_code}") from exc
    except httpx.HTTPError as exc:
        raise OidcFailure("fournisseur-injoignable", f"échange du code : {exc!r}") from exc
    except ValueError as exc:
        raise OidcFailure("fournisseur-erreur", f"échange du code : {exc}") from exc
    if not token.get("access_token") or not isinstance(token.get("id_token"), str):
        raise OidcFailure("jeton-invalide", "réponse du point de jeton sans access_token ou id_token")
    if str(token.get("token_type", "")).lower() != "bearer":
        raise OidcFailure("jeton-invalide", f"type de jeton inattendu : {token.get('token_type')!r}")
    return token


async def _id_token_claims(
    client: AsyncOAuth2Client, metadata: ProviderMetadata, settings: Settings, token: dict, nonce: str,
) -> dict[str, Any]:
    claims = await _verified_claims(client, metadata, token["id_token"], metadata.id_token_algorithms, "ID token")
    _check_claims(
        claims, "ID token",
        iss={"essential": True, "value": metadata.issuer},
        aud={"essential": True, "value": settings.oidc_client_id},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
        nonce={"essential": True},
    )
    if not same(claims.get("nonce") if isinstance(claims.get("nonce"), str) else None, nonce):
        raise OidcFailure("jeton-invalide", "ID token : nonce différent de celui de la demande")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != settings.oidc_client_id:
        raise OidcFailure("jeton-invalide", "ID token : azp différent de l'identifiant client")
    if len(f"{metadata.issuer}|{claims['sub']}") > 300:
        raise OidcFailure("jeton-invalide", "ID token : sub trop long")
    return claims


async def _userinfo(
    client: AsyncOAuth2Client, metadata: ProviderMetadata, settings: Settings, sub: str,
) -> dict[str, Any]:
    """The userinfo answer: JSON, or a signed JWT (``application/jwt``, as ProConnect)."""
    if not metadata.userinfo_endpoint:
        return {}
    try:
        response = await client.get(
            metadata.userinfo_endpoint, headers={"Accept": "application/jwt, application/json"}
        )
    except httpx.HTTPError as exc:
        raise OidcFailure("fournisseur-injoignable", f"userinfo : {exc!r}") from exc
    except OAuthError as exc:
        raise OidcFailure("jeton-invalide", f"userinfo : {exc!r}") from exc
    if response.status_code >= 500:
        raise OidcFailure("fournisseur-injoignable", f"userinfo : HTTP {response.status_code}")
    if response.status_code != 200:
        raise OidcFailure("jeton-invalide", f"userinfo : HTTP {response.status_code}")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/jwt":
        claims = await _verified_claims(client, metadata, response.text.strip(), list(SIGNING_ALGORITHMS), "userinfo")
        options: dict[str, dict] = {}
        if "iss" in claims:
            options["iss"] = {"value": metadata.issuer}
        if "aud" in claims:
            options["aud"] = {"value": settings.oidc_client_id}
        _check_claims(claims, "userinfo", **options)
    else:
        try:
            claims = response.json()
        except ValueError as exc:
            raise OidcFailure("fournisseur-erreur", "userinfo : réponse illisible") from exc
        if not isinstance(claims, dict):
            raise OidcFailure("fournisseur-erreur", "userinfo : réponse inattendue")
    if claims.get("sub") != sub:
        raise OidcFailure("jeton-invalide", "userinfo : sub différent de celui de l'ID token")
    return claims


# ---------------------------------------------------------------- the account


def _text(claims: dict, *names: str, limit: int = 100) -> str:
    for name in names:
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()[:limit]
    return ""


def siret_of(claims: dict) -> str | None:
    value = claims.get("siret")
    if not isinstance(value, str):
        return None
    value = value.replace(" ", "")
    return value if len(value) == 14 and value.isdigit() else None


async def account_for(session: AsyncSession, identity: Identity) -> User:
    """The user with this subject; else the one with this address (the subject is then
    attached); else a new account."""
    claims = identity.claims
    email = normalise_email(_text(claims, "email", limit=254))
    if claims.get("email_verified") is False:
        raise OidcFailure("courriel-non-verifie", f"email_verified=false pour {email!r}")
    user = await session.scalar(select(User).where(User.oidc_subject == identity.subject))
    if user is None:
        if not email or "@" not in email:
            raise OidcFailure("courriel-manquant", "pas d'adresse dans les claims")
        user = await session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, oidc_subject=identity.subject)
            session.add(user)
        else:
            if user.oidc_subject and user.oidc_subject != identity.subject:
                log.warning("Compte %s : identifiant OpenID remplacé (%s → %s)", user.id, user.oidc_subject,
                            identity.subject)
            user.oidc_subject = identity.subject
    elif email and "@" in email and email != user.email:
        taken = await session.scalar(select(User.id).where(User.email == email, User.id != user.id))
        if taken is None:
            user.email = email
    if user.is_active is False:  # (None: a new account, not flushed yet)
        raise OidcFailure("compte-desactive", f"compte {user.email} désactivé")
    first_name, last_name = _text(claims, "given_name"), _text(claims, "usual_name", "family_name")
    if first_name:
        user.first_name = first_name
    if last_name:
        user.last_name = last_name
    await session.flush()
    return user


async def structure_to_join(session: AsyncSession, claims: dict) -> int | None:
    """The first structure whose SIRET is the person's (ProConnect gives the SIRET of
    the organisation they sign in for)."""
    siret = siret_of(claims)
    if siret is None:
        return None
    return await session.scalar(
        select(Structure.id)
        .where(Structure.siret == siret, Structure.status != StructureStatus.ARCHIVED)
        .order_by(Structure.id)
        .limit(1)
    )
