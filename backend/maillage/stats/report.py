"""Reading a snapshot: sum a scope's cells over the period, compute each figure and table,
and protect them (``protect``) before anything leaves the server."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.directory import referentials as ref
from maillage.people.models import GENDER_LABELS as PERSON_GENDER_LABELS
from maillage.people.models import HEARD_VIA_LABELS
from maillage.referrals.models import OUTCOME_LABELS, Outcome
from maillage.referrals.stall import STALL_LABELS, StallRule
from maillage.stats.definitions import BY_KEY, SECTIONS
from maillage.stats.models import StatsCell
from maillage.stats.protect import (
    THRESHOLD,
    hidden_cells,
    rate_hidden,
    rest_hidden,
    small,
)
from maillage.stats.schemas import Column, Figure, Row, Section, Table, Value
from maillage.stats.sql import DELAY_CAP

JOB_OUTCOMES = (Outcome.DURABLE_JOB, Outcome.TRANSITION_JOB, Outcome.BUSINESS_CREATION)
DURABLE_OUTCOMES = (Outcome.DURABLE_JOB, Outcome.QUALIFYING_TRAINING)
AGE_LABELS = {"moins-26": "Moins de 26 ans", "26-49": "26 à 49 ans", "50-plus": "50 ans et plus",
              "inconnu": "Non renseigné"}
GENDER_LABELS = {**{k.value: v for k, v in PERSON_GENDER_LABELS.items()}, "inconnu": "Non renseigné"}
CHANNEL_LABELS = {**{k.value: v for k, v in HEARD_VIA_LABELS.items()}, "inconnu": "Non renseigné"}
HIDDEN = f"< {THRESHOLD}"
HIDDEN_PEOPLE = f"< {THRESHOLD} personnes"
NONE = Value(value=None, display="—", suppressed=False)


@dataclass
class Cells:
    """A scope's cells summed over the period (``now`` cells included as they are)."""

    totals: dict[tuple[str, str], int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)

    def get(self, metric: str, dim: str = "") -> int:
        return self.totals.get((metric, dim), 0)

    def dims(self, metric: str) -> dict[str, int]:
        return {d: v for (m, d), v in self.totals.items() if m == metric}


async def load_cells(session: AsyncSession, run_id: int, scope: str, scope_id: int, start: str, end: str,
                     *, breakdowns: bool = True) -> Cells:
    """Two queries on the cell table's primary key: the sums over the period, and the
    referrals month by month."""
    where = (StatsCell.run_id == run_id, StatsCell.scope == scope, StatsCell.scope_id == scope_id)
    in_period = (StatsCell.month >= start) & (StatsCell.month <= end)
    query = (select(StatsCell.metric, StatsCell.dim, func.sum(StatsCell.value))
             .where(*where, in_period | (StatsCell.month == "now"))
             .group_by(StatsCell.metric, StatsCell.dim))
    if not breakdowns:
        query = query.where(StatsCell.metric.not_in(("by_sender", "by_receiver", "need")))
    cells = Cells(totals={(m, d): int(v) for m, d, v in (await session.execute(query)).all()})
    if breakdowns:
        rows = await session.execute(select(StatsCell.month, StatsCell.value)
                                     .where(*where, in_period, StatsCell.metric == "sent", StatsCell.dim == ""))
        cells.by_month = {m: int(v) for m, v in rows.all()}
    return cells


def number(n: float) -> str:
    return f"{n:,.0f}".replace(",", "\u202f")


def count_value(n: int, hidden: bool) -> Value:
    return Value(value=None, display=HIDDEN, suppressed=True) if hidden else Value(value=n, display=number(n),
                                                                                    suppressed=False)


def percent_value(numerator: int, denominator: int, hidden: bool) -> Value:
    if denominator == 0:
        return NONE
    if hidden:
        return Value(value=None, display=HIDDEN_PEOPLE, suppressed=True)
    share = 100 * numerator / denominator
    return Value(value=round(share, 1), display=f"{share:.0f}\u00a0%", suppressed=False)


def median_days(histogram: Mapping[str, int]) -> int | None:
    """The lower median of a day-by-day histogram (``sql.DELAY_CAP`` = beyond 60 days)."""
    buckets = sorted((int(k), v) for k, v in histogram.items())
    population = sum(v for _, v in buckets)
    if population == 0:
        return None
    seen = 0
    for day, count in buckets:
        seen += count
        if 2 * seen >= population:
            return day
    return buckets[-1][0]


def days_value(histogram: Mapping[str, int]) -> Value:
    population = sum(histogram.values())
    if population == 0:
        return NONE
    if small(population):
        return Value(value=None, display=HIDDEN_PEOPLE, suppressed=True)
    day = median_days(histogram)
    if day >= DELAY_CAP:
        return Value(value=None, display="plus de 60\u00a0j", suppressed=False)
    return Value(value=day, display=f"{day}\u00a0j", suppressed=False)


@dataclass(frozen=True)
class Measure:
    """How one figure is computed from a scope's cells: its value, what it is computed
    over (for « sur … »), and its parts for the rest-of-network rule."""

    unit: str
    compute: Callable[[Cells], tuple[Value, str | None, tuple[int, ...]]]


def _count(metric_sum: Callable[[Cells], int]) -> Measure:
    def compute(c: Cells):
        n = metric_sum(c)
        return count_value(n, small(n)), None, (n,)
    return Measure("count", compute)


def _rate(num: Callable[[Cells], int], den: Callable[[Cells], int], what: str,
          extra_hidden: Callable[[Cells], bool] = lambda c: False) -> Measure:
    def compute(c: Cells):
        n, d = num(c), den(c)
        hidden = rate_hidden(n, d) or extra_hidden(c)
        basis = f"sur {HIDDEN if small(d) else number(d)} {what}" if d else None
        return percent_value(n, d, hidden), basis, (n, d - n)
    return Measure("percent", compute)


def _median(metric: str, what: str) -> Measure:
    def compute(c: Cells):
        histogram = c.dims(metric)
        n = sum(histogram.values())
        basis = f"sur {HIDDEN if small(n) else number(n)} {what}" if n else None
        return days_value(histogram), basis, (n,)
    return Measure("days", compute)


def _metric(name: str, dim: str = "") -> Callable[[Cells], int]:
    return lambda c: c.get(name, dim)


def _sum_dims(name: str, dims=None) -> Callable[[Cells], int]:
    return lambda c: sum(v for d, v in c.dims(name).items() if dims is None or d in dims)


def _outcomes_hidden(c: Cells) -> set[str]:
    return hidden_cells({o.value: c.get("closed", o.value) for o in Outcome})


def _any_outcome_hidden(outcomes) -> Callable[[Cells], bool]:
    return lambda c: bool(_outcomes_hidden(c) & {o.value for o in outcomes})


MEASURES: dict[str, Measure] = {
    "sent": _count(_metric("sent")),
    "answer-rate": _rate(_metric("answered"), _metric("answerable"), "orientations"),
    "answer-delay": _median("answer_delay", "réponses"),
    "expired-share": _rate(_metric("expired"), _metric("answerable"), "orientations"),
    "contacted-15": _rate(_metric("contacted_15"), _metric("accepted_15"), "orientations acceptées"),
    "honoured-delay": _median("honoured_delay", "orientations avec un RDV honoré"),
    "honoured-30": _rate(_metric("honoured_30"), _metric("eligible_30"), "orientations"),
    "honoured-45": _rate(_metric("honoured_45"), _metric("eligible_45"), "orientations"),
    "no-show": _rate(_metric("bookings_missed"), lambda c: c.get("bookings_missed") + c.get("bookings_honoured"),
                     "rendez-vous"),
    "stalled-now": _count(_sum_dims("stalled")),
    "acted": _count(_metric("acted")),
    "reconnected": _rate(_metric("reconnected"), _metric("acted"), "interventions"),
    "without-solution": _count(_metric("without_solution")),
    "closed": _count(_sum_dims("closed")),
    "job-share": _rate(_sum_dims("closed", {o.value for o in JOB_OUTCOMES}), _sum_dims("closed"), "sorties",
                       _any_outcome_hidden(JOB_OUTCOMES)),
    "durable-share": _rate(_sum_dims("closed", {o.value for o in DURABLE_OUTCOMES}), _sum_dims("closed"),
                           "sorties", _any_outcome_hidden(DURABLE_OUTCOMES)),
    "people": _count(_sum_dims("people_age")),
}
SECTION_FIGURES = {
    "orientations": ("sent",),
    "reponse": ("answer-rate", "answer-delay", "expired-share"),
    "prise-en-charge": ("contacted-15", "honoured-delay", "honoured-30", "honoured-45", "no-show"),
    "souffrance": ("stalled-now", "acted", "reconnected", "without-solution"),
    "sorties": ("closed", "job-share", "durable-share"),
    "personnes": ("people",),
}
# The breakdowns by structure that say something in each scope.
COUNTERPARTS = {
    "network": (("by_sender", "par-structure-emettrice"), ("by_receiver", "par-structure-destinataire")),
    "received": (("by_sender", "par-structure-emettrice"),),
    "service": (("by_sender", "par-structure-emettrice"),),
    "sent": (("by_receiver", "par-structure-destinataire"),),
}
SENT_LABELS = {"network": "Orientations", "received": "Orientations reçues", "sent": "Orientations envoyées",
               "service": "Orientations reçues par le service"}


def figure(key: str, scope: str, own: Cells, network: Cells | None) -> Figure:
    measure = MEASURES[key]
    value, basis, parts = measure.compute(own)
    network_value = None
    if network is not None:
        net_value, _, net_parts = measure.compute(network)
        if net_value.value is not None and rest_hidden(net_parts, parts):
            net_value = Value(value=None, display=HIDDEN_PEOPLE if measure.unit != "count" else HIDDEN,
                              suppressed=True)
        network_value = net_value
    indicator = BY_KEY[key]
    label = SENT_LABELS[scope] if key == "sent" else indicator.label
    return Figure(key=key, label=label, unit=measure.unit, value=value, basis=basis, network=network_value,
                  definition=indicator.definition)


def partition_rows(cells: Mapping[str, int], labels: Mapping[str, str], order: list[str]) -> tuple[list[Row], Row]:
    """Rows of a table whose cells add up to its total, protected (rules 1 and 2)."""
    hidden = hidden_cells(cells)
    total = sum(cells.values())
    rows = [Row(key=k, label=labels.get(k, k), cells=[count_value(cells.get(k, 0), k in hidden)]) for k in order]
    return rows, Row(key="total", label="Total", cells=[count_value(total, small(total))])


def table(key: str, columns: list[Column], rows: list[Row], total: Row | None, chart: str) -> Table:
    indicator = BY_KEY[key]
    return Table(key=key, title=indicator.label, definition=indicator.definition, columns=columns, rows=rows,
                 total=total, chart=chart)


def months_between(start: str, end: str) -> list[str]:
    year, month = int(start[:4]), int(start[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


MONTH_NAMES = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def month_label(month: str) -> str:
    return f"{MONTH_NAMES[int(month[5:]) - 1]} {month[:4]}"


def _by_count(cells: Mapping[str, int], labels: Mapping[str, str]) -> list[str]:
    return sorted((k for k, v in cells.items() if v), key=lambda k: (-cells[k], labels.get(k, k)))


def tables_for(section: str, scope: str, c: Cells, start: str, end: str, names: Mapping[str, str]) -> list[Table]:
    people = [Column(key="personnes", label="Personnes")]
    referrals = [Column(key="orientations", label="Orientations")]
    if section == "orientations":
        months = months_between(start, end)
        rows, total = partition_rows(c.by_month, {m: month_label(m) for m in months}, months)
        out = [table("par-mois", referrals, rows, total, "line")]
        needs = c.dims("need")
        labels = {k: ref.label(ref.CATEGORIES, k) for k in needs}
        out.append(table("par-besoin", referrals,
                         [Row(key=k, label=labels[k], cells=[count_value(needs[k], small(needs[k]))])
                          for k in _by_count(needs, labels)], None, "bar"))
        for metric, key in COUNTERPARTS[scope]:
            cells = c.dims(metric)
            rows, total = partition_rows(cells, names, _by_count(cells, names))
            out.append(table(key, referrals, rows, total, "none"))
        return out
    if section == "souffrance":
        rules = [r.value for r in StallRule]
        rows, total = partition_rows(c.dims("stalled"), {r.value: STALL_LABELS[r] for r in StallRule}, rules)
        return [table("stalled-par-regle", referrals, rows, total, "bar")]
    if section == "sorties":
        outcomes = [o.value for o in Outcome]
        rows, total = partition_rows(c.dims("closed"), {o.value: OUTCOME_LABELS[o] for o in Outcome}, outcomes)
        return [table("sorties", referrals, rows, total, "bar")]
    if section == "personnes":
        ages, genders = c.dims("people_age"), c.dims("people_gender")
        age_rows, age_total = partition_rows(ages, AGE_LABELS, list(AGE_LABELS))
        gender_rows, gender_total = partition_rows(genders, GENDER_LABELS, list(GENDER_LABELS))
        return [table("age", people, age_rows, age_total, "bar"),
                table("genre", people, gender_rows, gender_total, "bar"),
                table("canaux", people + [Column(key="part", label="Part des personnes", unit="percent")],
                      _top_channels(c.dims("people_channel")), None, "none")]
    return []


def _top_channels(channels: Mapping[str, int]) -> list[Row]:
    """The three most cited channels, protected as the whole partition of the channels
    (the others stay hidden in the total)."""
    hidden = hidden_cells(channels)
    total = sum(channels.values())
    known = {k: v for k, v in channels.items() if k != "inconnu"}
    rows = []
    for k in _by_count(known, CHANNEL_LABELS)[:3]:
        n = channels[k]
        rows.append(Row(key=k, label=CHANNEL_LABELS.get(k, k),
                        cells=[count_value(n, k in hidden), percent_value(n, total, k in hidden)]))
    return rows


def sections(scope: str, own: Cells, network: Cells | None, start: str, end: str,
             names: Mapping[str, str]) -> list[Section]:
    out = []
    for key, title in SECTIONS.items():
        figures = [figure(f, scope, own, network) for f in SECTION_FIGURES[key]
                   if not (f == "without-solution" and scope in ("received", "service"))]
        out.append(Section(key=key, title=title, figures=figures,
                           tables=tables_for(key, scope, own, start, end, names)))
    return out


def structure_ids(c: Cells) -> set[int]:
    ids: set[int] = set()
    for metric in ("by_sender", "by_receiver"):
        ids.update(int(d) for d in c.dims(metric))
    return ids

