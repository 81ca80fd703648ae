"""The ``maillage`` command: serve, db upgrade, demo seed, admin, data·inclusion import/export,
jobs, backups, bench; one module per group of commands."""

import json
import sys
from pathlib import Path

import click

from maillage.bench.cli import bench
from maillage.cli.admin import admin
from maillage.cli.backup import backup
from maillage.cli.data import db, demo, export_group, import_group
from maillage.cli.jobs import jobs
from maillage.cli.serve import serve


@click.group()
def main() -> None:
    """Maillage : annuaire et orientations d'un réseau local des acteurs de l'insertion."""


@click.command()
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Fichier (sinon stdout).")
def openapi(out_file: Path | None) -> None:
    """Écrire le document OpenAPI de l'API (source du client TypeScript)."""
    from maillage.main import create_app

    document = json.dumps(create_app().openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if out_file:
        out_file.write_text(document, "utf-8")
    else:
        sys.stdout.write(document)


for command in (serve, db, demo, export_group, import_group, admin, jobs, backup, openapi, bench):
    main.add_command(command)
