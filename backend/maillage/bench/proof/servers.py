"""The processes of a proof run: the app (uvicorn), the job runners, an SMTP server that
counts what it receives, and a private PostgreSQL cluster (for the restart fault).

Nothing here touches a server it did not start: the cluster lives in a temporary
directory on its own port and is deleted afterwards.
"""

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from maillage.bench.measure import _free_port

OUTBOX_ID = re.compile(rb"outbox-(\d+)")


def _env(database_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "MAILLAGE_DEMO": "false", "MAILLAGE_JOBS_IN_PROCESS": "false"}
    for name in ("MAILLAGE_DATABASE_URL", "MAILLAGE_SQL_ECHO"):
        env.pop(name, None)
    env.update(extra or {})
    return env


# The bench starts uvicorn as ``maillage serve`` does, with the fix of maillage.ops.tcp,
# unless asked for stock uvicorn.
_TCP_LISTENER = """
from maillage.ops.tcp import bind_listeners_as_tcp
from uvicorn.main import main

bind_listeners_as_tcp()
main()
"""


class App:
    """``uvicorn maillage.main:create_app --factory --workers N`` on a free loopback port,
    its logs in ``log_path``. Production settings (no demo mode), except the search rate
    limit (all the virtual users come from 127.0.0.1). ``stock_uvicorn``: uvicorn as is,
    with its 40 ms stall on keep-alive connections when N > 1 (see maillage.ops.tcp)."""

    def __init__(self, database_url: str, workers: int = 2, log_path: Path | None = None,
                 env: dict[str, str] | None = None, stock_uvicorn: bool = False) -> None:
        self.database_url = database_url
        self.workers = workers
        self.stock_uvicorn = stock_uvicorn
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.extra = {"MAILLAGE_SEARCH_RATE_LIMIT": "0", **(env or {})}
        self.process: subprocess.Popen | None = None
        self._log = None

    def __enter__(self) -> "App":
        self._log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        launcher = ["-m", "uvicorn"] if self.stock_uvicorn else ["-c", _TCP_LISTENER]
        self.process = subprocess.Popen(
            [sys.executable, *launcher, "maillage.main:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(self.workers), "--no-access-log"],
            env=_env(self.database_url, self.extra), stdout=self._log, stderr=self._log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn s'est arrêté au démarrage (journal : {self.log_path}).")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("uvicorn n'a pas répondu en 60 secondes.")

    def __exit__(self, *_exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()


# ---------------------------------------------------------------- job runners


@dataclass
class RunnerStats:
    runs: int = 0
    failures: int = 0
    killed: int = 0
    seconds: list[float] = field(default_factory=list)


class Runners:
    """``count`` job runners, each a loop of ``maillage jobs run`` processes (what a cron or
    a systemd timer does, every ``interval`` seconds instead of every minute).

    ``lease_seconds`` shortens the outbox lease (10 minutes in production) in these
    processes only, so that the emails held by a killed runner come back within the run.
    """

    def __init__(self, database_url: str, smtp_port: int, count: int = 2, interval: float = 1.0,
                 log_path: Path | None = None, lease_seconds: int | None = None) -> None:
        self.env = _env(database_url, {"MAILLAGE_SMTP_HOST": "127.0.0.1", "MAILLAGE_SMTP_PORT": str(smtp_port),
                                       "MAILLAGE_SMTP_TIMEOUT_SECONDS": "10", "MAILLAGE_LOG_LEVEL": "WARNING"})
        self.count = count
        self.interval = interval
        self.log_path = log_path
        self.lease_seconds = lease_seconds
        self.stats = [RunnerStats() for _ in range(count)]
        self.current: list[subprocess.Popen | None] = [None] * count
        self.paused = [threading.Event() for _ in range(count)]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def command(self) -> list[str]:
        if self.lease_seconds is None:
            return [sys.executable, "-m", "maillage.cli", "jobs", "run"]
        code = ("import datetime, maillage.notifications.sender as s; "
                f"s.LEASE = datetime.timedelta(seconds={int(self.lease_seconds)}); "
                "from maillage.cli import main; main(['jobs', 'run'])")
        return [sys.executable, "-c", code]

    def _loop(self, n: int) -> None:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            while not self._stop.is_set():
                start = time.monotonic()
                with self._lock:  # paused is checked and the process started at once (see wait_idle)
                    if self.paused[n].is_set():
                        process = None
                    else:
                        process = subprocess.Popen(self.command(), env=self.env, stdout=log, stderr=log)
                        self.current[n] = process
                if process is None:
                    time.sleep(0.1)
                    continue
                rc = process.wait()
                with self._lock:
                    self.current[n] = None
                stats = self.stats[n]
                if rc == -signal.SIGKILL:
                    stats.killed += 1
                elif rc == 0:
                    stats.runs += 1
                    stats.seconds.append(time.monotonic() - start)
                else:
                    stats.failures += 1
                self._stop.wait(self.interval)
        finally:
            if log is not subprocess.DEVNULL:
                log.close()

    def start(self) -> "Runners":
        for n in range(self.count):
            thread = threading.Thread(target=self._loop, args=(n,), name=f"runner-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def kill(self, n: int) -> bool:
        """SIGKILL runner ``n``'s current process (if one is running)."""
        with self._lock:
            process = self.current[n]
            if process is None or process.poll() is not None:
                return False
            process.send_signal(signal.SIGKILL)
            return True

    def stop(self) -> None:
        self._stop.set()
        for n in range(self.count):
            self.paused[n].clear()
        for thread in self._threads:
            thread.join(timeout=120)
        with self._lock:
            for process in self.current:
                if process is not None and process.poll() is None:
                    process.terminate()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no runner process is running (after pausing them)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                running = [p for p in self.current if p is not None and p.poll() is None]
            if not running:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)

    def wait_for_runs(self, runs: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while any(s.runs < runs for s in self.stats):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)
        return True

    def summary(self) -> list[dict]:
        return [{"runs": s.runs, "failures": s.failures, "killed": s.killed,
                 "mean_s": round(sum(s.seconds) / len(s.seconds), 2) if s.seconds else None} for s in self.stats]


# ---------------------------------------------------------------- SMTP


class SmtpSink:
    """An SMTP server (aiosmtpd) on a fixed loopback port that counts the messages it
    accepts per outbox id (the sender's ``Message-ID`` holds ``outbox-<id>``). It can be
    stopped and started again on the same port, and made slow (``delay`` per message)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or _free_port()
        self.received: Counter[int] = Counter()
        self.other = 0
        self.delay = 0.0
        self._controller = None
        self._lock = threading.Lock()

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.delay:
            await asyncio.sleep(self.delay)
        found = OUTBOX_ID.search(envelope.original_content or envelope.content or b"")
        with self._lock:
            if found:
                self.received[int(found.group(1))] += 1
            else:
                self.other += 1
        return "250 Message accepted for delivery"

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> "SmtpSink":
        from aiosmtpd.controller import Controller

        if self._controller is None:
            self._controller = Controller(self, hostname="127.0.0.1", port=self.port, ready_timeout=10)
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def counts(self) -> Counter[int]:
        with self._lock:
            return Counter(self.received)


# ---------------------------------------------------------------- a private PostgreSQL cluster


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3])) \
        if Path("/usr/lib/postgresql").is_dir() else []
    if found:
        return str(found[-1])
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise RuntimeError(f"« {name} » introuvable (paquet postgresql) : la panne « base redémarrée » en a besoin.")


class Cluster:
    """A throwaway PostgreSQL cluster (initdb in a temporary directory, its own port and
    socket directory), restarted by the « database restarted » fault, deleted at the end.
    As root, the server runs as the ``postgres`` system user (it refuses root)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="maillage-proof-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgresql.log"
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/maillage_proof"
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:
            self._as_postgres = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 120) -> None:
        subprocess.run([*self._as_postgres, *args], check=True, timeout=timeout, capture_output=True)

    def start(self) -> "Cluster":
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        self._ctl("start")
        return self

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200 " \
                  "-c fsync=on -c shared_buffers=64MB"
        self._run(_pg_bin("pg_ctl"), action, "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "-o", options, *extra)

    def restart(self, mode: str = "fast") -> float:
        """Stop (``fast``: clients disconnected, a checkpoint; ``immediate``: like a crash)
        then start again; returns how long the database was away."""
        start = time.monotonic()
        self._ctl("restart", "-m", mode)
        return time.monotonic() - start

    def stop(self) -> None:
        if self.data.is_dir():
            try:
                self._run(_pg_bin("pg_ctl"), "stop", "-D", str(self.data), "-m", "fast", "-w", timeout=60)
            except subprocess.SubprocessError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Cluster":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *_exc) -> None:
        self.stop()
