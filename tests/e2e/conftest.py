"""Browser tests: the real application (built SPA + API) in a subprocess, driven by headless Chromium.

The server gets its own database, migrated and seeded with the demo data through the CLI: a fresh
``<database>_e2e`` PostgreSQL database when ``DATABASE_URL`` is PostgreSQL, else a SQLite file.
"""

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parents[2]
STATIC_INDEX = ROOT / "backend" / "maillage" / "static" / "index.html"
AXE_SCRIPT = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("MAILLAGE_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
STARTUP_TIMEOUT_S = 60
CLI = [sys.executable, "-c", "from maillage.cli import main; main()"]


def _unavailable(reason: str) -> None:
    """Skip when a browser-test prerequisite is missing, except in CI (MAILLAGE_REQUIRE_E2E=1)
    where a skipped browser test would hide a broken build."""
    if os.environ.get("MAILLAGE_REQUIRE_E2E") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last: Playwright's sync API keeps an event loop running in the main
    thread until the session ends, which the asyncio tests that would come after cannot share."""
    here = Path(__file__).parent
    browser = [item for item in items if here in item.path.parents]
    items[:] = [item for item in items if here not in item.path.parents] + browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).is_file():
        _unavailable(f"Chromium introuvable ({CHROMIUM}) : installez-le avec « apt-get install -y chromium ».")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _quoted(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise ValueError(f"nom de base inattendu : {name!r}")
    return f'"{name}"'


async def _postgres_admin(url: URL, statements: list[str]) -> None:
    import asyncpg

    conn = await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database="postgres",
    )
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _run_admin(url: URL, statements: list[str]) -> None:
    """Run the statements in a thread of its own: Playwright's sync API already runs an event loop here."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _postgres_admin(url, statements)).result()


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of the server's own, never the one the other tests use."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith("postgresql"):
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('e2e') / 'maillage.db'}"
        return
    base = make_url(configured)
    name = _quoted(f"{base.database}_e2e")
    _run_admin(base, [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"])
    yield base.set(database=f"{base.database}_e2e").render_as_string(hide_password=False)
    _run_admin(base, [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])


def _server_env(database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAILLAGE_")}
    env.update(
        DATABASE_URL=database_url,
        MAILLAGE_DEMO="1",
        MAILLAGE_DEFAULT_NETWORK="pantin",
        PYTHONUNBUFFERED="1",
        # Every test signs in and searches from 127.0.0.1: the per-IP limits are a user's, not a suite's.
        MAILLAGE_SIGN_IN_RATE_LIMIT="1000",
        MAILLAGE_SEARCH_RATE_LIMIT="1000",
    )
    return env


def _wait_ready(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Le serveur s'est arrêté au démarrage :\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"Le serveur n'est pas prêt après {STARTUP_TIMEOUT_S} s :\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def app_url(e2e_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the running application (migrated, seeded, serving the built frontend)."""
    if not STATIC_INDEX.is_file():
        _unavailable(
            "Interface non construite (backend/maillage/static/index.html absent) : "
            "lancez « cd frontend && npm ci && npm run build »."
        )
    env = _server_env(e2e_database_url)
    for command in (["db", "upgrade"], ["demo", "seed"]):
        subprocess.run([*CLI, *command], cwd=ROOT, env=env, check=True, timeout=300)

    port = _free_port()
    env["MAILLAGE_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("e2e-server") / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "maillage.main:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, process, log_path)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def csp_violations(page) -> list[str]:
    """The Content-Security-Policy violations Chromium reports on the page's console, as they come."""
    found: list[str] = []
    page.on("console", lambda message: found.append(f"{page.url} : {message.text}")
            if "Content Security Policy" in message.text else None)
    return found


@pytest.fixture
def offline_page(page, app_url: str):
    """The Playwright page, with every request outside the application refused and recorded,
    and no Content-Security-Policy violation allowed."""
    outside: list[str] = []
    violations = csp_violations(page)

    def guard(route):
        if route.request.url.startswith(app_url) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    yield page
    assert not outside, f"Requêtes vers l'extérieur : {outside}"
    assert not violations, "Violations de la Content-Security-Policy :\n" + "\n".join(violations)


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE_SCRIPT.is_file():
        _unavailable("axe-core absent (frontend/node_modules) : lancez « cd frontend && npm ci ».")
    return AXE_SCRIPT


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = Path(os.environ.get("MAILLAGE_E2E_SCREENSHOTS", "/tmp/maillage-e2e"))
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    return path
