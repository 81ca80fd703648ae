"""Computing a network's indicator snapshot: a few set-based ``INSERT … SELECT`` that
aggregate every referral, booking and person of the network by scope, month and
dimension (see ``models.StatsCell``). No row goes through Python, so a network of a
million referrals is computed by the database in one pass per family.

Which month a referral counts in (the cohort) is part of each indicator's definition
(``definitions``): the month it was sent for the volume, answer and follow-up figures,
the month it was closed for outcomes, the appointment's month for the no-show rate, the
month of the animator's first action for reconnections, and the month of a person's
first referral in the scope for the people figures."""

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, insert, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.db import UTCDateTime, utcnow
from maillage.directory.models import Network
from maillage.referrals.models import Referral, ReferralStatus
from maillage.referrals.queue import without_solution
from maillage.referrals.rules import rules_for
from maillage.referrals.stall import StallRule, not_snoozed, rule_condition
from maillage.stats.models import StatsCell, StatsRun
from maillage.stats.sql import Dialect

# (scope, the referral column that identifies it)
SCOPES = (("network", "CAST(0 AS integer)"), ("received", "f.receiver_structure_id"), ("sent", "f.sender_structure_id"),
          ("service", "f.service_id"))
CONTACT_WITHIN_DAYS = 15
HONOURED_WITHIN_DAYS = (30, 45)
# The counts of ``facts`` per scope and month (metric name = column name).
FACT_COUNTS = ("sent", "answerable", "answered", "expired", "accepted_15", "contacted_15", "eligible_30",
               "honoured_30", "eligible_45", "honoured_45")
ANIMATOR_KINDS = ("relance", "contact")


def _facts(d: Dialect) -> str:
    """One row per referral of the network with everything the referral families need."""
    open_ = "NOT (r.status = 'cancelled' AND r.answered_at IS NULL)"
    accepted = f"r.status IN ('{ReferralStatus.ACCEPTED.value}', '{ReferralStatus.CLOSED.value}')"
    within = " ".join(
        f"""CASE WHEN {open_} AND r.sent_at <= :now_{n} THEN 1 ELSE 0 END AS eligible_{n},
            CASE WHEN {open_} AND r.sent_at <= :now_{n} AND fh.first_at <= {d.plus_days('r.sent_at', n)}
                 THEN 1 ELSE 0 END AS honoured_{n},"""
        for n in HONOURED_WITHIN_DAYS
    )
    contacted = (f"(fc.first_at <= {d.plus_days('r.answered_at', CONTACT_WITHIN_DAYS)} "
                 f"OR fh.first_at <= {d.plus_days('r.answered_at', CONTACT_WITHIN_DAYS)})")
    return f"""
    SELECT r.id, r.sender_structure_id, r.receiver_structure_id, r.service_id, r.status, r.outcome,
           {d.month('r.sent_at')} AS month,
           {d.month('r.closed_at')} AS closed_month,
           1 AS sent,
           CASE WHEN {open_} THEN 1 ELSE 0 END AS answerable,
           CASE WHEN r.answered_at IS NOT NULL THEN 1 ELSE 0 END AS answered,
           CASE WHEN r.status = 'expired' THEN 1 ELSE 0 END AS expired,
           CASE WHEN {accepted} AND r.answered_at <= :now_15 THEN 1 ELSE 0 END AS accepted_15,
           CASE WHEN {accepted} AND r.answered_at <= :now_15 AND {contacted} THEN 1 ELSE 0 END AS contacted_15,
           {within}
           CASE WHEN r.answered_at IS NOT NULL THEN {d.delay_bucket('r.answered_at', 'r.sent_at')} END
               AS answer_bucket,
           CASE WHEN fh.first_at IS NOT NULL THEN {d.delay_bucket('fh.first_at', 'r.sent_at')} END
               AS honoured_bucket
    FROM referral r
    LEFT JOIN (SELECT c.referral_id, min(c.contacted_at) AS first_at
               FROM referral_contact c JOIN referral r2 ON r2.id = c.referral_id
               WHERE r2.network_id = :network_id AND c.reached GROUP BY c.referral_id) fc ON fc.referral_id = r.id
    LEFT JOIN (SELECT b.referral_id, min(b.starts_at) AS first_at
               FROM booking b WHERE b.network_id = :network_id AND b.status = 'honoured'
               AND b.referral_id IS NOT NULL GROUP BY b.referral_id) fh ON fh.referral_id = r.id
    WHERE r.network_id = :network_id"""


def _union(parts: list[str]) -> str:
    return "\nUNION ALL\n".join(parts)



def _metric_names(names) -> str:
    return " UNION ALL ".join(f"SELECT '{n}' AS metric" for n in names)


def _referral_families(d: Dialect) -> str:
    """Counts, counterparts, categories of need, delay histograms and outcomes."""
    t = d.text_type
    parts = []
    unpivot = "CASE m.metric " + " ".join(f"WHEN '{n}' THEN a.{n}" for n in FACT_COUNTS) + " END"
    sums = ", ".join(f"sum(f.{n}) AS {n}" for n in FACT_COUNTS)
    for scope, col in SCOPES:
        parts.append(f"""SELECT '{scope}' AS scope, a.scope_id, a.month, m.metric, '' AS dim, {unpivot} AS value
            FROM (SELECT {col} AS scope_id, f.month, {sums} FROM facts f GROUP BY {col}, f.month) a
            CROSS JOIN ({_metric_names(FACT_COUNTS)}) m""")
        for metric, dim in (("by_sender", "f.sender_structure_id"), ("by_receiver", "f.receiver_structure_id")):
            if (scope, metric) in {("received", "by_receiver"), ("service", "by_receiver"), ("sent", "by_sender")}:
                continue
            parts.append(f"""SELECT '{scope}', {col}, f.month, '{metric}', CAST({dim} AS {t}), count(*)
                FROM facts f GROUP BY {col}, f.month, {dim}""")
        parts.append(f"""SELECT '{scope}', {col}, f.month, 'need', n.category, count(*)
            FROM facts f JOIN needs n ON n.referral_id = f.id GROUP BY {col}, f.month, n.category""")
        for metric, bucket in (("answer_delay", "f.answer_bucket"), ("honoured_delay", "f.honoured_bucket")):
            parts.append(f"""SELECT '{scope}', {col}, f.month, '{metric}', {bucket}, count(*)
                FROM facts f WHERE {bucket} IS NOT NULL GROUP BY {col}, f.month, {bucket}""")
        parts.append(f"""SELECT '{scope}', {col}, f.closed_month, 'closed', COALESCE(f.outcome, 'autre'), count(*)
            FROM facts f WHERE f.status = 'closed' AND f.closed_month IS NOT NULL
            GROUP BY {col}, f.closed_month, COALESCE(f.outcome, 'autre')""")
    return f"""WITH facts AS ({_facts(d)}), needs AS ({d.need_categories()})
        INSERT INTO stats_cell (run_id, scope, scope_id, month, metric, dim, value)
        SELECT :run_id, u.scope, u.scope_id, u.month, u.metric, u.dim, u.value
        FROM ({_union(parts)}) u WHERE u.value <> 0"""


def _booking_family(d: Dialect) -> str:
    """Attendance of the appointments (honoured / missed) by the appointment's month."""
    parts = [
        f"""SELECT '{scope}' AS scope, {col} AS scope_id, {d.month('f.starts_at')} AS month,
                   'bookings_' || f.status AS metric, '' AS dim, count(*) AS value
            FROM booked f GROUP BY {col}, {d.month('f.starts_at')}, f.status"""
        for scope, col in SCOPES
    ]
    return f"""WITH booked AS (
            SELECT b.starts_at, b.status, r.sender_structure_id, r.receiver_structure_id, r.service_id
            FROM booking b JOIN referral r ON r.id = b.referral_id
            WHERE b.network_id = :network_id AND b.status IN ('honoured', 'missed'))
        INSERT INTO stats_cell (run_id, scope, scope_id, month, metric, dim, value)
        SELECT :run_id, u.scope, u.scope_id, u.month, u.metric, u.dim, u.value
        FROM ({_union(parts)}) u"""


def _animator_family(d: Dialect) -> str:
    """Referrals the animators acted on (reminded, or a contact logged by them), by the
    month of the first action, and those where something happened afterwards: a reached
    contact logged, an answer, or an honoured appointment."""
    kinds = ", ".join(f"'{k}'" for k in ANIMATOR_KINDS)
    parts = []
    for scope, col in SCOPES:
        for metric, value in (("acted", "1"), ("reconnected", "f.reconnected")):
            parts.append(f"""SELECT '{scope}' AS scope, {col} AS scope_id, f.month, '{metric}' AS metric,
                '' AS dim, sum({value}) AS value
                FROM acted f GROUP BY {col}, f.month""")
    return f"""WITH first_action AS (
            SELECT e.referral_id, min(e.created_at) AS first_at FROM referral_event e
            JOIN referral r ON r.id = e.referral_id
            WHERE r.network_id = :network_id AND e.kind IN ({kinds}) AND e.actor_user_id IS NOT NULL
              AND e.actor_structure_id IS NULL
            GROUP BY e.referral_id),
        acted AS (
            SELECT r.sender_structure_id, r.receiver_structure_id, r.service_id, {d.month('a.first_at')} AS month,
                   CASE WHEN r.answered_at >= a.first_at OR r.honoured_at >= a.first_at
                        OR EXISTS (SELECT 1 FROM referral_contact c WHERE c.referral_id = r.id AND c.reached
                                   AND c.created_at >= a.first_at) THEN 1 ELSE 0 END AS reconnected
            FROM first_action a JOIN referral r ON r.id = a.referral_id)
        INSERT INTO stats_cell (run_id, scope, scope_id, month, metric, dim, value)
        SELECT :run_id, u.scope, u.scope_id, u.month, u.metric, u.dim, u.value
        FROM ({_union(parts)}) u WHERE u.value <> 0"""


def _people_family(d: Dialect) -> str:
    """People by the month of their first referral in the scope: age band (at that
    referral), gender, and how they heard of the network."""
    firsts = _union([
        f"""SELECT '{scope}' AS scope, {col} AS scope_id, f.person_id, min(f.sent_at) AS first_at
            FROM referral f WHERE f.network_id = :network_id GROUP BY {col}, f.person_id"""
        for scope, col in SCOPES
    ])
    age = d.age("p.birth_date", "x.first_at")
    band = (f"CASE WHEN p.birth_date IS NULL THEN 'inconnu' WHEN {age} < 26 THEN 'moins-26' "
            f"WHEN {age} < 50 THEN '26-49' ELSE '50-plus' END")
    gender = ("CASE WHEN p.gender IS NULL OR trim(p.gender) = '' THEN 'inconnu' "
              "WHEN lower(trim(p.gender)) IN ('femme', 'f', 'féminin', 'feminin') THEN 'femme' "
              "WHEN lower(trim(p.gender)) IN ('homme', 'h', 'm', 'masculin') THEN 'homme' ELSE 'autre' END")
    parts = [
        f"SELECT pf.scope, pf.scope_id, pf.month, '{metric}' AS metric, pf.{column} AS dim, count(*) AS value FROM pf "
        f"GROUP BY pf.scope, pf.scope_id, pf.month, pf.{column}"
        for metric, column in (("people_age", "band"), ("people_gender", "gender"), ("people_channel", "channel"))
    ]
    return f"""WITH x AS ({firsts}),
        pf AS (SELECT x.scope, x.scope_id, {d.month('x.first_at')} AS month, {band} AS band, {gender} AS gender,
                      COALESCE(p.heard_via, 'inconnu') AS channel
               FROM x JOIN person p ON p.id = x.person_id)
        INSERT INTO stats_cell (run_id, scope, scope_id, month, metric, dim, value)
        SELECT :run_id, u.scope, u.scope_id, u.month, u.metric, u.dim, u.value
        FROM ({_union(parts)}) u"""


def _scope_columns():
    return (("network", literal(0)), ("received", Referral.receiver_structure_id),
            ("sent", Referral.sender_structure_id), ("service", Referral.service_id))


async def _now_family(session: AsyncSession, network: Network, run_id: int, now: datetime) -> None:
    """What is true today: stalled referrals by rule (as in the animators' queue: not
    set aside) and people without solution (as in the queue's list)."""
    rules = rules_for(network)
    for rule in StallRule:
        for scope, column in _scope_columns():
            await session.execute(insert(StatsCell).from_select(
                ["run_id", "scope", "scope_id", "month", "metric", "dim", "value"],
                select(literal(run_id), literal(scope), column, literal("now"), literal("stalled"),
                       literal(rule.value), func.count())
                .where(Referral.network_id == network.id, rule_condition(rule, rules, now), not_snoozed(now))
                .group_by(column),
            ))
    without = without_solution(network, now)
    for scope, column in (("network", literal(0)), ("sent", Referral.sender_structure_id)):
        await session.execute(insert(StatsCell).from_select(
            ["run_id", "scope", "scope_id", "month", "metric", "dim", "value"],
            select(literal(run_id), literal(scope), column, literal("now"), literal("without_solution"),
                   literal(""), func.count(func.distinct(Referral.person_id)))
            .where(Referral.network_id == network.id, Referral.person_id.in_(select(without.c.person_id)),
                   Referral.sent_at >= now - timedelta(days=rules.without_solution_window_days))
            .group_by(column),
        ))


async def refresh(session: AsyncSession, network: Network, now: datetime | None = None) -> StatsRun:
    """Compute a new snapshot of ``network``, then drop the older ones. The caller commits."""
    now = now or utcnow()
    d = Dialect(session.bind.dialect.name)
    if d.postgres:
        # The planner's cost of these unions triggers JIT compilation, which alone takes
        # seconds (more than the aggregation itself): off, for this transaction only.
        await session.execute(text("SET LOCAL jit = off"))
    run = StatsRun(network_id=network.id, started_at=now)
    session.add(run)
    await session.flush()
    params = {"network_id": network.id, "run_id": run.id, "now_15": now - timedelta(days=CONTACT_WITHIN_DAYS),
              **{f"now_{n}": now - timedelta(days=n) for n in HONOURED_WITHIN_DAYS}}
    times = [bindparam(k, type_=UTCDateTime) for k in params if k.startswith("now_")]
    for sql in (_referral_families(d), _booking_family(d), _animator_family(d), _people_family(d)):
        statement = text(sql).bindparams(*[t for t in times if f":{t.key}" in sql])
        await session.execute(statement, {k: v for k, v in params.items() if f":{k}" in sql})
    await _now_family(session, network, run.id, now)
    run.cells = await session.scalar(select(func.count()).select_from(StatsCell).where(StatsCell.run_id == run.id))
    run.finished_at = utcnow()
    await session.execute(delete(StatsCell).where(
        StatsCell.run_id.in_(select(StatsRun.id).where(StatsRun.network_id == network.id, StatsRun.id < run.id))))
    await session.execute(delete(StatsRun).where(StatsRun.network_id == network.id, StatsRun.id < run.id))
    await session.flush()
    return run
