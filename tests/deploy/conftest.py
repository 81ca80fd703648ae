"""Fixtures of the deployment tests: an environment emptied of Maillage's variables, and
production settings that pass the start-up checks."""

import os

import pytest
from maillage.config import Settings, get_settings

from tests.databases import empty_database

GOOD = {
    "database_url": "postgresql+asyncpg://maillage:b7c1e0f9a4d2@127.0.0.1:5432/maillage",
    "demo": False,
    "public_url": "https://maillage.reseau-pantin.fr",
    "cookie_secure": None,
    "jobs_in_process": False,
    "smtp_host": "smtp.reseau-pantin.fr",
    "smtp_port": 587,
    "smtp_username": "maillage",
    "smtp_password": "4f1d9c2b7e6a",
    "smtp_starttls": True,
    "smtp_ssl": False,
    "mail_from": "Maillage <ne-pas-repondre@reseau-pantin.fr>",
    "oidc_issuer": None,
    "oidc_client_id": None,
    "oidc_client_secret": None,
}

# What an operator's environment file would hold for the settings above.
GOOD_ENVIRONMENT = {
    "MAILLAGE_ENV": "production",
    "DATABASE_URL": GOOD["database_url"],
    "MAILLAGE_DEMO": "false",
    "MAILLAGE_PUBLIC_URL": GOOD["public_url"],
    "MAILLAGE_JOBS_IN_PROCESS": "false",
    "MAILLAGE_SMTP_HOST": GOOD["smtp_host"],
    "MAILLAGE_SMTP_PORT": "587",
    "MAILLAGE_SMTP_USERNAME": GOOD["smtp_username"],
    "MAILLAGE_SMTP_PASSWORD": GOOD["smtp_password"],
    "MAILLAGE_SMTP_STARTTLS": "true",
    "MAILLAGE_MAIL_FROM": GOOD["mail_from"],
}


def production_settings(**overrides) -> Settings:
    return Settings(**{**GOOD, **overrides})


@pytest.fixture
def clean_environment(monkeypatch):
    """No MAILLAGE_*, DATABASE_URL, PORT… in os.environ during the test, all restored
    afterwards (including what ``maillage serve`` sets itself), and fresh settings."""
    names = [n for n in os.environ if n.startswith("MAILLAGE_")] + [
        "DATABASE_URL", "PORT", "WEB_CONCURRENCY", "MAILLAGE_DEMO", "MAILLAGE_PUBLIC_URL", "MAILLAGE_ENV",
        "MAILLAGE_WORKERS", "MAILLAGE_HOST", "MAILLAGE_BACKUP_DIR", "MAILLAGE_PG_BIN",
    ]
    for name in set(names):
        monkeypatch.setenv(name, "")   # remembered, so that teardown restores (or removes) it
        monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.fixture
async def another_database_url(database_url, tmp_path):
    """A second empty database of the run's kind (the restore target), dropped afterwards."""
    async with empty_database(database_url, tmp_path / "restored.db", "maillage_restore") as url:
        yield url
