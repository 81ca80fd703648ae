"""OpenID Connect sign-in (ProConnect-compatible).

The browser comes to ``/login``, goes to the provider, and comes back to ``/callback``,
which signs it in and sends it on to the SPA. A refused sign-in also ends in the SPA:
``/connexion?erreur=<code>`` (the codes and their French messages are
``maillage.accounts.oidc.ERROR_MESSAGES``). Both routes are GET (no CSRF token): the
``state`` parameter protects the callback. It is stored server-side (hashed, single use,
10 minutes) so that any app process can finish the sign-in, and also kept in a short
cookie of the browser that started it, so that a callback URL made by someone else (their
code, their state) cannot sign a victim's browser into the wrong account (login CSRF).
"""

import logging
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse

from maillage.accounts import oidc
from maillage.accounts.routes import sign_in
from maillage.accounts.tokens import same
from maillage.config import Settings
from maillage.db import SessionDep
from maillage.errors import NotFound
from maillage.ops.ratelimit import limit_sign_in

router = APIRouter(prefix="/auth/oidc", tags=["connexion"])
log = logging.getLogger(__name__)
ERROR_PAGE = "/connexion"
STATE_COOKIE = "maillage_oidc_state"
STATE_COOKIE_PATH = "/api/v1/auth/oidc"


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    if not settings.oidc_enabled:
        raise NotFound("La connexion par ProConnect (OpenID Connect) n'est pas configurée sur cette instance.")
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]


def _redirect(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=302)
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused(failure: oidc.OidcFailure) -> RedirectResponse:
    log.warning("Connexion OpenID refusée (%s) : %s", failure.code, failure.reason)
    return _redirect(f"{ERROR_PAGE}?{urlencode({'erreur': failure.code})}")


def _forget_state(response: RedirectResponse, settings: Settings) -> RedirectResponse:
    response.delete_cookie(STATE_COOKIE, path=STATE_COOKIE_PATH, secure=settings.secure_cookies, httponly=True,
                           samesite="lax")
    return response


@router.get(
    "/login", status_code=302, response_class=RedirectResponse,
    summary="Se connecter avec ProConnect (redirige vers le fournisseur d'identité)",
    responses={302: {"description": "Vers le fournisseur d'identité, ou vers /connexion?erreur=<code>"},
               404: {"description": "OpenID Connect n'est pas configuré"}},
    dependencies=[Depends(limit_sign_in)],
)
async def login(
    session: SessionDep, settings: SettingsDep,
    next: Annotated[str | None, Query(description="Page (chemin local) où revenir après la connexion")] = None,
) -> RedirectResponse:
    try:
        url, state = await oidc.start_login(session, settings, next)
    except oidc.OidcFailure as failure:
        return _refused(failure)
    response = _redirect(url)
    # SameSite=Lax: sent on the provider's top-level redirect back to the callback.
    response.set_cookie(STATE_COOKIE, state, max_age=int(oidc.LOGIN_TTL.total_seconds()), path=STATE_COOKIE_PATH,
                        httponly=True, samesite="lax", secure=settings.secure_cookies)
    return response


@router.get(
    "/callback", status_code=302, response_class=RedirectResponse,
    summary="Retour du fournisseur d'identité (ouvre la session)",
    responses={302: {"description": "Vers la page demandée, /compte?rejoindre=<id>, ou /connexion?erreur=<code>"},
               404: {"description": "OpenID Connect n'est pas configuré"}},
)
async def callback(
    request: Request, session: SessionDep, settings: SettingsDep,
    code: str | None = None, state: str | None = None, error: str | None = None,
    error_description: str | None = None, iss: str | None = None,
) -> RedirectResponse:
    try:
        if not same(request.cookies.get(STATE_COOKIE), state):
            raise oidc.OidcFailure("etat-invalide", "state absent ou différent de celui du navigateur")
        if error:
            if state:  # the attempt is over either way
                try:
                    await oidc.claim_login(session, state)
                except oidc.OidcFailure:
                    pass
            code_ = "connexion-annulee" if error == "access_denied" else "fournisseur-erreur"
            raise oidc.OidcFailure(code_, f"le fournisseur répond {error[:100]!r} : {(error_description or '')[:300]!r}")
        identity = await oidc.finish_login(session, settings, state=state, code=code, iss=iss)
        user = await oidc.account_for(session, identity)
    except oidc.OidcFailure as failure:
        return _forget_state(_refused(failure), settings)
    response = _forget_state(_redirect(identity.next_path), settings)
    me = await sign_in(session, response, user, oidc.SESSION_METHOD, settings)
    if not me.memberships:
        structure_id = await oidc.structure_to_join(session, identity.claims)
        if structure_id is not None:
            response.headers["location"] = f"/compte?{urlencode({'rejoindre': structure_id})}"
    return response
