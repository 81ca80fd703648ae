"""Proof against bad input: Schemathesis over the whole OpenAPI document of the app,
signed in as each role, on the run's database (SQLite or PostgreSQL). No 5xx, every
status documented, every body matching its schema (see ``fuzz.py`` for the checks and
the budget; ``MAILLAGE_PROOF_FULL=1`` for a deeper run)."""

import asyncio
import os
import re
from collections.abc import AsyncIterator

import pytest
from httpx import ASGITransport, AsyncClient
from maillage.accounts.deps import CSRF_COOKIE, SESSION_COOKIE
from maillage.accounts.service import open_session
from maillage.db import get_session
from maillage.main import create_app
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from tests.accounts.factories import make_user
from tests.proof import fuzz
from tests.test_permissions import _world

ROLES = ("anonymous", "member", "admin", "animator", "platform_admin")
WATCHED = ("network", "user_account", "referral", "referral_attachment", "booking", "outbox_email")


async def _committed(engine: AsyncEngine) -> dict[str, int]:
    """Row counts seen from another connection: what is committed for good."""
    async with engine.connect() as conn:
        return {table: await conn.scalar(text(f"SELECT count(*) FROM {table}")) for table in WATCHED}


async def _setup(connection: AsyncConnection, settings) -> tuple[dict[str, list], dict[str, tuple[str, str]]]:
    """The permission table's world (a network, structures, people, referrals, slots,
    bookings…), a platform admin, and a signed-in session per role."""
    # Flushed, never committed: in the test's transaction (on SQLite, releasing a first
    # savepoint would commit it for good, pysqlite having emitted no BEGIN yet).
    async with AsyncSession(bind=connection, join_transaction_mode="rollback_only",
                            expire_on_commit=False) as session:
        w = await _world(session)
        w.users["platform_admin"] = await make_user(session, platform_admin=True)
        tokens = {}
        for role in ROLES[1:]:
            token, user_session = await open_session(session, w.users[role], "test", settings)
            tokens[role] = (token, user_session.csrf_token)
        await session.flush()
    i = w.ids
    known = {
        "referral_id": [i[k] for k in ("r_view", "r_accept", "r_refuse", "r_cancel", "r_contact", "r_close",
                                       "r_reorient", "r_attach", "r_download", "q_sent", "q_accepted",
                                       "q_reorient", "r_book")],
        "booking_id": [i["b_move"], i["b_cancel"], i["b_past"]],
        "slot_id": [i[k] for k in ("book_slot", "slot", "other_slot", "spare_slot", "series_slot", "cancel_slot",
                                   "past_slot")],
        "service_id": [w.service.id, i["open_service"], i["reorient_service"]],
        "structure_id": [w.structure.id, w.other_structure.id],
        "scope_id": [w.structure.id],
        "person_id": [i["person"], i["erased_person"]],
        "place_id": [i["place"], i["spare_place"]],
        "series_id": [i["series"]],
        "slug": [w.network.slug], "network": [w.network.slug],
        "membership_id": [i["membership"]],
        "invitation_id": [i["invitation"]],
        "join_request_id": [i["join_request"], i["other_join_request"]],
        "token_id": [i["token"]],
        "feed_id": [i["feed"]],
        "attachment_id": [i["attachment"]],
        "token": [i["feed_token"]],
    }
    return known, tokens


def _per_request_session(connection: AsyncConnection):
    """Like ``db.get_session`` (one session per request, committed once, rolled back on
    error), inside the test's transaction: its commits are savepoints."""

    async def _session() -> AsyncIterator[AsyncSession]:
        async with AsyncSession(bind=connection, join_transaction_mode="create_savepoint",
                                expire_on_commit=False) as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    return _session


@pytest.mark.parametrize("role", ROLES)
async def test_openapi_conformance(engine, connection, settings, role):
    before = await _committed(engine)
    known, tokens = await _setup(connection, settings)
    app = create_app(settings)
    app.dependency_overrides[get_session] = _per_request_session(connection)
    document = app.openapi()
    loop = asyncio.get_running_loop()
    # Like the SPA: the anti-CSRF cookie echoed in a header (anonymous too, so that unsafe
    # requests reach the routes instead of stopping at the CSRF check).
    csrf = "jeton-csrf-anonyme"
    auth = {"cookie": f"{CSRF_COOKIE}={csrf}", "x-csrf-token": csrf}
    if role != "anonymous":
        token, csrf = tokens[role]
        auth = {"cookie": f"{SESSION_COOKIE}={token}; {CSRF_COOKIE}={csrf}", "x-csrf-token": csrf}

    async with AsyncClient(transport=ASGITransport(app=app), base_url=fuzz.BASE_URL) as client:

        async def send_async(prepared):
            headers = {k: v for k, v in prepared.headers.items() if k.lower() not in ("cookie", "content-length")}
            headers.update(auth)
            savepoint = await connection.begin_nested()
            try:
                return await client.request(prepared.method, prepared.url, headers=headers, content=prepared.body)
            finally:
                await savepoint.rollback()
                client.cookies.clear()

        def send(prepared):
            return asyncio.run_coroutine_threadsafe(send_async(prepared), loop).result(timeout=120)

        pattern = os.environ.get("MAILLAGE_PROOF_ONLY")  # e.g. "POST /api/v1/referrals" (a regex)
        only = (lambda method, path: re.search(pattern, f"{method} {path}") is not None) if pattern else None
        report = await asyncio.to_thread(fuzz.run, document, send, known, role, fuzz.Budget.from_env(), only)
    await app.state.engine.dispose()
    print(f"\n[{role}] {report.summary()}")
    if os.environ.get("MAILLAGE_PROOF_REPORT"):  # a file to append the summary and the failures to
        with open(os.environ["MAILLAGE_PROOF_REPORT"], "a", encoding="utf-8") as out:
            out.write(f"[{role}] {report.summary()}\n" + "".join(f"{f}\n\n" for f in report.failures))
    assert report.requests > 0
    assert not report.failures, "\n\n".join(str(f) for f in report.failures)
    assert await _committed(engine) == before, "the run must leave nothing committed behind"
