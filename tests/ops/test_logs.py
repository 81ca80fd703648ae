"""Logs of a real server (uvicorn in a subprocess): one JSON object per line on stderr,
an access line per request with its request id (the client's when sane, else a new one,
echoed in ``X-Request-ID``), the route template and no personal data even when the query
string or the body carried some; uvicorn's own access log (full URLs) silenced."""

import json
import logging
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from maillage.config import Settings
from maillage.migrate import upgrade
from maillage.ops.logs import configure_logging, formatter, log_config, request_id_var

ROOT = Path(__file__).resolve().parents[2]
PERSONAL = ("jeanne", "dupont", "example.org", "0612345678")
WITH_LOG_CONFIG = ("import uvicorn; from maillage.ops.logs import log_config; "
                   "uvicorn.run('maillage.main:create_app', factory=True, host='127.0.0.1', port={port}, "
                   "log_config=log_config(), log_level='info')")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(database_url: str, log_path: Path, how: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    if how == "log_config":
        command = [sys.executable, "-c", WITH_LOG_CONFIG.format(port=port)]
    else:  # as tests/e2e starts it: uvicorn's default logging, the app reconfigures it
        command = [sys.executable, "-m", "uvicorn", "maillage.main:create_app", "--factory",
                   "--host", "127.0.0.1", "--port", str(port)]
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1",
           "MAILLAGE_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log_path.read_text()
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    pytest.fail(log_path.read_text())


@pytest.fixture
def migrated(fresh_database_url) -> str:
    upgrade(fresh_database_url)
    return fresh_database_url


@pytest.mark.parametrize("how", ["log_config", "uvicorn_default"])
def test_access_lines_are_json_with_a_request_id_and_no_personal_data(migrated, tmp_path, how):
    log_path = tmp_path / "server.log"
    process, base = _serve(migrated, log_path, how)
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            searched = client.get("/api/v1/services/search",
                                  params={"q": "Jeanne Dupont jeanne.dupont@example.org", "commune": "0612345678"},
                                  headers={"X-Request-ID": "essai-1234"})
            odd = client.get("/api/v1/services/search", headers={"X-Request-ID": "jeanne.dupont@example.org"})
            client.cookies.set("maillage_csrf", "jeton")
            posted = client.post("/api/v1/auth/login-link", json={"email": "jeanne.dupont@example.org"},
                                 headers={"x-csrf-token": "jeton"})
            missing = client.get("/api/v1/referrals/424242", params={"nom": "Dupont"})
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert (searched.status_code, odd.status_code, posted.status_code, missing.status_code) == (200, 200, 202, 401)
    assert searched.headers["x-request-id"] == "essai-1234"
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["x-request-id"])  # not a sane token: a new one

    text = log_path.read_text()
    lowered = text.lower()
    for word in PERSONAL:
        assert word not in lowered, f"« {word} » dans les journaux :\n{text}"
    assert "HTTP/1.1" not in text, "uvicorn's access log must stay silent"

    lines = [line for line in text.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            # Only uvicorn's own start-up lines, before the app configured logging, may be text.
            assert how == "uvicorn_default" and line.startswith("INFO:"), line
    access = [entry for entry in parsed if entry["logger"] == "maillage.access"]
    by_id = {entry["request_id"]: entry for entry in access}
    line = by_id["essai-1234"]
    assert (line["method"], line["route"], line["status"], line["level"]) == (
        "GET", "/api/v1/services/search", 200, "INFO")
    assert isinstance(line["duration_ms"], float) and line["time"].endswith("+00:00")
    assert by_id[odd.headers["x-request-id"]]["route"] == "/api/v1/services/search"
    assert by_id[missing.headers["x-request-id"]]["route"] == "/api/v1/referrals/{referral_id}"
    assert by_id[posted.headers["x-request-id"]]["status"] == 202
    if how == "log_config":
        assert any("Uvicorn running" in entry["message"] for entry in parsed)  # uvicorn's lines too


def test_text_logs_for_development(caplog):
    record = logging.LogRecord("maillage.access", logging.INFO, __file__, 1, "GET %s 200", ("/healthz",), None)
    record.route = "/healthz"
    record.duration_ms = 1.5
    token = request_id_var.set("abc123")
    try:
        text = formatter("text").format(record)
        line = json.loads(formatter("json").format(record))
    finally:
        request_id_var.reset(token)
    assert "INFO" in text and "GET /healthz 200" in text and "duration_ms=1.5" in text and "request_id=abc123" in text
    assert "route=" not in text  # already in the message
    assert line["request_id"] == "abc123" and line["route"] == "/healthz" and line["message"] == "GET /healthz 200"


def test_log_format_follows_the_mode_and_the_setting():
    assert Settings(demo=True).json_logs is False
    assert Settings(demo=False).json_logs is True
    assert Settings(demo=True, log_format="json").json_logs is True
    config = log_config(Settings(demo=False))
    assert config["formatters"]["maillage"]["kind"] == "json"
    assert config["loggers"]["uvicorn.access"] == {"level": "WARNING", "handlers": [], "propagate": False}


def test_configuring_twice_keeps_one_handler():
    settings = Settings(demo=True)
    configure_logging(settings)
    configure_logging(settings)
    from maillage.ops.logs import StderrHandler

    assert sum(isinstance(h, StderrHandler) for h in logging.getLogger().handlers) == 1
    assert logging.getLogger("uvicorn.access").handlers == []
