"""Rate limits shared by every app process: a fixed-window counter row per key, counted
with one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (PostgreSQL and SQLite), in
autocommit on a connection of its own: the row is never held for the rest of the request,
and the request's session keeps its single commit. On PostgreSQL the table is UNLOGGED
(migration 0008): a count needs no durable write (the commit does not wait for the disk),
and after a crash the counters simply start again from zero.

The limits (settings, 0 turns one off):

- directory search, per client IP and minute (``search_rate_limit``);
- the start of a sign-in by demo persona or ProConnect, per client IP and minute
  (``sign_in_rate_limit``); sign-in links have their own limits (accounts.service);
- refused API tokens, per client IP and 10 minutes (``api_token_failure_limit``): past
  it, a wrong token gets 429 instead of 401. A valid token is never counted.

The client IP is the one uvicorn gives: behind a reverse proxy, run it with
``--proxy-headers`` and ``--forwarded-allow-ips`` so that it is the user's, not the proxy's.
"""

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import Request
from sqlalchemy import case, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from maillage.accounts.models import RateLimitHit
from maillage.errors import RateLimited
from maillage.ops.metrics import RATE_LIMITED
from maillage.ops.models import RateLimitCounter

KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    name: str
    setting: str  # the Settings field that holds the limit
    seconds: int
    message: str  # "{wait}" becomes "45 secondes", "3 minutes"…

    def limit(self, request: Request) -> int:
        return getattr(request.app.state.settings, self.setting)


SEARCH = Rule("search", "search_rate_limit", 60,
              "Trop de recherches depuis cette adresse : réessayez dans {wait}.")
SIGN_IN = Rule("sign_in", "sign_in_rate_limit", 60,
               "Trop de tentatives de connexion depuis cette adresse : réessayez dans {wait}.")
API_TOKEN_FAILURE = Rule("api_token_failure", "api_token_failure_limit", 600,
                         "Trop de jetons d'API refusés depuis cette adresse : réessayez dans {wait}.")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "inconnue"


def _wait(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} secondes" if seconds > 1 else "1 seconde"
    return f"{math.ceil(seconds / 60)} minutes"


async def count(db: AsyncSession | AsyncConnection, key: str, seconds: int,
                now: float | None = None) -> tuple[int, int]:
    """Count one hit under ``key``; returns the hits of the current window (this one
    included) and the seconds left until the window ends."""
    now = time.time() if now is None else now
    window = int(now // seconds) * seconds
    table = RateLimitCounter.__table__
    bind = db if isinstance(db, AsyncConnection) else db.get_bind()
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(table).values(key=key, window_start=window, hits=1)
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "hits": case((table.c.window_start == insert.excluded.window_start, table.c.hits + 1), else_=1),
            "window_start": insert.excluded.window_start,
        },
    ).returning(table.c.hits)
    hits = (await db.execute(statement)).scalar_one()
    return hits, max(1, math.ceil(window + seconds - now))


async def enforce(request: Request, rule: Rule) -> None:
    """Count this request under ``rule`` for its client IP; 429 past the limit. One
    statement in autocommit on a connection of its own: the count stays even when the
    request fails, and the counter row is never held while the request goes on."""
    limit = rule.limit(request)
    if limit <= 0:
        return
    engine: AsyncEngine = request.app.state.engine
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        hits, retry_after = await count(conn, f"{rule.name}:{client_ip(request)}", rule.seconds)
    if hits > limit:
        RATE_LIMITED.labels(rule.name).inc()
        raise RateLimited(rule.message.format(wait=_wait(retry_after)), retry_after)


async def limit_search(request: Request) -> None:
    await enforce(request, SEARCH)


async def limit_sign_in(request: Request) -> None:
    await enforce(request, SIGN_IN)


async def purge(session: AsyncSession, now: float | None = None) -> int:
    """Delete the counters and the sign-in link hits older than a day (a job)."""
    now = time.time() if now is None else now
    counters = await session.execute(
        delete(RateLimitCounter).where(RateLimitCounter.window_start < int(now - KEEP.total_seconds()))
    )
    hits = await session.execute(
        delete(RateLimitHit).where(RateLimitHit.created_at < datetime.fromtimestamp(now, UTC) - KEEP)
    )
    return (counters.rowcount or 0) + (hits.rowcount or 0)

