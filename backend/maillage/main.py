"""The FastAPI application: API under /api/v1, probes and metrics (ops/), security headers and
limits (security.py), and the SPA at /."""

import asyncio
import contextlib
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel
from starlette.staticfiles import StaticFiles

from maillage import jobs
from maillage.accounts.admin_routes import router as admin_router
from maillage.accounts.deps import CSRFMiddleware
from maillage.accounts.oidc_routes import router as oidc_router
from maillage.accounts.routes import router as accounts_router
from maillage.accounts.team_routes import router as team_router
from maillage.appointments.booking_routes import router as bookings_router
from maillage.appointments.routes import router as appointments_router
from maillage.config import Settings, get_settings
from maillage.datainclusion.routes import router as datainclusion_router
from maillage.db import make_engine, make_sessionmaker
from maillage.directory.manage_routes import router as manage_router
from maillage.directory.routes import router as directory_router
from maillage.errors import install_error_handlers
from maillage.notifications.routes import router as notifications_router
from maillage.openapi_errors import ERROR_RESPONSES
from maillage.ops.logs import configure_logging
from maillage.ops.requests import RequestObservability
from maillage.ops.routes import router as ops_router
from maillage.people.routes import router as people_router
from maillage.referrals.queue_routes import router as queue_router
from maillage.stats.routes import router as stats_router
from maillage.referrals.routes import router as referrals_router
from maillage.security import BodySizeLimit, SecurityHeaders, api_docs

API_PREFIX = "/api/v1"


class AppConfig(BaseModel):
    operator_name: str
    operator_tagline: str
    demo: bool
    default_network: str | None


def _config_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["application"])

    @router.get("/config", response_model=AppConfig, summary="Réglages publics de l'instance")
    async def config() -> AppConfig:
        return AppConfig(
            operator_name=settings.operator_name,
            operator_tagline=settings.operator_tagline,
            demo=settings.demo,
            default_network=settings.default_network,
        )

    return router


def _mount_spa(app: FastAPI, static_dir: Path) -> None:
    """Serve the built frontend; unknown non-API paths get index.html (history mode)."""
    index = static_dir / "index.html"
    if (static_dir / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=static_dir / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str):
        if path.startswith(API_PREFIX.lstrip("/")):
            return JSONResponse({"error": "introuvable", "detail": "Ressource introuvable."}, status_code=404)
        candidate = (static_dir / path).resolve()
        if path and candidate.is_file() and static_dir.resolve() in candidate.parents:
            return FileResponse(candidate)
        if index.is_file():
            return FileResponse(index)
        return JSONResponse(
            {"error": "introuvable", "detail": "L'interface n'est pas construite : lancez « make run »."},
            status_code=404,
        )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        runner = None
        if settings.run_jobs_in_process:
            runner = asyncio.create_task(jobs.loop(app.state.sessionmaker, settings))
        yield
        if runner is not None:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        await app.state.engine.dispose()

    app = FastAPI(
        title=f"{settings.operator_name} — API",
        version="1",
        description="Annuaire, orientations et rendez-vous d'un réseau local des acteurs de l'insertion.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served below, with its own Content-Security-Policy
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url, echo=settings.sql_echo)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    install_error_handlers(app)
    # Outermost last: headers on every response, then ids, timing and logs, then limits.
    app.add_middleware(CSRFMiddleware)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestObservability)
    app.add_middleware(SecurityHeaders, settings=settings)
    app.include_router(ops_router)
    docs = api_docs(app.openapi_url, f"{app.title} — documentation")

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False, response_class=HTMLResponse)
    async def api_documentation() -> HTMLResponse:
        return docs.response()

    api = APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES)  # the error statuses, documented once
    api.include_router(_config_router(settings))
    api.include_router(accounts_router)
    api.include_router(oidc_router)
    api.include_router(team_router)
    api.include_router(admin_router)
    api.include_router(directory_router)
    api.include_router(manage_router)
    api.include_router(notifications_router)
    api.include_router(people_router)
    api.include_router(referrals_router)
    api.include_router(queue_router)
    api.include_router(stats_router)
    api.include_router(appointments_router)
    api.include_router(bookings_router)
    api.include_router(datainclusion_router)
    app.include_router(api)
    _mount_spa(app, settings.static_dir)
    return app
