"""The ``maillage`` command on a fresh database: migrate, seed, export, import."""

import json

import pytest
from click.testing import CliRunner
from data_inclusion.schema import v1 as di
from maillage.cli import main
from maillage.config import get_settings


@pytest.fixture
def cli(fresh_database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        return result

    yield invoke
    get_settings.cache_clear()


def test_upgrade_seed_export_import(cli, tmp_path):
    assert cli("db", "upgrade").exit_code == 0
    seeded = cli("demo", "seed", "--if-empty")
    assert seeded.exit_code == 0 and "pantin" in seeded.output
    assert "non rechargées" in cli("demo", "seed", "--if-empty").output

    out = tmp_path / "export"
    exported = cli("export", "data-inclusion", "--out", str(out), "--network", "pantin")
    assert exported.exit_code == 0, exported.output
    structures = json.loads((out / "structures.json").read_text("utf-8"))
    services = json.loads((out / "services.json").read_text("utf-8"))
    assert len(structures) >= 45 and len(services) >= 120
    for row in structures:
        di.Structure.model_validate(row)
    for row in services:
        di.Service.model_validate(row)

    services[0]["thematiques"] = ["pas-un-code"]
    (out / "services.json").write_text(json.dumps(services), "utf-8")
    report = tmp_path / "rapport.txt"
    imported = cli("import", "data-inclusion", str(out), "--network", "lille", "--report", str(report))
    assert imported.exit_code == 0, imported.output
    assert f"{len(structures)} structure(s) et {len(services) - 1} service(s) importés, 1 ligne(s) rejetée(s)" in imported.output
    assert "services.json ligne 1" in report.read_text("utf-8")


def test_import_into_unknown_network_fails_cleanly(cli, tmp_path):
    cli("db", "upgrade")
    (tmp_path / "structures.json").write_text("[]", "utf-8")
    (tmp_path / "services.json").write_text("{pas du json", "utf-8")
    result = cli("import", "data-inclusion", str(tmp_path), "--network", "atlantide")
    assert result.exit_code == 2
    assert "n'est pas un fichier JSON valide" in result.output or "n'existe pas" in result.output
