"""deploy/: the example settings document every setting and agree with the start-up checks;
the container, compose, systemd and nginx files name commands and paths that exist."""

import re
import shlex
from pathlib import Path

import click
import pytest
import yaml
from maillage import preflight
from maillage.cli import main
from maillage.config import REPO_ROOT, Settings
from maillage.referrals.attachments import MAX_SIZE

DEPLOY = REPO_ROOT / "deploy"
LINE = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


def env_file(path: Path) -> tuple[dict[str, str], set[str]]:
    """(the assignments, every variable named, commented out or not) of an env file in the
    syntax shared by systemd, compose and sh: NAME=value, optionally in double quotes."""
    values, named = {}, set()
    for line in path.read_text("utf-8").splitlines():
        match = LINE.match(line.strip())
        if not match:
            continue
        commented, name, value = match.groups()
        named.add(name)
        if not commented:
            assert "$" not in value and "\\" not in value, line
            if value.startswith('"'):
                assert value.endswith('"') and value.count('"') == 2, line
                value = value[1:-1]
            else:
                assert not re.search(r"[\s<>'\"]", value), f"à mettre entre guillemets : {line}"
            values[name] = value
    return values, named


def command_of(argv: list[str]) -> click.Command:
    """The ``maillage`` subcommand that ``argv`` (after « maillage ») runs, its options parsed."""
    command: click.Command = main
    args = list(argv)
    while isinstance(command, click.Group):
        name = args.pop(0)
        assert name in command.commands, f"maillage {' '.join(argv)} : « {name} » inconnu"
        command = command.commands[name]
    command.make_context(command.name, args)   # raises on an unknown option
    return command


def test_env_example_documents_every_setting():
    _, named = env_file(DEPLOY / ".env.example")
    expected = {"DATABASE_URL" if field == "database_url" else f"MAILLAGE_{field.upper()}"
                for field in Settings.model_fields}
    assert expected - named == set(), "réglages absents de deploy/.env.example"
    # and what the CLI and the units read besides Settings
    assert {"MAILLAGE_ENV", "MAILLAGE_WORKERS", "MAILLAGE_HOST", "PORT", "FORWARDED_ALLOW_IPS", "MAILLAGE_BACKUP_DIR",
            "MAILLAGE_BACKUP_KEEP_DAILY", "MAILLAGE_BACKUP_KEEP_WEEKLY", "POSTGRES_PASSWORD"} <= named


def _load(clean_environment, values: dict[str, str]) -> tuple[Settings, preflight.Verdict]:
    for name, value in values.items():
        clean_environment.setenv(name, value)
    settings = Settings()
    import os

    return settings, preflight.check(settings, os.environ, workers=int(values.get("MAILLAGE_WORKERS", "1")))


def test_env_example_as_is_is_refused_then_accepted_once_filled(clean_environment):
    values, _ = env_file(DEPLOY / ".env.example")
    _, verdict = _load(clean_environment, values)
    placeholders = {name for name, value in values.items() if preflight.PLACEHOLDER in value}
    assert placeholders >= {"DATABASE_URL", "MAILLAGE_PUBLIC_URL", "MAILLAGE_SMTP_HOST", "MAILLAGE_MAIL_FROM",
                            "POSTGRES_PASSWORD"}
    assert {f.setting for f in verdict.refusals} >= placeholders - {"POSTGRES_PASSWORD"}

    filled = {
        name: value.replace("CHANGEZ-MOI.smtp.exemple.fr", "smtp.reseau-pantin.fr")
        .replace("CHANGEZ-MOI.exemple.fr", "reseau-pantin.fr").replace("CHANGEZ-MOI", "b7c1e0f9a4d2")
        for name, value in values.items()
    }
    settings, verdict = _load(clean_environment, filled)
    assert verdict.ok and verdict.findings == (), [str(f) for f in verdict.findings]
    assert settings.secure_cookies and not settings.demo and not settings.run_jobs_in_process
    assert settings.mail_from == "Maillage <ne-pas-repondre@reseau-pantin.fr>"


def test_compose_file():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    services = compose["services"]
    assert {"db", "migrate", "app", "jobs", "backup"} <= set(services)
    assert services["db"]["healthcheck"]["test"] and "pgdata" in compose["volumes"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("app", "jobs"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    for name, service in services.items():
        if "build" not in service:
            continue
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).resolve().is_file()
        assert service["env_file"] == ".env" and (DEPLOY / ".env.example").is_file()
        command = service["command"]
        if command[:2] == ["sh", "-c"]:
            command = shlex.split(command[2].split("exec ", 1)[1])
        assert command[0] == "maillage", name
        command_of(command[1:])
    assert command_of(["jobs", "run", "--loop"]).name == "run"
    assert "127.0.0.1:" in services["app"]["ports"][0]


def test_dockerfile():
    text = (DEPLOY / "Dockerfile").read_text("utf-8")
    stages = re.findall(r"^FROM (\S+) AS (\w+)", text, re.M)
    assert [s for _, s in stages] == ["frontend", "runtime"] and stages[1][0].startswith("python:3.11-slim")
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", text, re.M):
        for path in source.split():
            assert (REPO_ROOT / path).exists(), path
    assert re.search(r"^USER maillage$", text, re.M)
    assert "/healthz" in text and 'CMD ["maillage", "serve"' in text
    assert "gcc" not in text and "build-essential" not in text
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text("utf-8")
    assert "frontend/node_modules/" in ignore and "!backend/" in ignore


@pytest.mark.parametrize("unit", ["maillage.service", "maillage-jobs.service", "maillage-backup.service"])
def test_systemd_units(unit):
    text = (DEPLOY / "systemd" / unit).read_text("utf-8")
    exec_start = re.search(r"^ExecStart=(.+)$", text, re.M).group(1).split()
    assert exec_start[0] == "/opt/maillage/.venv/bin/maillage"
    command_of(exec_start[1:])
    for line in ("User=maillage", "EnvironmentFile=/etc/maillage/maillage.env", "NoNewPrivileges=yes",
                 "ProtectSystem=strict", "PrivateTmp=yes"):
        assert re.search(rf"^{re.escape(line)}$", text, re.M), (unit, line)
    if unit == "maillage.service":
        assert f"RestartPreventExitStatus={preflight.EXIT_CODE}" in text
    if unit == "maillage-backup.service":
        values, _ = env_file(DEPLOY / ".env.example")
        assert f"ReadWritePaths={values['MAILLAGE_BACKUP_DIR']}" in text
    timer = DEPLOY / "systemd" / unit.replace(".service", ".timer")
    assert timer.is_file() or unit == "maillage.service"


def test_nginx_configuration():
    text = (DEPLOY / "nginx" / "maillage.conf").read_text("utf-8")
    size = re.search(r"client_max_body_size (\d+)m;", text)
    assert size and int(size.group(1)) * 1024 * 1024 > MAX_SIZE
    values, _ = env_file(DEPLOY / ".env.example")
    assert f"server {values['MAILLAGE_HOST']}:{values['PORT']};" in text
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "Host"):
        assert f"proxy_set_header {header} " in text
    assert "immutable" in text and '"no-cache"' in text and "return 301 https://" in text
    assert "/etc/letsencrypt/live/" in text and "add_header Content-Security-Policy" not in text


def test_readme_points_to_the_deployment_guide():
    assert "deploy/README.md" in (REPO_ROOT / "README.md").read_text("utf-8")
    guide = (DEPLOY / "README.md").read_text("utf-8")
    for needle in ("maillage-admin", "maillage backup restore", "PgBouncer", "/readyz", "docker compose"):
        assert needle in guide, needle
