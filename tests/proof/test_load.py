"""``maillage bench load`` at a tiny scale (4 virtual users, 10 seconds, 2 app processes,
2 job runners) on a database of its own on the run's PostgreSQL server: zero errors, and
afterwards nothing lost, nothing twice (docs/proof.md). The full run is on demand."""

import uuid

import asyncpg
import pytest
from maillage.bench.load import asyncpg_dsn
from maillage.bench.proof.runs import load_run
from sqlalchemy.engine import make_url


@pytest.fixture
async def load_database(database_url):
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("la course de charge demande PostgreSQL (plusieurs processus sur une même base) : "
                    "lancez les tests avec DATABASE_URL=postgresql+asyncpg://…")
    name = f"maillage_proof_load_{uuid.uuid4().hex[:8]}"
    target = url.set(database=name)
    yield target.render_as_string(hide_password=False)
    admin = await asyncpg.connect(asyncpg_dsn(url.set(database="postgres")))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.mark.postgres_only
def test_a_short_load_run_has_no_error_and_loses_nothing(load_database, tmp_path):
    figures = load_run(load_database, seconds=10, users=4, workers=2, runners=2, jobs_interval=2.0,
                       work_dir=tmp_path)
    mix, report = figures["mix"], figures["integrity"]
    failed = [f"{c['name']} : {c['detail']}" for c in report["checks"] if not c["ok"]]
    assert mix["errors"] == 0, mix["error_samples"]
    assert not failed, failed
    assert mix["referrals_acknowledged"] > 0 and report["figures"]["smtp_received"] > 0
