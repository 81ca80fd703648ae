"""Full-text, filtered and geographic search of published services.

Full text runs on PostgreSQL's text search (a stored ``tsvector`` with a GIN index)
or on SQLite's FTS5 (an external-content table kept by triggers); both index the
same normalised text (see ``directory.text``). Ranking: relevance, then distance,
then freshness.

Catégorie, public and mode d'accueil filters and the facet counts read
``service.tag_mask``, a column the database computes from the JSON lists (one bit
per code, layout below and in the migration): a filter is a bit test on the row
and the facets come out of the same pass as the total, instead of one
``service_tag`` probe per matching service. Sous-thématique filters still go
through ``service_tag``. A text search reads the matching rows once (counts and
page ids from one materialised CTE); a search without text runs two statements
that PostgreSQL answers from a covering index; the rows of the page are then
loaded by id. See docs/benchmarks.md for the measurements behind this shape.
"""

import math
from dataclasses import dataclass, field

from sqlalchemy import (
    ColumnElement,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.directory import referentials as ref
from maillage.directory.models import (
    Network,
    Service,
    ServiceStatus,
    ServiceTag,
    Structure,
    TagKind,
)
from maillage.directory.service import network_id_for_filter
from maillage.directory.text import tokens
from maillage.errors import InvalidInput
from maillage.pagination import PageParams

KM_PER_DEGREE = 111.32
SQLITE_FTS = table("service_fts")

# Bit layout of ``service.tag_mask``: the same frozen lists as the migration that
# computes the column (20261123_0001_directory.py). A code missing here (a newer
# referential) falls back to ``service_tag``.
MASK_CATEGORIES = (
    "choisir-un-metier", "creer-une-entreprise", "difficultes-administratives-ou-juridiques",
    "difficultes-financieres", "equipement-et-alimentation", "famille", "lecture-ecriture-calcul",
    "logement-hebergement", "mobilite", "numerique", "preparer-sa-candidature", "remobilisation", "sante",
    "se-former", "souvrir-a-linternational", "trouver-un-emploi",
)
MASK_PUBLICS = (
    "tous-publics", "actifs", "beneficiaires-des-minimas-sociaux", "demandeurs-emploi", "etudiants", "familles",
    "femmes", "jeunes", "personnes-en-situation-de-handicap", "personnes-en-situation-durgence",
    "personnes-en-situation-juridique-specifique", "personnes-exilees", "residents-qpv-frr", "seniors",
)
MASK_MODES = ("a-distance", "en-presentiel")
MASK_BITS: dict[tuple[TagKind, str], int] = {
    **{(TagKind.CATEGORIE, c): 1 << i for i, c in enumerate(MASK_CATEGORIES)},
    **{(TagKind.PUBLIC, p): 1 << (16 + i) for i, p in enumerate(MASK_PUBLICS)},
    **{(TagKind.MODE_ACCUEIL, m): 1 << (30 + i) for i, m in enumerate(MASK_MODES)},
}
CATEGORY_BITS = (1 << len(MASK_CATEGORIES)) - 1
TAG_MASK = literal_column("service.tag_mask")
# A literal (not a bound parameter) so that the planner always matches the partial
# indexes on published services, whatever plan a prepared statement ends up with.
PUBLISHED = Service.status == literal_column(f"'{ServiceStatus.PUBLISHED}'")


@dataclass(frozen=True)
class SearchQuery:
    q: str | None = None
    thematique: list[str] = field(default_factory=list)
    public: list[str] = field(default_factory=list)
    frais: list[str] = field(default_factory=list)
    mode_accueil: list[str] = field(default_factory=list)
    commune: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    accepts_referrals: bool | None = None
    network: str | None = None


@dataclass
class SearchResult:
    rows: list[tuple[Service, str, str, float | None]]
    total: int
    categories: dict[str, int]


def _check_codes(name: str, values: list[str], *referentials: dict) -> None:
    unknown = [v for v in values if not any(v in r for r in referentials)]
    if unknown:
        raise InvalidInput(
            f"Paramètres invalides : {name} « {', '.join(unknown)} » n'existe pas dans le référentiel."
        )


def validate(query: SearchQuery) -> None:
    _check_codes("thematique", query.thematique, ref.THEMATIQUES, ref.CATEGORIES)
    _check_codes("public", query.public, ref.PUBLICS)
    _check_codes("frais", query.frais, ref.FRAIS)
    _check_codes("mode_accueil", query.mode_accueil, ref.MODES_ACCUEIL)
    if (query.lat is None) != (query.lon is None):
        raise InvalidInput("Paramètres invalides : lat et lon vont ensemble.")
    if query.radius_km is not None and query.lat is None:
        raise InvalidInput("Paramètres invalides : radius_km demande aussi lat et lon.")


def _has_tag(kind: TagKind, codes: list[str]) -> ColumnElement[bool]:
    """The service lists one of ``codes`` (of that kind): a bit test on ``tag_mask``
    for the codes it covers, a ``service_tag`` lookup for any other."""
    bits = sum(MASK_BITS.get((kind, c), 0) for c in set(codes))
    others = [c for c in codes if (kind, c) not in MASK_BITS]
    parts = []
    if bits:
        parts.append(TAG_MASK.op("&")(literal_column(str(bits))) != 0)
    if others:
        parts.append(exists().where(
            ServiceTag.service_id == Service.id, ServiceTag.kind == kind, ServiceTag.code.in_(others)
        ))
    return or_(*parts)


def _thematique_condition(codes: list[str]) -> ColumnElement[bool]:
    themes = [c for c in codes if c in ref.THEMATIQUES]
    categories = [c for c in codes if c in ref.CATEGORIES]
    parts = []
    if themes:
        parts.append(_has_tag(TagKind.THEMATIQUE, themes))
    if categories:
        parts.append(_has_tag(TagKind.CATEGORIE, categories))
    return or_(*parts)


# A stem shorter than this is matched exactly, never as a prefix: "logements" stems
# to "log", and "log*" would also find "logistique" and "logiciel".
MIN_PREFIX_STEM = 5


def _text_match(dialect: str, words: list[str]) -> tuple[ColumnElement[bool], ColumnElement[float]]:
    """The full-text condition and a relevance score (higher is better); every word
    must match, the last one as a prefix (when long enough) so that a word being
    typed ("numéri", "condui") already finds what it begins."""
    prefix = len(words[-1]) >= MIN_PREFIX_STEM
    if dialect == "postgresql":
        tsquery = " & ".join(words[:-1] + [f"{words[-1]}:*" if prefix else words[-1]])
        ts = func.to_tsquery("simple", tsquery)
        vector = literal_column("service.search_vector")
        return vector.op("@@")(ts), func.ts_rank(vector, ts)
    match = " AND ".join([f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"' + ("*" if prefix else "")])
    ids = select(literal_column("rowid")).select_from(SQLITE_FTS).where(
        literal_column("service_fts").op("MATCH")(match)
    )
    rank = (
        select(-func.bm25(literal_column("service_fts"), 10.0, 1.0))
        .select_from(SQLITE_FTS)
        .where(literal_column("service_fts").op("MATCH")(match), literal_column("rowid") == Service.id)
        .scalar_subquery()
    )
    return Service.id.in_(ids), rank


def _geo(query: SearchQuery) -> tuple[list[ColumnElement[bool]], ColumnElement[float] | None]:
    """Equirectangular distance: exact enough at a territory's scale and portable
    (no trigonometry in SQL: cos(latitude) is computed here once)."""
    if query.lat is None or query.lon is None:
        return [], None
    cos_lat = math.cos(math.radians(query.lat))
    dy = (Service.latitude - query.lat) * KM_PER_DEGREE
    dx = (Service.longitude - query.lon) * (KM_PER_DEGREE * cos_lat)
    distance_sq = dx * dx + dy * dy
    conditions = []
    if query.radius_km is not None:
        dlat = query.radius_km / KM_PER_DEGREE
        dlon = query.radius_km / (KM_PER_DEGREE * max(cos_lat, 0.01))
        conditions += [
            Service.latitude.between(query.lat - dlat, query.lat + dlat),
            Service.longitude.between(query.lon - dlon, query.lon + dlon),
            distance_sq <= query.radius_km**2,
        ]
    return conditions, distance_sq


async def search_services(session: AsyncSession, query: SearchQuery, page: PageParams) -> SearchResult:
    validate(query)
    dialect = session.bind.dialect.name
    network_id = await network_id_for_filter(session, query.network)

    base: list[ColumnElement[bool]] = [PUBLISHED]
    if network_id is not None:
        base.append(Service.network_id == network_id)
    if query.public:
        base.append(_has_tag(TagKind.PUBLIC, [*query.public, "tous-publics"]))
    if query.mode_accueil:
        base.append(_has_tag(TagKind.MODE_ACCUEIL, query.mode_accueil))
    if query.frais:
        base.append(Service.frais.in_(query.frais))
    if query.accepts_referrals is not None:
        base.append(Service.accepts_referrals.is_(query.accepts_referrals))
    if query.commune:
        value = query.commune.strip()
        is_code = len(value) == 5 and value[2:].isdigit() and (value[:2].isdigit() or value[:2] in ("2A", "2B"))
        base.append(Service.code_insee == value if is_code else func.lower(Service.commune) == value.lower())
    rank: ColumnElement[float] | None = None
    words = tokens(query.q)
    if words:
        matches, rank = _text_match(dialect, words)
        base.append(matches)
    geo_conditions, distance_sq = _geo(query)
    base += geo_conditions

    hit = _thematique_condition(query.thematique) if query.thematique else None
    if rank is not None:
        counts, page_ids = await _text_pass(session, base, hit, rank, distance_sq, page)
    else:
        counts, page_ids = await _filter_passes(session, base, hit, distance_sq, page)
    total = sum(n for _cats, matched, n in counts if matched)
    categories: dict[str, int] = {}
    for bit, code in enumerate(MASK_CATEGORIES):
        count = sum(n for cats, _matched, n in counts if (cats or 0) >> bit & 1)
        if count:
            categories[code] = count
    categories.update(await _unmasked_category_counts(session, base))
    return SearchResult(rows=await _page_rows(session, page_ids), total=total, categories=categories)


Counts = list[tuple[int, bool, int]]  # (catégorie bits, matches the thématique filter, services)
PageIds = list[tuple[int, float | None]]  # (service id, squared distance), in page order


def _sort_keys(cols, ranked: bool, located: bool) -> list:
    """Relevance, then distance, then freshness (and the id, for a stable order)."""
    keys = [cols.rank.desc()] if ranked else []
    if located:
        keys.append(cols.distance_sq.asc())
    return keys + [cols.updated_at.desc(), cols.id]


def _key_columns(base_hit, rank, distance_sq) -> list[ColumnElement]:
    columns: list[ColumnElement] = [
        Service.id.label("id"),
        Service.updated_at.label("updated_at"),
        TAG_MASK.op("&")(literal_column(str(CATEGORY_BITS))).label("cats"),
        (base_hit if base_hit is not None else true()).label("hit"),
    ]
    if rank is not None:
        columns.append(rank.label("rank"))
    if distance_sq is not None:
        columns.append(distance_sq.label("distance_sq"))
    return columns


async def _text_pass(session, base, hit, rank, distance_sq, page: PageParams) -> tuple[Counts, PageIds]:
    """A text search reads each matching row once: the matches go to a CTE
    (materialised once, as it is read twice) that yields both the counts and the
    ids of the page, in a single statement."""
    matched = select(*_key_columns(hit, rank, distance_sq)).where(*base).cte("matched")
    m = matched.c
    chosen = (
        select(m).where(m.hit).order_by(*_sort_keys(m, True, distance_sq is not None))
        .offset(page.offset).limit(page.page_size).subquery("page")
    )
    c = chosen.c
    null = literal_column("NULL")
    located = distance_sq is not None
    statement = union_all(
        select(m.cats, m.hit, func.count(), null, null, null).group_by(m.cats, m.hit),
        select(null, null, null, c.id, func.row_number().over(order_by=_sort_keys(c, True, located)),
               c.distance_sq if located else null),
    )
    counts: Counts = []
    page_ids: list[tuple[int, int, float | None]] = []
    for cats, matched_filter, n, service_id, ordinal, dsq in (await session.execute(statement)).all():
        if service_id is None:
            counts.append((cats, bool(matched_filter), n))
        else:
            page_ids.append((ordinal, service_id, dsq))
    return counts, [(service_id, dsq) for _o, service_id, dsq in sorted(page_ids)]


async def _filter_passes(session, base, hit, distance_sq, page: PageParams) -> tuple[Counts, PageIds]:
    """Without text, two statements that PostgreSQL answers from the covering
    partial index on published services (no materialisation of every match)."""
    cats = TAG_MASK.op("&")(literal_column(str(CATEGORY_BITS))).label("cats")
    grouping: list[ColumnElement] = [cats] + ([hit.label("hit")] if hit is not None else [])
    counts: Counts = [
        (row[0], bool(row[1]) if hit is not None else True, row[-1])
        for row in (await session.execute(select(*grouping, func.count()).where(*base).group_by(*grouping))).all()
    ]
    filtered = base + ([hit] if hit is not None else [])
    located = distance_sq is not None
    keys = select(Service.id, distance_sq if located else literal_column("NULL")).where(*filtered)
    order = ([distance_sq.asc()] if located else []) + [Service.updated_at.desc(), Service.id]
    rows = (await session.execute(keys.order_by(*order).offset(page.offset).limit(page.page_size))).all()
    return counts, [(service_id, dsq) for service_id, dsq in rows]


async def _page_rows(session: AsyncSession, page_ids: PageIds) -> list[tuple[Service, str, str, float | None]]:
    if not page_ids:
        return []
    found = {
        service.id: (service, structure_nom, network)
        for service, structure_nom, network in (
            await session.execute(
                select(Service, Structure.nom, Network.slug)
                .join(Structure, Structure.id == Service.structure_id)
                .join(Network, Network.id == Service.network_id)
                .where(Service.id.in_([service_id for service_id, _dsq in page_ids]))
            )
        ).all()
    }
    return [
        (*found[service_id], None if dsq is None else math.sqrt(dsq))
        for service_id, dsq in page_ids
        if service_id in found
    ]


async def _unmasked_category_counts(session: AsyncSession, base: list[ColumnElement[bool]]) -> dict[str, int]:
    """Facet counts of catégories the mask does not cover (none with today's
    referential), from ``service_tag`` as before."""
    missing = [c for c in ref.CATEGORIES if (TagKind.CATEGORIE, c) not in MASK_BITS]
    if not missing:
        return {}
    return dict(
        (
            await session.execute(
                select(ServiceTag.code, func.count())
                .where(ServiceTag.kind == TagKind.CATEGORIE, ServiceTag.code.in_(missing),
                       ServiceTag.service_id.in_(select(Service.id).where(*base)))
                .group_by(ServiceTag.code)
            )
        ).all()
    )
