"""The mix of searches the benchmark times: what counsellors type into the directory.

Each kind gives the query-string parameters of the i-th request; kinds that depend
on a place or a network rotate over several, so that the timings are not those of
one hot page of the index."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from maillage.bench.places import DEPARTEMENTS
from maillage.directory.search import SearchQuery
from maillage.pagination import PageParams

PAGE_SIZE = 20

# Town centres for the geographic searches (département code, town index).
_GEO = [(d, t) for d in DEPARTEMENTS for t in d.towns[:1]
        if d.code in ("69", "59", "13", "31", "44", "33", "67", "35", "34", "93")]
# Networks for the network-scoped searches: the ten largest.
_NETWORKS = [d.slug for d in sorted(DEPARTEMENTS, key=lambda d: -d.weight)[:10]]


@dataclass(frozen=True)
class QueryKind:
    key: str
    label: str
    params: Callable[[int], dict[str, Any]]


def _geo(i: int) -> dict[str, Any]:
    _d, town = _GEO[i % len(_GEO)]
    return {"q": "emploi", "lat": town.latitude, "lon": town.longitude, "radius_km": 10}


MIX: tuple[QueryKind, ...] = (
    QueryKind("text", "texte « logement »", lambda i: {"q": "logement"}),
    QueryKind("two_words", "deux mots « permis conduire »", lambda i: {"q": "permis conduire"}),
    QueryKind("prefix", "préfixe « numéri »", lambda i: {"q": "numéri"}),
    QueryKind("text_category", "texte + catégorie", lambda i: {"q": "accompagnement", "thematique": "logement-hebergement"}),
    QueryKind("category", "catégorie seule", lambda i: {"thematique": "mobilite"}),
    QueryKind("public_frais", "public + frais", lambda i: {"public": "jeunes", "frais": "gratuit"}),
    QueryKind("geo", "10 km autour d'une ville + texte", _geo),
    QueryKind("network", "réseau + texte", lambda i: {"network": _NETWORKS[i % len(_NETWORKS)], "q": "formation"}),
    QueryKind("no_result", "aucun résultat", lambda i: {"q": "xylophone"}),
    QueryKind("page5", "page 5 d'une requête large", lambda i: {"q": "aide", "page": 5}),
)


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def to_search(params: dict[str, Any]) -> tuple[SearchQuery, PageParams]:
    """The query-string parameters as the route turns them into a ``SearchQuery``."""
    query = SearchQuery(
        q=params.get("q"),
        thematique=_listed(params.get("thematique")),
        public=_listed(params.get("public")),
        frais=_listed(params.get("frais")),
        mode_accueil=_listed(params.get("mode_accueil")),
        commune=params.get("commune"),
        lat=params.get("lat"),
        lon=params.get("lon"),
        radius_km=params.get("radius_km"),
        accepts_referrals=params.get("accepts_referrals"),
        network=params.get("network"),
    )
    return query, PageParams(page=params.get("page", 1), page_size=params.get("page_size", PAGE_SIZE))
