"""The three proof commands put together (``maillage bench load`` / ``faults`` / ``overhead``)."""

import asyncio
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from maillage.accounts.deps import SESSION_COOKIE
from maillage.bench.load import recreate_database
from maillage.bench.measure import percentile
from maillage.bench.proof import integrity
from maillage.bench.proof.mix import Results, run_mix
from maillage.bench.proof.servers import App, Cluster, Runners, SmtpSink
from maillage.bench.proof.world import World, build

Say = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


def _work_dir(work_dir: Path | None) -> Path:
    path = work_dir or Path(tempfile.mkdtemp(prefix="maillage-proof-"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _prepare(url: str, say: Say) -> World:
    start = time.monotonic()
    asyncio.run(recreate_database(url))
    world = asyncio.run(build(url))
    say(f"Base recréée et migrée, réseau Pantin chargé : {len(world.counsellors)} conseillers, "
        f"{len(world.targets)} services ouverts aux orientations, {sum(map(len, world.slots.values()))} créneaux "
        f"({world.capacity} places) — {time.monotonic() - start:.1f} s")
    return world


# ---------------------------------------------------------------- load


def load_run(url: str, *, seconds: float = 60, users: int = 16, workers: int = 2, runners: int = 2,
             jobs_interval: float = 10.0, seed: int = 1, work_dir: Path | None = None, stock_uvicorn: bool = False,
             say: Say = _quiet) -> dict[str, Any]:
    """The mix for ``seconds`` against ``workers`` app processes and ``runners`` job
    runners, then the outbox drained and everything checked."""
    logs = _work_dir(work_dir)
    world = _prepare(url, say)
    sink = SmtpSink().start()
    try:
        with App(url, workers=workers, log_path=logs / "app.log", stock_uvicorn=stock_uvicorn) as app:
            pool = Runners(url, sink.port, count=runners, interval=jobs_interval, log_path=logs / "jobs.log").start()
            try:
                say(f"{users} utilisateurs virtuels pendant {seconds:.0f} s sur {app.base_url} "
                    f"({workers} processus), {runners} exécuteurs de tâches…")
                results = run_mix(app.base_url, world, users, seconds, seed=seed)
                backlog = asyncio.run(integrity.outbox_backlog(url))
                pending, drained = integrity.drain(url, timeout=900)
                say(f"Boîte d'envoi : {backlog} courriels en attente à la fin du mélange, vidée en {drained:.1f} s "
                    f"({pending} en attente)")
                pool.wait_for_runs(1, timeout=120)  # a short run: each runner finishes at least once
            finally:
                pool.stop()
        report = asyncio.run(integrity.check(url, results, sink.counts(), pool.summary()))
    finally:
        sink.stop()
    return {"kind": "load", "database": _safe(url), "users": users, "workers": workers, "runners": runners,
            "jobs_interval_s": jobs_interval, "seconds": seconds,
            "stock_uvicorn": stock_uvicorn, "outbox_backlog_after_mix": backlog, "drain_s": round(drained, 1),
            "mix": results.summary(), "runners_summary": pool.summary(), "integrity": report.as_dict(),
            "logs": str(logs), "ok": report.ok and results.errors == 0}


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# ---------------------------------------------------------------- faults


def _merge(total: Results, part: Results) -> None:
    total.acked.update(part.acked)
    total.booked.update(part.booked)
    total.refused |= part.refused
    total.unknown |= part.unknown


def _in_background(target, *args, **kwargs) -> tuple[threading.Thread, dict]:
    box: dict = {}

    def run():
        box["result"] = target(*args, **kwargs)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


def _recovered(base_url: str, world: World, tries: int = 20) -> tuple[bool, str]:
    """After a fault: a few searches and inboxes in a row, all answered 200."""
    me = world.counsellors[0]
    statuses = []
    with httpx.Client(base_url=base_url, timeout=30, cookies={SESSION_COOKIE: me.token}) as client:
        for n in range(tries):
            if n % 2:
                response = client.get("/api/v1/services/search", params={"network": world.slug, "q": "emploi"})
            else:
                response = client.get("/api/v1/referrals",
                                      params={"structure_id": me.structure_id, "direction": "received"})
            statuses.append(response.status_code)
    return all(s == 200 for s in statuses), f"{statuses.count(200)}/{tries} réponses 200"


def faults_run(*, seconds: float = 30, users: int = 8, workers: int = 2, seed: int = 2, jobs_interval: float = 2.0,
               work_dir: Path | None = None, lease_seconds: int = 15, say: Say = _quiet) -> dict[str, Any]:
    """Three faults, each during the mix and each followed by the checks, on a private
    PostgreSQL cluster: (a) the database restarted, (b) the SMTP server down then back,
    (c) a job runner killed (SIGKILL) in the middle of a batch."""
    logs = _work_dir(work_dir)
    out: dict[str, Any] = {"kind": "faults", "users": users, "workers": workers, "seconds": seconds,
                           "lease_seconds": lease_seconds, "faults": [], "logs": str(logs)}
    total = Results()
    with Cluster() as cluster:
        url = cluster.url
        say(f"Grappe PostgreSQL privée sur 127.0.0.1:{cluster.port} ({cluster.root})")
        world = _prepare(url, say)
        sink = SmtpSink().start()
        try:
            with App(url, workers=workers, log_path=logs / "app.log") as app:
                pool = Runners(url, sink.port, count=2, interval=jobs_interval, log_path=logs / "jobs.log",
                               lease_seconds=lease_seconds).start()
                try:
                    for name, fault in (("a. base de données redémarrée", _fault_restart),
                                        ("b. serveur SMTP arrêté puis relancé", _fault_smtp),
                                        ("c. exécuteur de tâches tué au milieu d'un lot", _fault_kill)):
                        say(f"== {name}")
                        results, notes = fault(app=app, world=world, pool=pool, sink=sink, cluster=cluster,
                                               seconds=seconds, users=users, seed=seed, say=say, url=url)
                        _merge(total, results)
                        pending, drained = integrity.drain(url, timeout=900)
                        notes["drain_s"] = round(drained, 1)
                        say(f"   boîte d'envoi vidée en {drained:.1f} s ({pending} en attente)")
                        ok, detail = _recovered(app.base_url, world)
                        report = asyncio.run(integrity.check(url, total, sink.counts(), pool.summary(),
                                                             runner_failures_allowed=True))
                        report.add("l'application répond de nouveau (sans intervention)", ok, detail)
                        if "expect" in notes:
                            label, passed, text = notes.pop("expect")
                            report.add(label, passed, text)
                        for c in report.checks:
                            say(f"   {'ok ' if c.ok else 'ÉCHEC'} {c.name} : {c.detail}")
                        out["faults"].append({"name": name, "mix": results.summary(), "notes": notes,
                                              "integrity": report.as_dict()})
                finally:
                    pool.stop()
                out["runners_summary"] = pool.summary()
        finally:
            sink.stop()
    out["ok"] = all(f["integrity"]["ok"] for f in out["faults"])
    return out


def _fault_restart(*, app, world, pool, sink, cluster, seconds, users, seed, say, url) -> tuple[Results, dict]:
    thread, box = _in_background(run_mix, app.base_url, world, users, seconds, seed=seed)
    time.sleep(seconds / 3)
    away = cluster.restart("fast")
    say(f"   PostgreSQL redémarré (arrêt « fast » puis démarrage) : {away:.1f} s d'absence")
    thread.join()
    results: Results = box["result"]
    say(f"   {results.requests} requêtes, {results.errors} en erreur pendant le redémarrage "
        f"({_error_statuses(results)})")
    return results, {"restart_s": round(away, 1), "error_statuses": _error_statuses(results)}


def _error_statuses(results: Results) -> dict[str, int]:
    out: dict[str, int] = {}
    for kind in results.kinds.values():
        for status, n in kind.statuses.items():
            if not (isinstance(status, int) and (200 <= status < 300 or status == 409)):
                out[str(status)] = out.get(str(status), 0) + n
    return out


def _fault_smtp(*, app, world, pool, sink, cluster, seconds, users, seed, say, url) -> tuple[Results, dict]:
    thread, box = _in_background(run_mix, app.base_url, world, users, seconds, seed=seed + 1)
    time.sleep(seconds / 6)
    sink.stop()
    down = time.monotonic()
    say("   serveur SMTP arrêté")
    time.sleep(seconds / 2)
    sink.start()
    say(f"   serveur SMTP relancé après {time.monotonic() - down:.1f} s")
    thread.join()
    results: Results = box["result"]
    retried = asyncio.run(_retried(url))
    notes = {"smtp_down_s": round(seconds / 2, 1), "emails_failed_then_retried": retried,
             "expect": ("des courriels ont échoué pendant la panne puis ont été renvoyés", retried > 0,
                        f"{retried} courriel(s) envoyés après au moins un échec")}
    return results, notes


async def _retried(url: str) -> int:
    conn = await integrity._connect(url)
    try:
        return await conn.fetchval("SELECT count(*) FROM outbox_email WHERE attempts > 1 OR "
                                   "(status = 'pending' AND last_error IS NOT NULL)")
    finally:
        await conn.close()


async def _held(url: str) -> list[int]:
    conn = await integrity._connect(url)
    try:
        return [r["id"] for r in await conn.fetch(
            "SELECT id FROM outbox_email WHERE status = 'pending' AND claimed_until > now()")]
    finally:
        await conn.close()


def _fault_kill(*, app, world, pool, sink, cluster, seconds, users, seed, say, url) -> tuple[Results, dict]:
    # A backlog first (both runners paused), then runner 0 alone on a slow SMTP server,
    # killed once it is well into its batch; runner 1 and runner 0's next runs finish.
    for paused in pool.paused:
        paused.set()
    pool.wait_idle(timeout=120)  # the runs in progress end
    results = run_mix(app.base_url, world, users, seconds / 2, seed=seed + 2)
    backlog = asyncio.run(integrity.outbox_backlog(url))
    say(f"   {backlog} courriels en attente ; exécuteur 0 seul, SMTP lent (0,1 s par message)")
    sink.delay = 0.1
    before = sum(sink.counts().values())
    pool.paused[0].clear()
    deadline = time.monotonic() + 120
    while sum(sink.counts().values()) < before + 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    killed = pool.kill(0)
    at = sum(sink.counts().values()) - before
    time.sleep(0.5)
    held = asyncio.run(_held(url))
    say(f"   exécuteur 0 tué (SIGKILL) après {at} courriels de son lot ; {len(held)} courriels encore réservés "
        f"par lui (bail de {pool.lease_seconds} s)")
    sink.delay = 0.0
    pool.paused[1].clear()
    return results, {"backlog": backlog, "killed": killed, "sent_before_kill": at, "held_by_killed": len(held),
                     "expect": ("l'exécuteur a bien été tué au milieu d'un lot", killed and len(held) > 0,
                                f"{len(held)} courriels réservés par l'exécuteur tué")}


# ---------------------------------------------------------------- overhead


PER_CONNECTION = 50


async def _client_loop(port: int, path: str, deadline: float, latencies: list[float], errors: list[int]) -> None:
    """Keep-alive connections, ``GET path`` again and again until ``deadline``; a new
    connection every ``PER_CONNECTION`` requests, so that the connections spread evenly
    over the app's processes (the kernel hands each new one to whichever accepts first,
    and a long-lived connection stays where it landed)."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n".encode()
    while time.monotonic() < deadline:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for _ in range(PER_CONNECTION):
                if time.monotonic() >= deadline:
                    break
                start = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - start)
                if status != 200:
                    errors.append(status)
        finally:
            writer.close()


def _hammer(port: int, path: str, seconds: float, clients: int) -> dict[str, Any]:
    """``clients`` keep-alive connections driven by one asyncio loop (raw HTTP/1.1: the
    cheapest client, and no thread handing the GIL around), ``GET path`` for ``seconds``."""
    latencies: list[float] = []
    errors: list[int] = []

    async def run() -> None:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(_client_loop(port, path, deadline, latencies, errors) for _ in range(clients)))

    cpu = time.process_time()
    start = time.monotonic()
    asyncio.run(run())
    elapsed = time.monotonic() - start
    return {"path": path, "requests": len(latencies), "per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.5) * 1000, 2), "p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
            "errors": len(errors), "client_cpu_s": round(time.process_time() - cpu, 1), "seconds": round(elapsed, 1)}


def overhead_run(url: str, *, seconds: float = 20, clients: int = 16, workers: int = 2, warmup: float = 3,
                 query: str = "emploi", work_dir: Path | None = None, stock_uvicorn: bool = False,
                 say: Say = _quiet) -> dict[str, Any]:
    logs = _work_dir(work_dir)
    world = _prepare(url, say)
    search = f"/api/v1/services/search?network={world.slug}&q={query}"
    out: dict[str, Any] = {"kind": "overhead", "clients": clients, "workers": workers, "seconds": seconds,
                           "cpus": os.cpu_count(), "stock_uvicorn": stock_uvicorn}
    with App(url, workers=workers, log_path=logs / "app.log", stock_uvicorn=stock_uvicorn) as app:
        for key, path in (("bare", "/healthz"), ("search", search)):
            _hammer(app.port, path, warmup, clients)
            out[key] = _hammer(app.port, path, seconds, clients)
            say(f"{path} : {out[key]['per_s']} requêtes/s, p50 {out[key]['p50_ms']} ms, "
                f"p95 {out[key]['p95_ms']} ms, {out[key]['errors']} erreurs")
    out["ratio"] = round(out["search"]["per_s"] / out["bare"]["per_s"], 3) if out["bare"]["per_s"] else None
    out["ok"] = out["bare"]["errors"] == 0 and out["search"]["errors"] == 0
    return out
