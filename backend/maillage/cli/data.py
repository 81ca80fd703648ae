"""``maillage db``, ``demo``, ``export`` and ``import``: the database and the directory's data."""

import json
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from maillage.cli.common import console, fail, run_in_session, safe_url
from maillage.config import get_settings


@click.group()
def db() -> None:
    """Base de données."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Appliquer les migrations jusqu'à la dernière version."""
    from maillage.migrate import upgrade

    url = get_settings().database_url
    if url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    console.print(f"Base à jour : {safe_url(url)}")


@click.group()
def demo() -> None:
    """Données de démonstration."""


@demo.command("seed")
@click.option("--if-empty", is_flag=True, help="Ne rien faire si l'annuaire contient déjà des structures.")
def demo_seed(if_empty: bool) -> None:
    """Charger le réseau de démonstration (Pantin) et un second réseau (Lille)."""
    from maillage.demo.seed import is_empty, seed

    async def work(session):
        if if_empty and not await is_empty(session):
            return None
        return [n.slug for n in await seed(session)]

    slugs = run_in_session(work)
    if slugs is None:
        console.print("L'annuaire n'est pas vide : données de démonstration non rechargées.")
    else:
        console.print(f"Réseaux de démonstration chargés : {', '.join(slugs)}")


@click.group("export")
def export_group() -> None:
    """Exporter des données."""


@export_group.command("data-inclusion")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--network", default=None, help="Slug du réseau (tous les réseaux par défaut).")
def export_data_inclusion(out_dir: Path, network: str | None) -> None:
    """Écrire structures.json et services.json au format data·inclusion v1."""
    from maillage.datainclusion.export import iter_all

    out_dir.mkdir(parents=True, exist_ok=True)

    async def work(session):
        counts = {}
        for kind in ("structures", "services"):
            items = [item.model_dump(mode="json") async for item in iter_all(session, kind, network)]
            (out_dir / f"{kind}.json").write_text(json.dumps(items, ensure_ascii=False, indent=1), "utf-8")
            counts[kind] = len(items)
        return counts

    counts = run_in_session(work)
    console.print(f"{counts['structures']} structures et {counts['services']} services écrits dans {out_dir}")


@click.group("import")
def import_group() -> None:
    """Importer des données."""


@import_group.command("data-inclusion")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--network", required=True, help="Slug du réseau qui reçoit les données.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Écrire aussi le rapport des lignes rejetées dans ce fichier.")
def import_data_inclusion(directory: Path, network: str, report_path: Path | None) -> None:
    """Mettre à jour l'annuaire depuis des fichiers data·inclusion v1 (les lignes invalides sont rejetées)."""
    from maillage.datainclusion.importer import import_directory, read_rows
    from maillage.directory.service import get_network
    from maillage.errors import DomainError

    try:
        sizes = {kind: len(read_rows(directory / f"{kind}.json")) for kind in ("structures", "services")}
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
            tasks = {kind: bar.add_task(kind, total=size) for kind, size in sizes.items()}

            async def work(session):
                target = await get_network(session, network)
                return await import_directory(
                    session, target, directory, lambda kind, done: bar.update(tasks[kind], completed=done)
                )

            report = run_in_session(work)
    except (DomainError, ValueError) as exc:
        fail(exc, 2)
    text = report.as_text()
    console.print(text)
    if report_path:
        report_path.write_text(text + "\n", "utf-8")
