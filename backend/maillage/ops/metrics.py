"""Prometheus metrics.

Two kinds:

- counted by the processes as things happen: request latency by route template, job runs
  and failures, emails sent and failed, requests refused by a rate limit. Under several
  uvicorn workers (and job runners) each process counts its own: when
  ``PROMETHEUS_MULTIPROC_DIR`` names a directory shared by all of them (emptied before they
  start), prometheus_client writes the values there and ``/metrics`` adds them all up —
  including those of a ``maillage jobs run`` that has already exited;
- read from the database when ``/metrics`` is scraped (``database_metrics``): the outbox
  backlog and the stalled referrals of each network's latest indicator snapshot. Two
  queries per scrape whatever the size of the data, with a time limit.
"""

import asyncio
import os
import time
from datetime import UTC, datetime
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from maillage.directory.models import Network
from maillage.notifications.models import OutboxEmail, OutboxStatus
from maillage.referrals.stall import StallRule
from maillage.stats.models import StatsCell, StatsRun

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
DATABASE_TIMEOUT_S = 5.0
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUEST_SECONDS = Histogram(
    "maillage_http_request_duration_seconds",
    "Durée des requêtes HTTP, par méthode, modèle de route et classe de statut",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
JOB_RUNS = Counter("maillage_job_runs", "Exécutions des tâches de fond, par tâche", ["job"])
JOB_FAILURES = Counter("maillage_job_failures", "Exécutions des tâches de fond en échec, par tâche", ["job"])
JOB_LAST_SUCCESS = Gauge(
    "maillage_job_last_success_timestamp_seconds", "Fin de la dernière exécution réussie, par tâche",
    ["job"], multiprocess_mode="max",
)
EMAILS_SENT = Counter("maillage_emails_sent", "Courriels remis au serveur SMTP")
EMAIL_FAILURES = Counter("maillage_email_send_failures", "Tentatives d'envoi de courriel en échec")
RATE_LIMITED = Counter("maillage_rate_limited_requests", "Requêtes refusées par une limite de débit", ["rule"])


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(method if method in _METHODS else "other", route, status_class(status)).observe(seconds)


@contextmanager
def job(name: str) -> Iterator[None]:
    """Count one run of a background job, and its failure if it raises (a cancelled run,
    at shutdown, is neither a failure nor a success)."""
    JOB_RUNS.labels(name).inc()
    try:
        yield
    except Exception:
        JOB_FAILURES.labels(name).inc()
        raise
    JOB_LAST_SUCCESS.labels(name).set(time.time())


def process_metrics() -> bytes:
    """What the processes counted: this one's, or every process's in multiprocess mode."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


class _Families:
    def __init__(self, families: list[Metric]):
        self.families = families

    def collect(self) -> list[Metric]:
        return self.families


async def _read_database(engine: AsyncEngine, now: float) -> list[Metric]:
    pending = GaugeMetricFamily("maillage_outbox_pending", "Courriels en attente d'envoi (boîte d'envoi)")
    retrying = GaugeMetricFamily("maillage_outbox_retrying",
                                 "Courriels en attente dont au moins un envoi a échoué")
    oldest = GaugeMetricFamily("maillage_outbox_oldest_pending_age_seconds",
                               "Âge du plus ancien courriel en attente (0 s'il n'y en a pas)")
    failed = GaugeMetricFamily("maillage_outbox_failed",
                               "Courriels abandonnés après le nombre maximal de tentatives")
    stalled = GaugeMetricFamily("maillage_referrals_stalled",
                                "Orientations en souffrance par règle (dernier instantané des indicateurs)",
                                labels=["network", "rule"])
    snapshot_age = GaugeMetricFamily("maillage_stats_snapshot_age_seconds",
                                     "Âge du dernier instantané des indicateurs", labels=["network"])
    async with engine.connect() as conn:
        outbox = (await conn.execute(
            select(OutboxEmail.status, func.count(), func.min(OutboxEmail.created_at),
                   func.count().filter(OutboxEmail.attempts > 0))
            .where(OutboxEmail.status.in_((OutboxStatus.PENDING, OutboxStatus.FAILED)))
            .group_by(OutboxEmail.status)
        )).all()
        latest_run = (
            select(StatsRun.id).where(StatsRun.network_id == Network.id, StatsRun.finished_at.is_not(None))
            .order_by(StatsRun.finished_at.desc(), StatsRun.id.desc()).limit(1).correlate(Network).scalar_subquery()
        )
        cells = (await conn.execute(
            select(Network.slug, StatsRun.finished_at, StatsCell.dim, StatsCell.value)
            .join(StatsRun, StatsRun.id == latest_run)
            .outerjoin(StatsCell, and_(StatsCell.run_id == StatsRun.id, StatsCell.scope == "network",
                                       StatsCell.scope_id == 0, StatsCell.month == "now",
                                       StatsCell.metric == "stalled"))
        )).all()
    by_status = {status: (count, first, tried) for status, count, first, tried in outbox}
    count, first, tried = by_status.get(OutboxStatus.PENDING, (0, None, 0))
    pending.add_metric([], count)
    retrying.add_metric([], tried or 0)
    oldest.add_metric([], max(0.0, now - _timestamp(first)) if first is not None else 0.0)
    failed.add_metric([], by_status.get(OutboxStatus.FAILED, (0, None, 0))[0])
    networks: dict[str, tuple[float, dict[str, int]]] = {}
    for slug, finished_at, rule, value in cells:
        _finished, rules = networks.setdefault(
            slug, (_timestamp(finished_at), dict.fromkeys((r.value for r in StallRule), 0)))
        if rule is not None:
            rules[rule] = value
    for slug, (finished, rules) in sorted(networks.items()):
        snapshot_age.add_metric([slug], max(0.0, now - finished))
        for rule, value in sorted(rules.items()):
            stalled.add_metric([slug, rule], value)
    return [pending, retrying, oldest, failed, stalled, snapshot_age]


def _timestamp(value: datetime | str) -> float:
    """A UTC timestamp: aware when typed by the model, text or naive from bare SQLite."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


async def database_metrics(engine: AsyncEngine) -> bytes:
    """The gauges read from the database now, and ``maillage_database_up``."""
    up = GaugeMetricFamily("maillage_database_up", "La base de données a répondu à la collecte des métriques")
    try:
        families = await asyncio.wait_for(_read_database(engine, time.time()), DATABASE_TIMEOUT_S)
    except Exception:  # noqa: BLE001 - a scrape must still answer, with database_up 0
        families = []
        up.add_metric([], 0)
    else:
        up.add_metric([], 1)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families([up, *families]))
    return generate_latest(registry)
