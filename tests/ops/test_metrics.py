"""/metrics: Prometheus text, served only with the token or to a loopback client without a
proxy in between (404 otherwise, and never in the OpenAPI document); request latency by
route template; outbox backlog and stalled referrals read from the database at scrape
time; job runs and failures; several processes added up in multiprocess mode."""

import asyncio
import os
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from httpx import ASGITransport, AsyncClient
from maillage import jobs
from maillage.config import Settings
from maillage.db import make_engine, make_sessionmaker, utcnow
from maillage.directory.models import Network
from maillage.main import create_app
from maillage.migrate import upgrade
from maillage.notifications.models import OutboxEmail, OutboxStatus
from maillage.stats.models import StatsCell, StatsRun
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncSession

TOKEN = "jeton-de-collecte-tres-secret"


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(text: str, name: str, **labels) -> float | None:
    return samples(text).get((name, frozenset(labels.items())))


async def test_metrics_need_the_token_or_a_loopback_client(app_client, settings):
    with_token = settings.model_copy(update={"metrics_token": TOKEN})
    async with app_client(with_token, ip="203.0.113.9") as remote:
        assert (await remote.get("/metrics")).status_code == 404
        wrong = await remote.get("/metrics", headers={"authorization": "Bearer pas-le-bon"})
        assert wrong.status_code == 404 and wrong.json()["error"] == "introuvable"
        right = await remote.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 200
        assert right.headers["content-type"].startswith("text/plain")
        assert "maillage_http_request_duration_seconds" in right.text
        assert "/metrics" not in (await remote.get("/api/v1/openapi.json")).json()["paths"]
    async with app_client(settings, ip="203.0.113.9") as remote:  # no token set: loopback only
        assert (await remote.get("/metrics", headers={"authorization": "Bearer "})).status_code == 404
    async with app_client(settings, ip="127.0.0.1") as local:
        assert (await local.get("/metrics")).status_code == 200
        # Through a reverse proxy on the same machine: not "local".
        assert (await local.get("/metrics", headers={"x-forwarded-for": "198.51.100.1"})).status_code == 404
    async with app_client(settings, ip="::1") as local6:
        assert (await local6.get("/metrics")).status_code == 200


async def test_request_latency_is_labelled_by_route_template(app_client, settings):
    async with app_client(settings, ip="127.0.0.1") as client:
        before = (await client.get("/metrics")).text
        await client.get("/api/v1/services/987654")
        await client.get("/api/v1/services/987655?q=jeanne.martin@example.org")
        after = (await client.get("/metrics")).text
    name = "maillage_http_request_duration_seconds_count"
    labels = {"method": "GET", "route": "/api/v1/services/{service_id}", "status": "4xx"}
    assert (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0) == 2
    # No id nor query in any label (a number elsewhere may well contain those digits).
    label_values = " ".join(value for family in text_string_to_metric_families(after)
                            for sample in family.samples for value in sample.labels.values())
    assert "987654" not in label_values and "jeanne" not in label_values
    assert "/api/v1/services/987654" not in after and "jeanne" not in after


@pytest.fixture
async def own_database(fresh_database_url):
    """A database of its own, migrated, whose rows other connections can see (committed)."""
    await asyncio.to_thread(upgrade, fresh_database_url)
    engine = make_engine(fresh_database_url)
    yield fresh_database_url, make_sessionmaker(engine)
    await engine.dispose()


async def scrape(database_url: str, tmp_path) -> str:
    app = create_app(Settings(database_url=database_url, static_dir=tmp_path / "none", metrics_token=TOKEN))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
    await app.state.engine.dispose()
    assert response.status_code == 200
    return response.text


def email(status: OutboxStatus, created_at, attempts: int = 0) -> OutboxEmail:
    return OutboxEmail(kind="essai", to_address="personne@example.org", subject="Essai", text_body="t",
                       html_body="<p>t</p>", status=status, attempts=attempts, created_at=created_at)


async def test_outbox_backlog_and_stalled_referrals_are_read_at_scrape_time(own_database, tmp_path):
    url, sessionmaker = own_database
    now = utcnow()
    async with sessionmaker() as session:
        session: AsyncSession
        pantin = Network(slug="pantin", name="Pantin", territory="Pantin")
        lille = Network(slug="lille", name="Lille", territory="Lille")
        session.add_all([pantin, lille])
        await session.flush()
        old = StatsRun(network_id=pantin.id, started_at=now - timedelta(hours=3), finished_at=now - timedelta(hours=3))
        latest = StatsRun(network_id=pantin.id, started_at=now - timedelta(minutes=10),
                          finished_at=now - timedelta(minutes=10))
        running = StatsRun(network_id=pantin.id, started_at=now)  # not finished: never read
        session.add_all([old, latest, running])
        await session.flush()

        def cell(run, rule, n, **over):
            fields = {"run_id": run.id, "scope": "network", "scope_id": 0, "month": "now", "metric": "stalled",
                      "dim": rule, "value": n, **over}
            return StatsCell(**fields)

        session.add_all([
            cell(old, "no_answer", 99),
            cell(latest, "no_answer", 4), cell(latest, "dormant", 7),
            cell(latest, "dormant", 3, scope="received", scope_id=12),  # a structure's, not the network's
            cell(latest, "dormant", 5, month="2026-11"),
            cell(running, "no_answer", 1000),
        ])
        session.add_all([
            email(OutboxStatus.PENDING, now - timedelta(minutes=30), attempts=2),
            email(OutboxStatus.PENDING, now - timedelta(minutes=1)),
            email(OutboxStatus.SENT, now - timedelta(days=3)),
            email(OutboxStatus.FAILED, now - timedelta(days=2), attempts=8),
        ])
        await session.commit()

    text = await scrape(url, tmp_path)
    assert value(text, "maillage_database_up") == 1
    assert value(text, "maillage_outbox_pending") == 2
    assert value(text, "maillage_outbox_retrying") == 1
    assert value(text, "maillage_outbox_failed") == 1
    assert 29 * 60 <= value(text, "maillage_outbox_oldest_pending_age_seconds") <= 40 * 60
    assert value(text, "maillage_referrals_stalled", network="pantin", rule="no_answer") == 4
    assert value(text, "maillage_referrals_stalled", network="pantin", rule="dormant") == 7
    assert value(text, "maillage_referrals_stalled", network="pantin", rule="never_contacted") == 0
    assert 9 * 60 <= value(text, "maillage_stats_snapshot_age_seconds", network="pantin") <= 20 * 60
    assert value(text, "maillage_referrals_stalled", network="lille", rule="no_answer") is None  # no snapshot yet
    assert "personne@example.org" not in text


async def test_a_scrape_answers_when_the_database_does_not(tmp_path):
    text = await scrape("postgresql+asyncpg://postgres@127.0.0.1:1/nothing", tmp_path)
    assert value(text, "maillage_database_up") == 0
    assert "maillage_http_request_duration_seconds" in text


async def test_job_runs_and_failures_are_counted(own_database, tmp_path, monkeypatch):
    url, sessionmaker = own_database
    settings = Settings(database_url=url, static_dir=tmp_path / "none")
    before = await scrape(url, tmp_path)
    await jobs.run_once(sessionmaker, settings)

    async def broken(_session):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(jobs, "remind_members_review", broken)
    with pytest.raises(RuntimeError):
        await jobs.run_once(sessionmaker, settings)
    after = await scrape(url, tmp_path)

    def delta(name: str, job: str) -> float:
        return (value(after, name, job=job) or 0) - (value(before, name, job=job) or 0)

    assert delta("maillage_job_runs_total", "run_once") == 2
    assert delta("maillage_job_failures_total", "run_once") == 1
    assert delta("maillage_job_runs_total", "remind_members_review") == 2
    assert delta("maillage_job_failures_total", "remind_members_review") == 1
    assert delta("maillage_job_runs_total", "send_emails") == 1
    assert delta("maillage_job_runs_total", "purge_rate_limits") == 1
    assert value(after, "maillage_job_last_success_timestamp_seconds", job="run_once") > 0


_RECORD = textwrap.dedent("""
    from maillage.ops import metrics
    with metrics.job("multiprocess_test"):
        pass
    metrics.observe_request("GET", "/api/v1/services/search", 200, 0.02)
""")
_EXPOSE = "import sys; from maillage.ops.metrics import process_metrics; sys.stdout.write(process_metrics().decode())"


def test_several_processes_are_added_up_in_multiprocess_mode(tmp_path):
    """Two processes that have exited (two workers, or two ``maillage jobs run``) and a
    third that serves /metrics: the third reports what both counted."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", _RECORD], env=env, check=True, timeout=60)
    text = subprocess.run([sys.executable, "-c", _EXPOSE], env=env, check=True, timeout=60,
                          capture_output=True, text=True).stdout
    assert value(text, "maillage_job_runs_total", job="multiprocess_test") == 2
    assert value(text, "maillage_http_request_duration_seconds_count", method="GET",
                 route="/api/v1/services/search", status="2xx") == 2
