"""Domain errors and the single JSON error shape ``{"error": code, "detail": "message"}``."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException


class DomainError(Exception):
    status_code = 400
    code = "erreur"
    headers: dict[str, str] | None = None

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    status_code = 404
    code = "introuvable"


class Conflict(DomainError):
    status_code = 409
    code = "conflit"


class Unauthorized(DomainError):
    status_code = 401
    code = "non_connecte"


class TooManyRequests(DomainError):
    status_code = 429
    code = "trop_de_demandes"


class RateLimited(TooManyRequests):
    """A rate limit (``maillage.ops.ratelimit``): says when to come back (``Retry-After``)."""

    def __init__(self, detail: str, retry_after_seconds: int):
        super().__init__(detail)
        self.retry_after_seconds = max(1, int(retry_after_seconds))
        self.headers = {"Retry-After": str(self.retry_after_seconds)}


class Forbidden(DomainError):
    status_code = 403
    code = "interdit"


class InvalidInput(DomainError):
    status_code = 422
    code = "donnees_invalides"


_MESSAGES = {
    "missing": "ce champ est obligatoire",
    "int_parsing": "doit être un nombre entier",
    "int_type": "doit être un nombre entier",
    "float_parsing": "doit être un nombre",
    "float_type": "doit être un nombre",
    "bool_parsing": "doit valoir true ou false",
    "bool_type": "doit valoir true ou false",
    "string_type": "doit être une chaîne de caractères",
    "json_invalid": "le corps de la requête n'est pas un JSON valide",
    "extra_forbidden": "champ inconnu",
}


def _french(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind in ("greater_than_equal", "greater_than"):
        return f"doit être supérieur ou égal à {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"doit être inférieur ou égal à {ctx.get('le', ctx.get('lt'))}"
    if kind == "enum":
        return f"valeur inconnue (valeurs possibles : {ctx.get('expected', '')})"
    if kind == "string_too_short":
        return f"doit contenir au moins {ctx.get('min_length')} caractère(s)"
    if kind == "string_too_long":
        return f"doit contenir au plus {ctx.get('max_length')} caractères"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "valeur invalide")))
    return "valeur invalide"


def _field_name(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("query", "body", "path", "header")]
    return ".".join(parts) or "requête"


def validation_detail(errors: list[dict]) -> tuple[str, list[dict]]:
    fields = [{"champ": _field_name(e.get("loc", ())), "message": _french(e)} for e in errors]
    detail = "Paramètres invalides : " + " ; ".join(f"{f['champ']} {f['message']}" for f in fields)
    return detail, fields


_HTTP_CODES = {
    400: ("requete_illisible", "Requête illisible : le corps n'est pas un JSON ou un formulaire valide en UTF-8."),
    404: ("introuvable", "Ressource introuvable."),
    405: ("methode_interdite", "Méthode non autorisée."),
}
OUT_OF_RANGE = "Paramètres invalides : une valeur dépasse ce que la base de données accepte (identifiant trop grand…)."
DATABASE_AWAY = "Service momentanément indisponible : la base de données ne répond pas, réessayez dans un instant."
DATABASE_AWAY_RETRY_SECONDS = 5
log = logging.getLogger("maillage.errors")


def _database_away(exc: BaseException) -> bool:
    """The database restarting, failing over or unreachable (connection refused or lost;
    PostgreSQL's class 08, or 57P01-57P03: shutting down, starting up)."""
    if isinstance(exc, ConnectionError) or getattr(exc, "connection_invalidated", False):
        return True
    orig = getattr(exc, "orig", None)
    state = str(getattr(orig, "sqlstate", None) or "")
    return (state.startswith("08") or state in ("57P01", "57P02", "57P03")
            or isinstance(getattr(orig, "__cause__", None), ConnectionError))


def _out_of_range(exc: BaseException) -> bool:
    """A value the database cannot even take (an id past the integer range…): invalid
    input, not a server error. SQLite: ``OverflowError`` before sending; asyncpg: its
    ``DataError`` (a ``ValueError``) before sending, or PostgreSQL's class 22 (data exception)."""
    if isinstance(exc, OverflowError):
        return True
    orig = getattr(exc, "orig", None)
    return isinstance(getattr(orig, "__cause__", None), ValueError) or str(
        getattr(orig, "sqlstate", None) or "").startswith("22")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "detail": exc.detail}, status_code=exc.status_code,
                            headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        detail, fields = validation_detail(list(exc.errors()))
        return JSONResponse(
            {"error": "donnees_invalides", "detail": detail, "fields": fields}, status_code=422
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(ConnectionError)
    @app.exception_handler(DBAPIError)
    async def _database(_request: Request, exc: Exception) -> JSONResponse:
        if _out_of_range(exc):
            return JSONResponse({"error": "donnees_invalides", "detail": OUT_OF_RANGE}, status_code=422)
        if _database_away(exc):
            log.warning("base de données indisponible : %s", type(exc).__name__)
            return JSONResponse({"error": "indisponible", "detail": DATABASE_AWAY}, status_code=503,
                                headers={"Retry-After": str(DATABASE_AWAY_RETRY_SECONDS)})
        raise exc

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, default = _HTTP_CODES.get(exc.status_code, ("erreur", "Erreur."))
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code not in _HTTP_CODES else default
        return JSONResponse({"error": code, "detail": detail}, status_code=exc.status_code)
