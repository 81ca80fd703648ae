"""Rate limits kept in the database (every app process shares them): directory search
per client IP, sign-in starts, refused API tokens; 429 with a French message and
Retry-After; one counter row per key, reset by the window; purged by the jobs."""

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from maillage.accounts.models import RateLimitHit
from maillage.accounts.service import create_api_token
from maillage.db import utcnow
from maillage.ops import ratelimit
from maillage.ops.models import RateLimitCounter
from sqlalchemy import select

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_structure

SEARCH = "/api/v1/services/search"


@pytest.fixture(autouse=True)
def clock_mid_window(monkeypatch):
    """The limiter's windows start on multiples of their length: its clock is held 30 s
    into the current 10-minute window, so that no test's requests straddle two windows."""
    held = int(time.time()) // 600 * 600 + 30
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: held))


async def test_search_is_limited_per_client_ip(app_client, settings, engine):
    limited = settings.model_copy(update={"search_rate_limit": 3})
    async with app_client(limited, ip="198.51.100.20") as client:
        statuses = [(await client.get(SEARCH, params={"q": "emploi"})).status_code for _ in range(3)]
        refused = await client.get(SEARCH, params={"q": "emploi"})
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["error"] == "trop_de_demandes"
    assert refused.json()["detail"].startswith("Trop de recherches depuis cette adresse : réessayez dans ")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["content-security-policy"]  # an error like any other
    # Another address has its own count.
    async with app_client(limited, ip="198.51.100.21") as other:
        assert (await other.get(SEARCH, params={"q": "emploi"})).status_code == 200
    # Committed at once, by every process alike, in one row per key (not one per request).
    async with engine.connect() as conn:
        rows = (await conn.execute(
            select(RateLimitCounter.hits).where(RateLimitCounter.key == "search:198.51.100.20")
        )).scalars().all()
    assert rows == [4]


async def test_the_counter_starts_again_with_each_window(session):
    start = 1_800_000_000  # a multiple of 60
    assert await ratelimit.count(session, "essai:1", 60, now=start + 5) == (1, 55)
    assert await ratelimit.count(session, "essai:1", 60, now=start + 59.5) == (2, 1)
    assert await ratelimit.count(session, "essai:1", 60, now=start + 61) == (1, 59)
    assert await ratelimit.count(session, "essai:2", 60, now=start + 61) == (1, 59)


async def test_zero_turns_a_limit_off(app_client, settings):
    async with app_client(settings.model_copy(update={"search_rate_limit": 0})) as client:
        for _ in range(5):
            assert (await client.get(SEARCH)).status_code == 200


async def test_sign_in_starts_are_limited(app_client, settings):
    limited = settings.model_copy(update={"sign_in_rate_limit": 2})
    async with app_client(limited, ip="192.0.2.40") as client:
        statuses = [(await client.post("/api/v1/auth/demo", json={"persona": "inconnu"})).status_code
                    for _ in range(3)]
        refused = await client.get("/api/v1/auth/oidc/login")  # the same count: ProConnect's start
    assert statuses == [404, 404, 429]
    assert refused.status_code == 429
    assert "Trop de tentatives de connexion" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) >= 1


async def test_refused_api_tokens_are_limited(app_client, settings):
    limited = settings.model_copy(update={"api_token_failure_limit": 2})
    async with app_client(limited, ip="192.0.2.50") as client:
        wrong = [(await client.get("/api/v1/auth/me", headers={"authorization": "Bearer mlg_faux"})).status_code
                 for _ in range(3)]
        refused = await client.get("/api/v1/auth/me", headers={"authorization": "Bearer mlg_faux"})
    assert wrong == [401, 401, 429]
    assert "jetons d'API refusés" in refused.json()["detail"]
    assert 1 <= int(refused.headers["retry-after"]) <= 600


async def test_a_valid_api_token_works_even_from_an_address_over_the_limit(app_client, settings, session):
    network = await make_network(session, slug="jetons")
    structure = await make_structure(session, network, nom="Structure aux jetons")
    user = await make_user(session, admin_of=[structure])
    secret, _token = await create_api_token(session, structure, "intégration", user.id)
    for _ in range(5):  # this address has already had its refused tokens, and more
        await ratelimit.count(session, "api_token_failure:192.0.2.51", 600)
    limited = settings.model_copy(update={"api_token_failure_limit": 2})
    async with app_client(limited, ip="192.0.2.51") as client:
        valid = await client.get("/api/v1/auth/me", headers={"authorization": f"Bearer {secret}"})
    assert valid.status_code == 200 and valid.json()["current_structure_id"] == structure.id


async def test_sign_in_links_say_when_to_come_back(client):
    for _ in range(3):
        assert (await client.post("/api/v1/auth/login-link", json={"email": "marie@example.org"})).status_code == 202
    refused = await client.post("/api/v1/auth/login-link", json={"email": "marie@example.org"})
    assert refused.status_code == 429
    assert 800 <= int(refused.headers["retry-after"]) <= 900  # 15 minutes after the first


async def test_old_counters_and_hits_are_purged(session):
    now = utcnow().timestamp()
    await ratelimit.count(session, "purge:ancien", 60, now=now - 2 * 86400)
    await ratelimit.count(session, "purge:recent", 60, now=now)
    session.add_all([RateLimitHit(key="purge:lien-ancien", created_at=utcnow() - timedelta(days=2)),
                     RateLimitHit(key="purge:lien-recent")])
    await session.flush()
    assert await ratelimit.purge(session, now) >= 2
    keys = set(await session.scalars(select(RateLimitCounter.key).where(RateLimitCounter.key.like("purge:%"))))
    hits = set(await session.scalars(select(RateLimitHit.key).where(RateLimitHit.key.like("purge:%"))))
    assert keys == {"purge:recent"} and hits == {"purge:lien-recent"}
