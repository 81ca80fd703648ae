"""The error responses of the API, documented once for every operation.

Every refusal has one JSON shape (``errors.py``): ``{"error": code, "detail": "message en
français"}``, plus ``fields`` for invalid input. ``ERROR_RESPONSES`` documents the
statuses any operation of ``/api/v1`` may answer with that shape; it is given to the
``/api/v1`` router (``APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES)`` in
main.py), so that FastAPI puts it in every operation of the OpenAPI document, and it
replaces FastAPI's own 422 (``HTTPValidationError``, a shape this API never returns).
A route's own ``responses=`` still wins for its statuses (e.g. the 409 of a probable
duplicate person, with its candidates).

Schemathesis (tests/proof/) checks that every status the API answers is documented and
that every body matches its schema.
"""

from typing import Any

from pydantic import BaseModel, Field


class Error(BaseModel):
    """A refusal: a stable code and a message for the user, in French."""

    error: str = Field(description="Code stable, ex. « introuvable », « interdit », « conflit »")
    detail: str = Field(description="Message en français, à montrer tel quel")


class FieldError(BaseModel):
    champ: str = Field(description="Chemin du champ, ex. « person_id » ou « adresse.commune »")
    message: str


class InvalidInputError(Error):
    """Invalid input: the fields at fault when the request could not be read (a domain
    rule broken by valid input has no ``fields``)."""

    fields: list[FieldError] | None = None


def _error(description: str, model: type[BaseModel] = Error) -> dict[str, Any]:
    return {"model": model, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("Requête illisible (corps qui n'est pas du JSON en UTF-8, formulaire mal formé…)"),
    401: _error("Non connecté·e (ou session expirée)"),
    403: _error("Interdit : droits insuffisants, ou jeton anti-CSRF absent"),
    404: _error("Introuvable (ou non visible pour vous)"),
    409: _error("Conflit avec l'état actuel (transition impossible, créneau complet, doublon…)"),
    413: _error("Requête trop volumineuse"),
    422: _error("Données invalides", InvalidInputError),
    429: _error("Trop de demandes : réessayer après le délai de l'en-tête Retry-After"),
    503: _error("Base de données momentanément indisponible (redémarrage…) : réessayer après Retry-After"),
}
