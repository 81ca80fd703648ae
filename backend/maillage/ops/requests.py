"""The request middleware: a request id (the client's ``X-Request-ID`` when it is a sane
token, else a new one) echoed in the response and attached to every log line written
while the request is served; the latency histogram by route template; one access line;
and an unexpected error turned into the JSON 500 of the API with its traceback logged."""

import logging
import time
import uuid

import fastapi.routing

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from maillage.ops.logs import request_id_var, sane_request_id
from maillage.ops.metrics import observe_request

REQUEST_ID_HEADER = "X-Request-ID"
access_log = logging.getLogger("maillage.access")
error_log = logging.getLogger("maillage.errors")
# Probes and scrapes every few seconds: counted, but logged only at DEBUG.
QUIET_ROUTES = {"/healthz", "/readyz", "/metrics"}
INTERNAL_ERROR = {"error": "erreur_interne",
                  "detail": "Erreur interne du serveur : l'incident est journalisé, réessayez plus tard."}


def _full_templates(app) -> dict[int, str]:
    """Route object → its full path template. FastAPI ≥ 0.16x includes routers lazily (a
    route keeps the path relative to its router); before, ``route.path`` is already full."""
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    if iterate is None or app is None:
        return {}
    return {id(context.original_route): context.path_format for context in iterate(app.router.routes)
            if context.path_format}


def route_template(scope: Scope, templates: dict[int, str]) -> str:
    """``/api/v1/people/{person_id}``, never the path itself (ids, or worse, in it)."""
    route = scope.get("route")
    if route is None:
        return "(aucune route)"
    path = templates.get(id(route)) or getattr(route, "path_format", None) or getattr(route, "path", None)
    return path if isinstance(path, str) and path else "(aucune route)"


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            return sane_request_id(value.decode("latin-1"))
    return None


class RequestObservability:
    def __init__(self, app: ASGIApp):
        self.app = app
        self.templates: dict[int, str] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.templates is None:
            self.templates = _full_templates(scope.get("app"))
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        state = {"status": 500, "started": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["started"] = True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_log.exception("Erreur non prévue pendant %s %s", scope["method"],
                                route_template(scope, self.templates))
            if state["started"]:
                raise  # too late for an error response: the server closes the connection
            await JSONResponse(INTERNAL_ERROR, status_code=500)(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope, self.templates)
            observe_request(scope["method"], route, state["status"], seconds)
            status = state["status"]
            level = logging.DEBUG if route in QUIET_ROUTES else logging.ERROR if status >= 500 else logging.INFO
            access_log.log(level, "%s %s %s", scope["method"], route, status, extra={
                "method": scope["method"], "route": route, "status": status,
                "duration_ms": round(seconds * 1000, 1),
            })
            request_id_var.reset(token)
