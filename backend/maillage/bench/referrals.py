"""``maillage bench referrals``: one network with a large history of referrals
(default 500 structures, 200,000 people, 1,000,000 referrals over two years), loaded
with COPY, then the referral pages measured over HTTP with a real signed-in session,
in-process (the route functions themselves), and the stall job timed over the whole table.

Pieces reused from the directory benchmark: ``load.recreate_database`` / ``asyncpg_dsn``
(drop, create, migrate), ``measure.AppServer`` (uvicorn in a subprocess) and
``measure.percentile``.
"""

import json
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event

from maillage.accounts.deps import CSRF_COOKIE, SESSION_COOKIE
from maillage.accounts.tokens import hash_secret, new_secret
from maillage.bench.load import asyncpg_dsn
from maillage.bench.measure import AppServer, percentile
from maillage.db import make_engine, make_sessionmaker

SLUG = "reseau-bench"
STATUS_SHARES = (("sent", 0.10), ("accepted", 0.35), ("closed", 0.40), ("refused", 0.08), ("expired", 0.04),
                 ("cancelled", 0.03))
REFUSALS = ("injoignable", "absente-entretien", "deja-en-emploi", "en-formation", "non-eligible", "non-mobile",
            "pas-interessee", "freins-peripheriques", "plus-de-place", "doublon")
OUTCOMES = ("emploi-durable", "emploi-de-transition", "formation-qualifiante", "creation-activite", "frein-leve",
            "reorientation", "abandon", "demenagement")
NEEDS = ("logement-hebergement", "mobilite", "numerique", "famille", "sante", "trouver-un-emploi",
         "se-former", "accompagnement-social-et-professionnel-personnalise", "equipement-et-alimentation")
MOTIVES = (
    "Recherche d'emploi après une longue interruption, besoin d'un accompagnement renforcé.",
    "Demande de logement d'urgence, hébergée chez un tiers depuis trois mois.",
    "Permis de conduire nécessaire pour une promesse d'embauche en horaires décalés.",
    "Garde d'enfant à trouver pour pouvoir suivre la formation qualifiante.",
    "Difficultés avec les démarches en ligne (CAF, France Travail).",
    "Orientation vers un atelier CV et préparation aux entretiens.",
    "Besoin d'une aide alimentaire ponctuelle en attendant l'ouverture des droits.",
    "Projet de création d'activité à structurer.",
)
FIRST = ("Amina", "Julien", "Sarah", "Mohamed", "Léa", "Kevin", "Fatou", "Nicolas", "Inès", "Thomas", "Chloé",
         "Yanis", "Manon", "Karim", "Camille", "Lucas", "Aïcha", "Hugo", "Emma", "Bilal")
LAST = ("Martin", "Bernard", "Diallo", "Petit", "Durand", "Leroy", "Moreau", "Benali", "Fournier", "Girard",
        "Lambert", "Bonnet", "Traoré", "Mercier", "Dupont", "Nguyen", "Lefebvre", "Haddad", "Roux", "Garcia")
KINDS = ("Mission Locale", "France Travail", "CCAS", "PLIE", "Centre social", "Association", "SIAE",
         "Auto-école sociale", "Épicerie solidaire", "France Services", "CHRS", "Organisme de formation")


@dataclass
class Generated:
    tables: dict[str, tuple[list[str], list[tuple]]] = field(default_factory=dict)
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)   # role → (cookie value, csrf)
    counts: dict[str, int] = field(default_factory=dict)


def generate(structures: int, people: int, referrals: int, seed: int, now: datetime) -> Generated:
    """Every row as tuples ready for COPY (ids assigned here)."""
    rnd = random.Random(seed)
    g = Generated()
    day = timedelta(days=1)
    g.tables["network"] = (["id", "slug", "name", "territory", "settings", "created_at"],
                           [(1, SLUG, "Réseau d'insertion (banc)", "Bassin d'emploi", "{}", now - 800 * day)])
    # Structure sizes: Zipf-like (s = 0.8), structure 1 the largest (~7.7 % of the referrals at 500).
    weights = [1 / (i + 1) ** 0.8 for i in range(structures)]
    s_rows, v_rows, services_of = [], [], {}
    sid = 0
    for i in range(structures):
        st = i + 1
        s_rows.append((st, 1, f"bench-s{st}", "maillage", "published", f"{KINDS[i % len(KINDS)]} n° {st}",
                       "[]", f"contact{st}@structure.example", now - 800 * day, now - 800 * day))
        services_of[st] = []
        for k in range(rnd.randint(2, 4)):
            sid += 1
            services_of[st].append(sid)
            nom = f"Accompagnement {NEEDS[(st + k) % len(NEEDS)]} ({st}-{k})"
            emails = json.dumps([f"orientations{st}@structure.example"] if rnd.random() < 0.5 else [])
            v_rows.append((sid, 1, st, f"bench-v{sid}", "maillage", "published", nom, "Service du banc.",
                           "[]", "[]", "[]", "[]", "[]", True, emails, 6, False, nom.lower(), "service du banc",
                           now - 800 * day, now - 800 * day))
    g.tables["structure"] = (["id", "network_id", "external_id", "source", "status", "nom", "reseaux_porteurs",
                              "courriel", "created_at", "updated_at"], s_rows)
    g.tables["service"] = (["id", "network_id", "structure_id", "external_id", "source", "status", "nom",
                            "description", "thematiques", "publics", "modes_accueil", "modes_mobilisation",
                            "mobilisable_par", "accepts_referrals", "referral_emails", "update_frequency_months",
                            "publishes_slots", "search_name", "search_body", "created_at", "updated_at"], v_rows)

    ids = list(range(1, structures + 1))
    creator = rnd.choices(ids, weights=weights, k=people)
    p_rows = []
    for p in range(people):
        first, last = FIRST[rnd.randrange(len(FIRST))], LAST[rnd.randrange(len(LAST))]
        created = now - rnd.uniform(0, 760) * day
        p_rows.append((p + 1, 1, first, last, date(1960 + rnd.randrange(45), 1 + rnd.randrange(12), 1),
                       f"06{rnd.randrange(10**8):08d}", "[]", "[]", created, creator[p], first.lower(),
                       last.lower(), created, created, created))
    g.tables["person"] = (["id", "network_id", "first_name", "last_name", "birth_date", "phone", "situation", "needs",
                           "informed_at", "created_by_structure_id", "first_name_key", "last_name_key", "created_at",
                           "updated_at", "last_activity_at"], p_rows)

    statuses = rnd.choices([s for s, _ in STATUS_SHARES], weights=[w for _, w in STATUS_SHARES], k=referrals)
    receivers = rnd.choices(ids, weights=weights, k=referrals)
    senders = rnd.choices(ids, weights=weights, k=referrals)
    r_rows, e_rows = [], []
    eid = 0
    last_activity: dict[int, datetime] = {}
    for r in range(referrals):
        rid = r + 1
        status = statuses[r]
        person = rnd.randrange(people) + 1
        sender = creator[person - 1] if rnd.random() < 0.7 else senders[r]
        receiver = receivers[r]
        if receiver == sender:
            receiver = receiver % structures + 1
        service = rnd.choice(services_of[receiver])
        # Unanswered ones are recent (they expire at day 30; some are overdue for the job);
        # accepted ones lean recent (median ~6 months); the others are spread over two years.
        if status == "sent":
            sent = now - rnd.uniform(0, 40) * day
        elif status == "accepted":
            sent = now - 730 * rnd.random() ** 2 * day
        elif status == "expired":
            sent = now - rnd.uniform(31, 730) * day
        else:
            sent = now - rnd.uniform(1, 730) * day
        answered = closed = reached = None
        refusal = outcome = None
        last = sent
        events = [("sent", sent, sender)]
        if status in ("accepted", "closed", "refused"):
            answered = min(sent + rnd.uniform(0.05, 12) * day, now)
            events.append(("accept" if status != "refused" else "refuse", answered, receiver))
            last = answered
        if status == "accepted":
            if rnd.random() < 0.75:
                reached = min(answered + rnd.uniform(0, 20) * day, now)
                last = reached
            last = min(last + rnd.uniform(0, 30) * day, now)
        elif status == "closed":
            if rnd.random() < 0.85:
                reached = min(answered + rnd.uniform(0, 15) * day, now)
            closed = min(answered + rnd.uniform(15, 240) * day, now)
            outcome = OUTCOMES[rnd.randrange(len(OUTCOMES))]
            events.append(("close", closed, receiver))
            last = closed
        elif status == "refused":
            refusal = REFUSALS[rnd.randrange(len(REFUSALS))]
            closed = answered
        elif status == "expired":
            closed = last = sent + 30 * day
            events.append(("expire", closed, None))
        elif status == "cancelled":
            closed = last = min(sent + rnd.uniform(0.1, 10) * day, now)
            events.append(("cancel", closed, sender))
        needs = json.dumps(rnd.sample(NEEDS, rnd.randint(1, 2)))
        r_rows.append((rid, 1, person, service, receiver, sender, MOTIVES[rnd.randrange(len(MOTIVES))], needs,
                       status, refusal, outcome, sent, answered, closed, reached, last))
        for kind, at, actor in events:
            eid += 1
            e_rows.append((eid, rid, kind, actor, "{}", at))
        if last > last_activity.get(person, sent - day):
            last_activity[person] = last
    g.tables["referral"] = (["id", "network_id", "person_id", "service_id", "receiver_structure_id",
                             "sender_structure_id", "motive", "needs", "status", "refusal_reason", "outcome",
                             "sent_at", "answered_at", "closed_at", "last_reached_at", "last_event_at"], r_rows)
    g.tables["referral_event"] = (["id", "referral_id", "kind", "actor_structure_id", "data", "created_at"], e_rows)
    # the people's last activity follows their referrals (retention is counted from it)
    for i, row in enumerate(p_rows):
        at = last_activity.get(row[0])
        if at and at > row[14]:
            p_rows[i] = (*row[:13], at, at)

    users = [(1, "membre@bench.example", "Marie", "Membre"), (2, "animateur@bench.example", "Ali", "Animateur")]
    users += [(u, f"membre{u}@bench.example", "Membre", f"S{u - 1}") for u in range(3, 7)]
    g.tables["user_account"] = (["id", "email", "first_name", "last_name", "is_platform_admin", "is_active",
                                 "created_at"], [(*u, False, True, now - 700 * day) for u in users])
    # user 1 in the largest structure, users 3..6 in structures 2..5; user 2 animates the network
    g.tables["membership"] = (["id", "user_id", "structure_id", "role", "created_at"],
                              [(1, 1, 1, "member", now - 700 * day)]
                              + [(u - 1, u, u - 1, "member", now - 700 * day) for u in range(3, 7)])
    g.tables["network_role"] = (["id", "user_id", "network_id", "role", "created_at"],
                                [(1, 2, 1, "animator", now - 700 * day)])
    sessions = []
    for n, (role, user_id, structure_id) in enumerate((("member", 1, 1), ("animator", 2, None)), start=1):
        token, csrf = new_secret(), new_secret()
        g.tokens[role] = (token, csrf)
        sessions.append((n, hash_secret(token), csrf, user_id, structure_id, "bench", now, now + 30 * day))
    g.tables["user_session"] = (["id", "token_hash", "csrf_token", "user_id", "structure_id", "method", "created_at",
                                 "expires_at"], sessions)
    g.counts = {"structures": structures, "services": sid, "people": people, "referrals": referrals,
                "events": eid, "largest_structure_received": sum(1 for r in r_rows if r[4] == 1)}
    return g


LOAD_ORDER = ("network", "structure", "service", "user_account", "membership", "network_role", "user_session",
              "person", "referral", "referral_event")


async def load(url: str, g: Generated) -> None:
    await copy_tables(url, g.tables, LOAD_ORDER)


async def copy_tables(url: str, tables: dict[str, tuple[list[str], list[tuple]]], order: tuple[str, ...]) -> None:
    """COPY each table's rows (in ``order``, for the foreign keys), reset the id
    sequences, then VACUUM (ANALYZE) so that plans see real statistics."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with conn.transaction():
            for table in order:
                columns, rows = tables[table]
                await conn.copy_records_to_table(table, records=rows, columns=columns)
                await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
        await conn.execute("VACUUM (ANALYZE)")
    finally:
        await conn.close()


# ---------------------------------------------------------------- measuring


@dataclass
class Timings:
    key: str
    label: str
    http: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    detail: str = ""

    def summary(self) -> dict[str, Any]:
        out = {"key": self.key, "label": self.label, "detail": self.detail,
               "http_p50_ms": percentile(self.http, 0.5) * 1000, "http_p95_ms": percentile(self.http, 0.95) * 1000}
        if self.sql:
            out.update(sql_p50_ms=percentile(self.sql, 0.5) * 1000, sql_p95_ms=percentile(self.sql, 0.95) * 1000)
        return out


async def _pick(url: str) -> tuple[list[int], list[int]]:
    """People the member of structure 1 may see (a referral received by it, several
    referrals each), and services of other structures to send to."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        people = [r[0] for r in await conn.fetch(
            "SELECT person_id FROM referral WHERE receiver_structure_id = 1 GROUP BY person_id "
            "ORDER BY count(*) DESC, person_id LIMIT 200")]
        services = [r[0] for r in await conn.fetch(
            "SELECT id FROM service WHERE structure_id <> 1 ORDER BY id LIMIT 400")]
        return people, services
    finally:
        await conn.close()


def _client(server: AppServer, token: tuple[str, str]) -> httpx.Client:
    cookie, csrf = token
    return httpx.Client(base_url=server.base_url, timeout=60, cookies={SESSION_COOKIE: cookie, CSRF_COOKIE: csrf},
                        headers={"X-CSRF-Token": csrf})


def _timed(client: httpx.Client, method: str, path: str, expect: int = 200, **kw) -> tuple[float, Any]:
    start = time.perf_counter()
    response = client.request(method, path, **kw)
    elapsed = time.perf_counter() - start
    if response.status_code != expect:
        raise RuntimeError(f"{method} {path} → {response.status_code} {response.text[:300]}")
    return elapsed, response.json()


def _http_requests(people: list[int], services: list[int]):
    """(key, label, role, method, path(i), json(i), expected status)."""
    return (
        ("inbox", "boîte reçue, 1re page (structure la plus grande)", "member", "GET",
         lambda i: "/api/v1/referrals?structure_id=1&direction=received", None, 200),
        ("stalled", "file de l'animateur, 1re page", "animator", "GET",
         lambda i: f"/api/v1/manage/networks/{SLUG}/stalled", None, 200),
        ("person", "fiche d'une personne", "member", "GET",
         lambda i: f"/api/v1/people/{people[i % len(people)]}", None, 200),
        ("send", "envoi d'une orientation", "member", "POST", lambda i: "/api/v1/referrals",
         lambda i: {"person_id": people[i % len(people)], "service_id": services[i % len(services)],
                    "motive": "Orientation du banc d'essai.", "needs": ["mobilite--acceder-a-un-vehicule"]}, 201),
    )


async def measure_http(url: str, tokens: dict[str, tuple[str, str]], requests: int, warmup: int,
                       progress=None) -> list[Timings]:
    people, services = await _pick(url)
    results = []
    with AppServer(url) as server:
        clients = {role: _client(server, token) for role, token in tokens.items()}
        try:
            for key, label, role, method, path, body, expect in _http_requests(people, services):
                t = Timings(key, label)
                for i in range(warmup + requests):
                    elapsed, data = _timed(clients[role], method, path(i), expect,
                                           json=body(i) if body else None)
                    if i >= warmup:
                        t.http.append(elapsed)
                if key in ("inbox", "stalled"):
                    t.detail = f"total {data['total']:,}"
                elif key == "person":
                    t.detail = f"{len(data['referrals'])} orientations sur la dernière fiche"
                results.append(t)
                if progress:
                    progress(t)
        finally:
            for c in clients.values():
                c.close()
    return results


async def _principal(session, token: str):
    from maillage.accounts.service import principal_from_session

    found = await principal_from_session(session, token)
    if found is None:
        raise RuntimeError("session du banc introuvable")
    return found[0]


def _read_calls(people: list[int]):
    """The route functions of the three reads, called in-process (no HTTP, no JSON)."""
    from maillage.pagination import PageParams
    from maillage.people import routes as people_routes
    from maillage.referrals import queue_routes, routes

    page = PageParams(1, 20)
    return (
        ("inbox", "member", lambda s, p, i: routes.inbox(principal=p, session=s, page=page, structure_id=1,
                                                          direction="received", status_filter=None, follow_up=None)),
        ("stalled", "animator", lambda s, p, i: queue_routes.stalled(SLUG, principal=p, session=s, page=page,
                                                                     rule=None, structure_id=None,
                                                                     min_age_days=None)),
        ("person", "member", lambda s, p, i: people_routes.get_person(people[i % len(people)], principal=p,
                                                                     session=s)),
    )


async def measure_sql(url: str, tokens: dict[str, tuple[str, str]], results: list[Timings], requests: int,
                      warmup: int) -> None:
    """Same reads in-process (route functions with a loaded principal), rolled back."""
    people, _ = await _pick(url)
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    by_key = {t.key: t for t in results}
    try:
        for key, role, call in _read_calls(people):
            for i in range(warmup + requests):
                async with sessionmaker() as session:
                    principal = await _principal(session, tokens[role][0])
                    start = time.perf_counter()
                    await call(session, principal, i)
                    elapsed = time.perf_counter() - start
                    await session.rollback()
                if i >= warmup and key in by_key:
                    by_key[key].sql.append(elapsed)
    finally:
        await engine.dispose()


async def time_stall_job(url: str, runs: int = 2) -> list[dict[str, Any]]:
    """``run_stall_rules`` over the whole table, committed, ``runs`` times in a row
    (the first one does the work due, the next ones find what is left)."""
    from maillage.referrals.stall import run_stall_rules

    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    out = []
    try:
        for _ in range(runs):
            async with sessionmaker() as session:
                start = time.perf_counter()
                counts = await run_stall_rules(session)
                job = time.perf_counter() - start
                await session.commit()
                total = time.perf_counter() - start
            out.append({"job_s": round(job, 2), "with_commit_s": round(total, 2), "counts": counts})
    finally:
        await engine.dispose()
    return out


async def explain(url: str, tokens: dict[str, tuple[str, str]], keys: tuple[str, ...] = ()) -> list[tuple]:
    """(key, SQL, EXPLAIN (ANALYZE, BUFFERS)) of every statement of the reads and the stall job."""
    from maillage.referrals.stall import run_stall_rules

    people, _ = await _pick(url)
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    captured: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    calls = [(k, role, c) for k, role, c in _read_calls(people)]
    calls.append(("stall", None, lambda s, p, i: run_stall_rules(s)))
    out = []
    try:
        for key, role, call in calls:
            if keys and key not in keys:
                continue
            async with sessionmaker() as session:
                principal = await _principal(session, tokens[role][0]) if role else None
                captured.clear()
                event.listen(engine.sync_engine, "before_cursor_execute", capture)
                try:
                    await call(session, principal, 0)
                finally:
                    event.remove(engine.sync_engine, "before_cursor_execute", capture)
                statements = list(captured)
                if key == "stall":  # only the statements over the referral table, once each
                    seen: set[str] = set()
                    statements = [(st, pa) for st, pa in statements if "FROM referral" in st
                                  and not (st in seen or seen.add(st))]
                connection = await session.connection()
                for statement, parameters in statements:
                    result = await connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
                    out.append((key, statement, "\n".join(row[0] for row in result)))
                await session.rollback()
    finally:
        await engine.dispose()
    return out


async def session_tokens(url: str) -> dict[str, tuple[str, str]]:
    """Fresh sessions for the bench users of an existing bench database (``--reuse``)."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    tokens = {}
    try:
        now = datetime.now(UTC)
        for role, user_id, structure_id in (("member", 1, 1), ("animator", 2, None)):
            token, csrf = new_secret(), new_secret()
            await conn.execute(
                "INSERT INTO user_session (token_hash, csrf_token, user_id, structure_id, method, created_at, "
                "expires_at) VALUES ($1, $2, $3, $4, 'bench', $5, $6)",
                hash_secret(token), csrf, user_id, structure_id, now, now + timedelta(days=1))
            tokens[role] = (token, csrf)
    finally:
        await conn.close()
    return tokens
