"""FastAPI dependencies: the request's principal, cookies and CSRF."""

from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from maillage.accounts.principal import ANONYMOUS, Principal
from maillage.accounts.service import principal_from_api_token, principal_from_session
from maillage.accounts.tokens import new_secret, same
from maillage.config import Settings
from maillage.db import SessionDep
from maillage.errors import Forbidden, Unauthorized
from maillage.ops import ratelimit

SESSION_COOKIE = "maillage_session"
CSRF_COOKIE = "maillage_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_MESSAGE = "Jeton anti-CSRF manquant ou invalide : rechargez la page puis recommencez."


def _bearer(request_headers) -> str | None:
    value = request_headers.get("authorization") or ""
    return value[7:].strip() if value.lower().startswith("bearer ") else None


async def get_principal(request: Request, session: SessionDep) -> Principal:
    token = _bearer(request.headers)
    if token:
        principal = await principal_from_api_token(session, token)
        if principal is None:
            await ratelimit.enforce(request, ratelimit.API_TOKEN_FAILURE)
            raise Unauthorized("Jeton d'API invalide ou révoqué.")
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = await principal_from_session(session, cookie)
        if found is not None:
            principal, user_session = found
            if request.method not in SAFE_METHODS and not same(request.headers.get(CSRF_HEADER), user_session.csrf_token):
                raise Forbidden(CSRF_MESSAGE)
            return principal
    return ANONYMOUS


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def set_session_cookies(response: Response, token: str, csrf: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=settings.session_hours * 3600, httponly=True,
        samesite="lax", secure=settings.secure_cookies, path="/",
    )
    set_csrf_cookie(response, csrf, settings)


def set_csrf_cookie(response: Response, csrf: str, settings: Settings) -> None:
    response.set_cookie(CSRF_COOKIE, csrf, httponly=False, samesite="lax", secure=settings.secure_cookies, path="/")


def clear_session_cookies(response: Response, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=settings.secure_cookies, httponly=True, samesite="lax")
    set_csrf_cookie(response, new_secret(), settings)


class CSRFMiddleware:
    """Double-submit check for every unsafe API request made with cookies: the
    ``X-CSRF-Token`` header must equal the ``maillage_csrf`` cookie (a site that is
    not ours can send the cookie but cannot read it). Requests authenticated by an
    API token carry no cookie authority and are exempt. Signed-in sessions are also
    checked against their own token in ``get_principal``."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS and scope["path"].startswith("/api/"):
            request = Request(scope)
            if not _bearer(request.headers) and not same(
                request.headers.get(CSRF_HEADER), request.cookies.get(CSRF_COOKIE)
            ):
                response = JSONResponse({"error": "interdit", "detail": CSRF_MESSAGE}, status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
