"""Timing the search mix twice: through HTTP against the real application served by
uvicorn in a subprocess, and in-process by calling ``search_services`` (the very
SQLAlchemy statements the endpoint runs) against the same database."""

import math
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from maillage.bench.queries import MIX, QueryKind, to_search
from maillage.db import make_engine, make_sessionmaker
from maillage.directory.search import search_services

SEARCH_PATH = "/api/v1/services/search"


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..1) of samples in seconds."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass
class KindTimings:
    key: str
    label: str
    total: int = 0
    http: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "key": self.key, "label": self.label, "total": self.total,
            "http_p50_ms": percentile(self.http, 0.5) * 1000, "http_p95_ms": percentile(self.http, 0.95) * 1000,
            "sql_p50_ms": percentile(self.sql, 0.5) * 1000, "sql_p95_ms": percentile(self.sql, 0.95) * 1000,
        }


class AppServer:
    """``python -m uvicorn maillage.main:create_app --factory`` on a free loopback port."""

    def __init__(self, database_url: str, workers: int = 1) -> None:
        self.database_url = database_url
        self.workers = workers
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "AppServer":
        env = {**os.environ, "DATABASE_URL": self.database_url}
        env.pop("MAILLAGE_DATABASE_URL", None)
        env.pop("MAILLAGE_SQL_ECHO", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "maillage.main:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
             "--workers", str(self.workers)],
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("uvicorn s'est arrêté au démarrage.")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("uvicorn n'a pas répondu en 30 secondes.")

    def __exit__(self, *_exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _sql_once(engine: AsyncEngine, sessionmaker, params: dict[str, Any]) -> tuple[float, int]:
    query, page = to_search(params)
    async with sessionmaker() as session:
        start = time.perf_counter()
        result = await search_services(session, query, page)
        elapsed = time.perf_counter() - start
    return elapsed, result.total


def _http_once(client: httpx.Client, params: dict[str, Any]) -> tuple[float, int]:
    start = time.perf_counter()
    response = client.get(SEARCH_PATH, params=params)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"{SEARCH_PATH} {params} → {response.status_code} {response.text[:200]}")
    return elapsed, response.json()["total"]


async def measure_mix(
    database_url: str, requests: int, warmup: int, kinds: tuple[QueryKind, ...] = MIX, progress=None
) -> list[KindTimings]:
    """For each kind: warm up, then ``requests`` sequential HTTP calls, then the same
    parameters in-process. The HTTP client is synchronous on purpose (the cheapest
    client, nothing else runs meanwhile): the event loop only serves the SQL side."""
    engine = make_engine(database_url)
    sessionmaker = make_sessionmaker(engine)
    results = []
    try:
        with AppServer(database_url) as server, httpx.Client(base_url=server.base_url, timeout=30) as client:
            for kind in kinds:
                timings = KindTimings(kind.key, kind.label)
                for i in range(warmup):
                    _http_once(client, kind.params(i))
                    await _sql_once(engine, sessionmaker, kind.params(i))
                http_totals = []
                for i in range(requests):
                    elapsed, total = _http_once(client, kind.params(i))
                    timings.http.append(elapsed)
                    http_totals.append(total)
                for i in range(requests):
                    elapsed, total = await _sql_once(engine, sessionmaker, kind.params(i))
                    timings.sql.append(elapsed)
                    if total != http_totals[i]:
                        raise RuntimeError(f"{kind.key}: {http_totals[i]} résultats en HTTP, {total} en SQL")
                timings.total = max(http_totals)
                results.append(timings)
                if progress:
                    progress(timings)
    finally:
        await engine.dispose()
    return results


def overall(results: list[KindTimings]) -> dict[str, float]:
    http = [t for r in results for t in r.http]
    sql = [t for r in results for t in r.sql]
    return {
        "http_p50_ms": percentile(http, 0.5) * 1000, "http_p95_ms": percentile(http, 0.95) * 1000,
        "sql_p50_ms": percentile(sql, 0.5) * 1000, "sql_p95_ms": percentile(sql, 0.95) * 1000,
    }


# ---------------------------------------------------------------- EXPLAIN


async def explain_mix(database_url: str, kinds: tuple[QueryKind, ...] = MIX) -> list[tuple[str, str, str]]:
    """(kind, SQL, EXPLAIN (ANALYZE, BUFFERS) output) for every statement that
    ``search_services`` runs for the first request of each kind."""
    engine = make_engine(database_url)
    captured: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _executemany):
        captured.append((statement, parameters))

    out = []
    try:
        sessionmaker = make_sessionmaker(engine)
        for kind in kinds:
            query, page = to_search(kind.params(0))
            captured.clear()
            event.listen(engine.sync_engine, "before_cursor_execute", capture)
            try:
                async with sessionmaker() as session:
                    await search_services(session, query, page)
            finally:
                event.remove(engine.sync_engine, "before_cursor_execute", capture)
            async with engine.connect() as conn:
                for statement, parameters in list(captured):
                    plan = await conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
                    out.append((kind.key, statement, "\n".join(row[0] for row in plan)))
    finally:
        await engine.dispose()
    return out
