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


def test_first_platform_admin_from_the_command_line(cli):
    cli("db", "upgrade")
    assert "Aucun administrateur" in cli("admin", "list").output

    granted = cli("admin", "grant", " Claire.Martin@Exemple.fr ", "--prenom", "Claire", "--nom", "Martin")
    assert granted.exit_code == 0, granted.output
    assert "claire.martin@exemple.fr administre la plateforme (compte créé)" in granted.output
    again = cli("admin", "grant", "claire.martin@exemple.fr")
    assert again.exit_code == 0 and "compte existant" in again.output
    assert cli("admin", "list").output.splitlines() == ["claire.martin@exemple.fr\tClaire Martin\tactif"]

    last = cli("admin", "revoke", "claire.martin@exemple.fr")
    assert last.exit_code == 2 and "dernier administrateur" in last.output
    cli("admin", "grant", "paul@exemple.fr")
    revoked = cli("admin", "revoke", "claire.martin@exemple.fr")
    assert revoked.exit_code == 0, revoked.output
    assert [line.split("\t")[0] for line in cli("admin", "list").output.splitlines()] == ["paul@exemple.fr"]

    invalid = cli("admin", "grant", "pas-une-adresse")
    assert invalid.exit_code == 2 and "n'est pas une adresse électronique valide" in invalid.output
