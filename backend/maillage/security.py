"""Security headers on every response, and request body size limits.

Content-Security-Policy of the app (SPA and API): only this origin's scripts, styles,
fonts, images (and ``data:`` images, which DSFR's CSS uses) and API calls; no frame may
embed the app; no plugin; forms and ``<base>`` stay on this origin.

One exception, ``style-src-attr 'unsafe-inline'``, and only in demo mode: the demo outbox
shows each email in a sandboxed ``srcdoc`` frame, which inherits the page's policy, and
emails carry their styles in ``style`` attributes (mail clients ignore style sheets).
Outside demo mode the outbox is not readable and the SPA needs no inline style
(Vue's style bindings set ``element.style``, which CSP does not govern): checked in
Chromium by tests/e2e/test_security_browser.py.

The interactive API documentation (``/api/v1/docs``) is Swagger UI from a CDN: a
version pinned with Subresource Integrity, and a policy of its own for that page only
(the CDN for its script and style, the hash of its inline start-up script).

Body limits: ``max_body_bytes`` for every request, a larger one for the document upload
(its 5 Mo file rule plus the multipart envelope). Refused with 413 before the body is
read when ``Content-Length`` says so, else as soon as the bytes received pass the limit.
"""

import base64
import hashlib
import re
from dataclasses import dataclass

from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from maillage.config import Settings
from maillage.referrals import attachments

CSP = "Content-Security-Policy"
_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(self), gyroscope=(), magnetometer=(), "
                      "microphone=(), payment=(), usb=()")
HSTS = "max-age=31536000; includeSubDomains"


def _serialise(policy: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in policy.items())


def content_security_policy(settings: Settings) -> str:
    policy = dict(_POLICY)
    if settings.demo:
        policy["style-src-attr"] = "'unsafe-inline'"
    return _serialise(policy)


def security_headers(settings: Settings) -> list[tuple[str, str]]:
    headers = [
        (CSP, content_security_policy(settings)),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if settings.hsts:
        headers.append(("Strict-Transport-Security", HSTS))
    return headers


class SecurityHeaders:
    """Adds the headers to every HTTP response; a response that set its own
    Content-Security-Policy (the API docs page) keeps it."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.headers = security_headers(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ---------------------------------------------------------------- API documentation

SWAGGER_VERSION = "5.35.0"
SWAGGER_BASE = f"https://cdn.jsdelivr.net/npm/swagger-ui-dist@{SWAGGER_VERSION}/"
# sha384 of the files of the npm package swagger-ui-dist at that version (the CDN serves
# them unchanged): ``npm pack swagger-ui-dist@X``, then ``openssl dgst -sha384 -binary F | base64``.
SWAGGER_JS_SRI = "sha384-gjRm0bEPMeTmMh5jT2cHccIwCUZSTd8YC+j0d0sXw0MdGEfScduGpSyF3ZSSLkX9"
SWAGGER_CSS_SRI = "sha384-WlYgdmXYOOBWL5apwjDEZwN+U3HmXSSu5R6V5aGxEcf7z+KuRNwBhoxKVN1i3D5I"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@dataclass(frozen=True)
class ApiDocs:
    html: str
    policy: str

    def response(self) -> HTMLResponse:
        return HTMLResponse(self.html, headers={CSP: self.policy})


def api_docs(openapi_url: str, title: str) -> ApiDocs:
    """Swagger UI's page, its assets pinned with integrity, and the policy it needs."""
    html = get_swagger_ui_html(
        openapi_url=openapi_url, title=title,
        swagger_js_url=f"{SWAGGER_BASE}swagger-ui-bundle.js", swagger_css_url=f"{SWAGGER_BASE}swagger-ui.css",
        swagger_favicon_url="/favicon.svg", swagger_ui_parameters={"validatorUrl": None},
    ).body.decode()
    html = html.replace('swagger-ui-bundle.js"', f'swagger-ui-bundle.js" integrity="{SWAGGER_JS_SRI}" '
                        'crossorigin="anonymous"')
    html = html.replace('swagger-ui.css"', f'swagger-ui.css" integrity="{SWAGGER_CSS_SRI}" crossorigin="anonymous"')
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    policy = _serialise({
        "default-src": "'none'",
        "script-src": f"{SWAGGER_BASE} {hashes}",
        "style-src": SWAGGER_BASE,
        "img-src": "'self' data:",
        "connect-src": "'self'",
        "base-uri": "'none'",
        "form-action": "'none'",
        "frame-ancestors": "'none'",
    })
    return ApiDocs(html, policy)


# ---------------------------------------------------------------- body size


@dataclass(frozen=True)
class BodyRule:
    method: str
    path: re.Pattern[str]
    max_bytes: int
    detail: str


# The upload's file rule (5 Mo) is checked by the route itself; this lets the multipart
# envelope through and stops anything much larger before it is read.
UPLOAD_RULES = (
    BodyRule("POST", re.compile(r"/api/v1/referrals/[^/]+/attachments"), attachments.MAX_SIZE + 64 * 1024,
             attachments.TOO_BIG),
)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.3g} Mo".replace(".", ",") if n >= 1024 * 1024 else f"{n // 1024} ko"


class _TooLarge(Exception):
    pass


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, rules: tuple[BodyRule, ...] = UPLOAD_RULES):
        self.app = app
        self.max_bytes = max_bytes
        self.rules = rules

    def _limit(self, scope: Scope) -> tuple[int, str]:
        for rule in self.rules:
            if scope["method"] == rule.method and rule.path.fullmatch(scope["path"]):
                return rule.max_bytes, rule.detail
        return self.max_bytes, f"La requête dépasse la taille autorisée ({_size(self.max_bytes)})."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, detail = self._limit(scope)

        async def refusal(scope: Scope, receive: Receive, send: Send) -> None:
            response = JSONResponse({"error": "trop_volumineux", "detail": detail}, status_code=413,
                                    headers={"Connection": "close"})
            await response(scope, receive, send)

        declared = next((v for k, v in scope.get("headers", ()) if k == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await refusal(scope, receive, send)
            return
        state = {"received": 0, "over": False, "started": False, "replaced": False}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["over"] = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # The app may have turned the interrupted read into an error of its own (FastAPI
            # answers 400 to a body it could not read): the answer is 413 all the same.
            if state["over"] and not state["started"]:
                state["started"] = state["replaced"] = True
                await refusal(scope, receive, send)
                return
            if state["replaced"]:
                return
            state["started"] = state["started"] or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not state["over"]:
                raise
            if not state["started"]:
                await refusal(scope, receive, send)
