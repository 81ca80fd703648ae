"""``maillage bench stats``: the Pilotage page on the referrals benchmark's network
(1,000,000 referrals, 200,000 people, 500 structures, loaded by ``bench.referrals``):
how long the snapshot takes to compute, then the page's data over HTTP for the network
and a year, a structure's page, and a CSV export, with a real animator's session."""

import time
from typing import Any

from sqlalchemy import select

from maillage.bench.measure import AppServer, percentile
from maillage.bench.referrals import SLUG, _client
from maillage.db import make_engine, make_sessionmaker, utcnow
from maillage.directory.models import Network
from maillage.stats.refresh import refresh
from maillage.stats.service import period


async def time_refresh(url: str, runs: int) -> list[dict[str, Any]]:
    """``refresh`` of the whole network, committed, ``runs`` times in a row."""
    engine = make_engine(url)
    out = []
    try:
        for _ in range(runs):
            async with make_sessionmaker(engine)() as session:
                network = await session.scalar(select(Network).where(Network.slug == SLUG))
                start = time.perf_counter()
                run = await refresh(session, network, utcnow())
                computed = time.perf_counter() - start
                await session.commit()
                out.append({"refresh_s": round(computed, 2), "with_commit_s": round(time.perf_counter() - start, 2),
                            "cells": run.cells})
    finally:
        await engine.dispose()
    return out


def pages(year_end: str) -> tuple[tuple[str, str, str], ...]:
    """(key, label, path) of what is measured; the year is the 12 months up to ``year_end``."""
    year_start, _ = period(None, year_end)
    base = f"/api/v1/stats/networks/{SLUG}"
    query = f"start={year_start}&end={year_end}"
    return (
        ("network", "Pilotage : tout le réseau, 12 mois", f"{base}?{query}"),
        ("scopes", "Pilotage : la liste des structures et services (filtre)", f"{base}/scopes"),
        ("structure", "indicateurs de la plus grande structure (reçues), 12 mois",
         f"{base}?scope=received&scope_id=1&{query}"),
        ("csv", "export CSV des chiffres clés du réseau, 12 mois", f"{base}/export/chiffres-cles.csv?{query}"),
    )


def measure_http(url: str, tokens: dict[str, tuple[str, str]], requests: int, warmup: int, year_end: str,
                 progress=None) -> list[dict[str, Any]]:
    out = []
    with AppServer(url) as server:
        client = _client(server, tokens["animator"])
        try:
            for key, label, path in pages(year_end):
                times = []
                for i in range(warmup + requests):
                    start = time.perf_counter()
                    response = client.get(path)
                    elapsed = time.perf_counter() - start
                    if response.status_code != 200:
                        raise RuntimeError(f"GET {path} → {response.status_code} {response.text[:300]}")
                    if i >= warmup:
                        times.append(elapsed)
                detail = f"{len(response.content):,} octets"
                if key == "network":
                    body = response.json()
                    sent = next(f for s in body["sections"] for f in s["figures"] if f["key"] == "sent")
                    detail += f", {sent['value']['display']} orientations"
                row = {"key": key, "label": label, "detail": detail, "http_p50_ms": percentile(times, 0.5) * 1000,
                       "http_p95_ms": percentile(times, 0.95) * 1000}
                out.append(row)
                if progress:
                    progress(row)
        finally:
            client.close()
    return out
