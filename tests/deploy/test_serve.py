"""``maillage serve``: refuses to start on unfit settings, starts in demo mode as ``make run``
does, and hands uvicorn the workers and the proxy settings (uvicorn.run is replaced)."""

import json
import re

import pytest
import uvicorn
from click.testing import CliRunner
from maillage import preflight
from maillage.cli import main
from maillage.config import REPO_ROOT

from .conftest import GOOD_ENVIRONMENT


@pytest.fixture
def started(monkeypatch, clean_environment):
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


def serve(*args: str):
    return CliRunner().invoke(main, ["serve", *args], catch_exceptions=False)


def said(result, level: str) -> set[str]:
    """The settings named by the JSON log lines of ``level`` (outside demo mode the logs,
    start-up checks included, are one JSON object per line)."""
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    return {line["setting"] for line in lines if line["level"] == level and "setting" in line}


def test_make_run_still_serves_the_demo(started, clean_environment):
    """The Makefile's run target: `maillage serve --demo --port $(PORT)`, nothing else set."""
    line = next(line for line in (REPO_ROOT / "Makefile").read_text().splitlines() if "maillage serve" in line)
    assert re.search(r"maillage serve --demo --port \$\(PORT\)$", line)
    clean_environment.setenv("MAILLAGE_DEFAULT_NETWORK", "pantin")
    result = serve("--demo", "--port", "8123")
    assert result.exit_code == 0, result.output
    assert "(démo) sur http://127.0.0.1:8123/" in result.output and "refuse" not in result.output
    [(args, kwargs)] = started
    assert args == ("maillage.main:create_app",)
    assert kwargs["factory"] and kwargs["port"] == 8123 and kwargs["workers"] == 1 and kwargs["proxy_headers"]
    import os

    assert os.environ["MAILLAGE_DEMO"] == "1" and os.environ["MAILLAGE_PUBLIC_URL"] == "http://127.0.0.1:8123"


def test_without_demo_and_without_settings_it_refuses(started):
    result = serve()
    assert result.exit_code == preflight.EXIT_CODE
    assert started == []
    assert "Maillage refuse de démarrer" in result.output
    assert said(result, "ERROR") >= {"DATABASE_URL", "MAILLAGE_PUBLIC_URL", "MAILLAGE_SMTP_HOST", "MAILLAGE_MAIL_FROM"}
    assert all(line.startswith("{") for line in result.output.splitlines()), "nothing but JSON lines"


def test_demo_mode_refused_in_production(started, clean_environment):
    clean_environment.setenv("MAILLAGE_ENV", "production")
    result = serve("--demo")
    assert result.exit_code == preflight.EXIT_CODE and started == []
    assert "MAILLAGE_DEMO" in result.output


@pytest.mark.parametrize("variable, value, refused", [
    ("DATABASE_URL", None, "DATABASE_URL"),
    ("MAILLAGE_PUBLIC_URL", "http://maillage.reseau-pantin.fr", "MAILLAGE_PUBLIC_URL"),
    ("MAILLAGE_COOKIE_SECURE", "false", "MAILLAGE_COOKIE_SECURE"),
    ("MAILLAGE_SMTP_HOST", None, "MAILLAGE_SMTP_HOST"),
    ("MAILLAGE_OIDC_CLIENT_SECRET", "changeme", "MAILLAGE_OIDC_ISSUER"),
    ("MAILLAGE_SMTP_PASSWORD", "CHANGEZ-MOI", "MAILLAGE_SMTP_PASSWORD"),
])
def test_each_unfit_setting_is_refused(started, clean_environment, variable, value, refused):
    for name, good in GOOD_ENVIRONMENT.items():
        clean_environment.setenv(name, good)
    if value is None:
        clean_environment.delenv(variable)
    else:
        clean_environment.setenv(variable, value)
    result = serve()
    assert result.exit_code == preflight.EXIT_CODE and started == []
    assert refused in said(result, "ERROR")


def test_production_settings_start_with_workers_from_the_environment(started, clean_environment):
    for name, good in GOOD_ENVIRONMENT.items():
        clean_environment.setenv(name, good)
    clean_environment.setenv("MAILLAGE_WORKERS", "3")
    clean_environment.setenv("PORT", "8001")
    result = serve()
    assert result.exit_code == 0, result.output
    assert "(production) sur http://127.0.0.1:8001/" in result.output
    assert "b7c1e0f9a4d2" not in result.output   # the database password is hidden
    [(_, kwargs)] = started
    assert kwargs["workers"] == 3 and kwargs["port"] == 8001 and kwargs["host"] == "127.0.0.1"
    assert kwargs["log_config"]["version"] == 1   # the JSON logs of maillage.ops.logs
    assert serve("--workers", "2", "--host", "0.0.0.0").exit_code == 0
    assert started[1][1]["workers"] == 2 and started[1][1]["host"] == "0.0.0.0"


def test_development_only_warns(started, clean_environment):
    clean_environment.setenv("MAILLAGE_ENV", "development")
    result = serve("--no-demo")
    assert result.exit_code == 0, result.output
    assert "DATABASE_URL" in said(result, "WARNING") and len(started) == 1
    assert "(développement)" in result.output


def test_check_only(started, clean_environment):
    refused = serve("--check")
    assert refused.exit_code == preflight.EXIT_CODE
    assert "✗ DATABASE_URL :" in refused.output, "the check speaks text, for a terminal"
    for name, good in GOOD_ENVIRONMENT.items():
        clean_environment.setenv(name, good)
    result = serve("--check")
    assert result.exit_code == 0 and "Maillage peut démarrer" in result.output
    assert started == []
