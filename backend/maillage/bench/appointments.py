"""``maillage bench appointments``: 500 structures, each publishing a year of weekly
slots for each of its services (half a year past, half ahead), loaded with COPY; then

- the free-slot listing of a service over the next 4 weeks (what a counsellor sees in
  « Orienter et prendre RDV »), over HTTP with a real session and in-process;
- bookings under contention: many counsellors book the same popular collective slot at
  once over HTTP (two uvicorn workers, concurrent connections); bookings per second,
  and afterwards the proof that the slot holds exactly its capacity.
"""

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx

from maillage.accounts.deps import CSRF_COOKIE, SESSION_COOKIE
from maillage.accounts.tokens import hash_secret, new_secret
from maillage.appointments.schedule import PARIS, local_instant
from maillage.bench.load import asyncpg_dsn
from maillage.bench.measure import AppServer, percentile
from maillage.bench.referrals import copy_tables
from maillage.db import make_engine, make_sessionmaker

SLUG = "reseau-bench-rdv"
# Per service and week: (weekday, hour, minute) of its individual slots.
WEEKLY = ((0, 9, 30), (0, 11, 0), (1, 14, 0), (2, 9, 30), (3, 10, 0), (3, 15, 30), (4, 9, 0))
WEEKS_PAST, WEEKS_AHEAD = 26, 26
POPULAR_CAPACITY = 25


@dataclass
class Generated:
    tables: dict[str, tuple[list[str], list[tuple]]] = field(default_factory=dict)
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    services: list[int] = field(default_factory=list)
    popular_slot: int = 0
    contenders: list[int] = field(default_factory=list)   # referral ids, each of another person


def generate(structures: int, contenders: int, seed: int, now: datetime) -> Generated:
    rnd = random.Random(seed)
    g = Generated()
    day = timedelta(days=1)
    g.tables["network"] = (["id", "slug", "name", "territory", "settings", "created_at"],
                           [(1, SLUG, "Réseau (banc des rendez-vous)", "Bassin d'emploi", "{}", now - 800 * day)])
    s_rows, v_rows, p_rows, slot_rows = [], [], [], []
    sid = slot_id = 0
    today = now.astimezone(PARIS).date()
    monday = today - timedelta(days=today.weekday())
    for st in range(1, structures + 1):
        s_rows.append((st, 1, f"bench-s{st}", "maillage", "published", f"Structure n° {st}", "[]",
                       f"contact{st}@structure.example", now - 800 * day, now - 800 * day))
        p_rows.append((st, 1, st, "Accueil", "sur-place", f"{st} rue du Banc", "93500", "Pantin", now - 800 * day))
        for k in range(rnd.randint(2, 4)):
            sid += 1
            g.services.append(sid)
            nom = f"Entretien d'accueil ({st}-{k})"
            v_rows.append((sid, 1, st, f"bench-v{sid}", "maillage", "published", nom, "Service du banc.", "[]", "[]",
                           "[]", "[]", "[]", True, "[]", 6, True, nom.lower(), "service du banc",
                           now - 800 * day, now - 800 * day))
            for week in range(-WEEKS_PAST, WEEKS_AHEAD):
                for weekday, hour, minute in WEEKLY:
                    start = local_instant(monday + timedelta(weeks=week, days=weekday),
                                          datetime.min.time().replace(hour=hour, minute=minute))
                    slot_id += 1
                    # Past slots mostly taken; ahead, the nearer the fuller.
                    taken = rnd.random() < (0.8 if start < now else max(0.1, 0.7 - 0.03 * week))
                    slot_rows.append((slot_id, 1, st, sid, st, start, start + timedelta(minutes=45), 1,
                                      1 if taken else 0, "network", now - 200 * day))
    # The popular collective slot, tomorrow at 14:00 in structure 1's first service.
    start = local_instant(today + timedelta(days=1), datetime.min.time().replace(hour=14))
    slot_id += 1
    g.popular_slot = slot_id
    slot_rows.append((slot_id, 1, 1, 1, 1, start, start + timedelta(hours=2), POPULAR_CAPACITY, 0, "network",
                      now - day))
    g.tables["structure"] = (["id", "network_id", "external_id", "source", "status", "nom", "reseaux_porteurs",
                              "courriel", "created_at", "updated_at"], s_rows)
    g.tables["service"] = (["id", "network_id", "structure_id", "external_id", "source", "status", "nom",
                            "description", "thematiques", "publics", "modes_accueil", "modes_mobilisation",
                            "mobilisable_par", "accepts_referrals", "referral_emails", "update_frequency_months",
                            "publishes_slots", "search_name", "search_body", "created_at", "updated_at"], v_rows)
    g.tables["place"] = (["id", "network_id", "structure_id", "name", "kind", "adresse", "code_postal", "commune",
                          "created_at"], p_rows)
    g.tables["slot"] = (["id", "network_id", "structure_id", "service_id", "place_id", "starts_at", "ends_at",
                         "capacity", "booked_count", "bookable_by", "created_at"], slot_rows)

    # Counsellors of structure 2 orient ``contenders`` people to structure 1's service.
    person_rows, referral_rows = [], []
    for n in range(1, contenders + 1):
        person_rows.append((n, 1, "Prénom", f"Personne{n}", now - 10 * day, 2, "prenom", f"personne{n}",
                            now - 10 * day, now - 10 * day, now - 10 * day, "[]", "[]"))
        referral_rows.append((n, 1, n, 1, 1, 2, "Réunion d'information du banc.", "[]", "sent", now - day, now - day))
        g.contenders.append(n)
    g.tables["person"] = (["id", "network_id", "first_name", "last_name", "informed_at", "created_by_structure_id",
                           "first_name_key", "last_name_key", "created_at", "updated_at", "last_activity_at",
                           "situation", "needs"], person_rows)
    g.tables["referral"] = (["id", "network_id", "person_id", "service_id", "receiver_structure_id",
                             "sender_structure_id", "motive", "needs", "status", "sent_at", "last_event_at"],
                            referral_rows)
    users = [(1, "conseiller@bench.example", "Camille", "Conseil")]
    g.tables["user_account"] = (["id", "email", "first_name", "last_name", "is_platform_admin", "is_active",
                                 "created_at"], [(*u, False, True, now - 700 * day) for u in users])
    g.tables["membership"] = (["id", "user_id", "structure_id", "role", "created_at"],
                              [(1, 1, 2, "member", now - 700 * day)])
    token, csrf = new_secret(), new_secret()
    g.tokens["counsellor"] = (token, csrf)
    g.tables["user_session"] = (["id", "token_hash", "csrf_token", "user_id", "structure_id", "method", "created_at",
                                 "expires_at"], [(1, hash_secret(token), csrf, 1, 2, "bench", now, now + 30 * day)])
    g.counts = {"structures": structures, "services": sid, "slots": len(slot_rows), "contenders": contenders}
    return g


LOAD_ORDER = ("network", "structure", "service", "place", "slot", "user_account", "membership", "user_session",
              "person", "referral")


async def load(url: str, g: Generated) -> None:
    await copy_tables(url, g.tables, LOAD_ORDER)


# ---------------------------------------------------------------- measuring


def _client(base_url: str, token: tuple[str, str], **kw) -> dict:
    cookie, csrf = token
    return dict(base_url=base_url, timeout=60, cookies={SESSION_COOKIE: cookie, CSRF_COOKIE: csrf},
                headers={"X-CSRF-Token": csrf}, **kw)


def measure_listing(url: str, g_services: list[int], token: tuple[str, str], requests: int, warmup: int,
                    seed: int) -> dict[str, Any]:
    rnd = random.Random(seed)
    times, sizes = [], []
    with AppServer(url) as server, httpx.Client(**_client(server.base_url, token)) as client:
        for i in range(warmup + requests):
            service = rnd.choice(g_services)
            start = time.perf_counter()
            response = client.get(f"/api/v1/services/{service}/slots")
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code} {response.text[:300]}")
            if i >= warmup:
                times.append(elapsed)
                sizes.append(response.json()["total"])
    return {"http_p50_ms": percentile(times, 0.5) * 1000, "http_p95_ms": percentile(times, 0.95) * 1000,
            "free_slots_median": sorted(sizes)[len(sizes) // 2]}


async def measure_listing_sql(url: str, services: list[int], requests: int, warmup: int, seed: int) -> dict:
    """The service function itself (no HTTP, no auth, no JSON)."""
    from maillage.appointments.agenda import free_slots
    from maillage.db import utcnow
    from maillage.pagination import PageParams

    rnd = random.Random(seed)
    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    times = []
    try:
        for i in range(warmup + requests):
            async with maker() as session:
                now = utcnow()
                start = time.perf_counter()
                await free_slots(session, rnd.choice(services), PageParams(1, 20), start=now,
                                 end=now + timedelta(weeks=4), structure_only=False, now=now)
                elapsed = time.perf_counter() - start
            if i >= warmup:
                times.append(elapsed)
    finally:
        await engine.dispose()
    return {"sql_p50_ms": percentile(times, 0.5) * 1000, "sql_p95_ms": percentile(times, 0.95) * 1000}


async def _contend(base_url: str, token: tuple[str, str], slot: int, referrals: list[int],
                   concurrency: int) -> tuple[float, dict]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    statuses: dict[int | str, int] = {}
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(**_client(base_url, token, limits=limits)) as client:
        async def book(referral_id: int) -> None:
            async with gate:
                try:
                    response = await client.post(f"/api/v1/referrals/{referral_id}/bookings", json={"slot_id": slot})
                    code: int | str = response.status_code
                except httpx.HTTPError as error:  # counted, not fatal: the figures say it
                    code = type(error).__name__
                statuses[code] = statuses.get(code, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*(book(r) for r in referrals))
        return time.perf_counter() - start, statuses


def measure_contention(url: str, g: Generated, concurrency: int, workers: int) -> dict[str, Any]:
    with AppServer(url, workers=workers) as server:
        elapsed, statuses = asyncio.run(_contend(server.base_url, g.tokens["counsellor"], g.popular_slot,
                                                 g.contenders, concurrency))
    booked, rows = asyncio.run(_slot_state(url, g.popular_slot))
    attempts = len(g.contenders)
    return {"attempts": attempts, "concurrency": concurrency, "workers": workers, "seconds": round(elapsed, 2),
            "attempts_per_s": round(attempts / elapsed, 1), "statuses": statuses, "capacity": POPULAR_CAPACITY,
            "booked_count": booked, "booking_rows": rows, "overbooked": booked > POPULAR_CAPACITY or rows > booked}


async def _slot_state(url: str, slot: int) -> tuple[int, int]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        booked = await conn.fetchval("SELECT booked_count FROM slot WHERE id = $1", slot)
        rows = await conn.fetchval("SELECT count(*) FROM booking WHERE slot_id = $1 AND status <> 'cancelled'", slot)
        return booked, rows
    finally:
        await conn.close()


async def explain_listing(url: str, service: int) -> str:
    from maillage.appointments.agenda import free_slots
    from maillage.db import utcnow
    from maillage.pagination import PageParams
    from sqlalchemy import event

    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    captured = []

    def capture(_c, _cur, statement, parameters, _ctx, _many):
        captured.append((statement, parameters))

    try:
        async with maker() as session:
            event.listen(engine.sync_engine, "before_cursor_execute", capture)
            now = utcnow()
            await free_slots(session, service, PageParams(1, 20), start=now, end=now + timedelta(weeks=4),
                             structure_only=False, now=now)
            event.remove(engine.sync_engine, "before_cursor_execute", capture)
            connection = await session.connection()
            plans = []
            for statement, parameters in captured:
                result = await connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
                plans.append(statement + "\n---\n" + "\n".join(r[0] for r in result))
            return "\n\n".join(plans)
    finally:
        await engine.dispose()


def summary_json(figures: dict) -> str:
    return json.dumps(figures, ensure_ascii=False, indent=1, default=str)
