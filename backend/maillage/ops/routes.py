"""Probes and metrics, at the root (outside ``/api/v1`` and the OpenAPI document)."""

import hmac
import ipaddress

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from maillage.config import Settings
from maillage.ops import readiness
from maillage.ops.metrics import database_metrics, process_metrics

router = APIRouter(include_in_schema=False)
NOT_FOUND = {"error": "introuvable", "detail": "Ressource introuvable."}
# Set by a reverse proxy: such a request came from elsewhere even if the proxy is local.
_FORWARDED = ("x-forwarded-for", "forwarded", "x-real-ip")


@router.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request):
    problem = await readiness.problem(request.app.state.engine)
    if problem:
        return JSONResponse({"error": "indisponible", "detail": problem}, status_code=503,
                            headers={"Cache-Control": "no-store"})
    return {"status": "ok"}


def _loopback(request: Request) -> bool:
    if request.client is None or any(name in request.headers for name in _FORWARDED):
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def metrics_allowed(request: Request, settings: Settings) -> bool:
    """With the token of ``MAILLAGE_METRICS_TOKEN`` as a bearer, or from this machine
    without a proxy in between."""
    if settings.metrics_token:
        value = request.headers.get("authorization") or ""
        if value.lower().startswith("bearer ") and hmac.compare_digest(
            value[7:].strip().encode(), settings.metrics_token.encode()
        ):
            return True
    return _loopback(request)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    if not metrics_allowed(request, request.app.state.settings):
        return JSONResponse(NOT_FOUND, status_code=404)
    body = process_metrics() + await database_metrics(request.app.state.engine)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
