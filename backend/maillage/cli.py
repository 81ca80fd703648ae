"""The ``maillage`` command: serve, db upgrade, demo seed, data·inclusion import/export."""

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from maillage.config import get_settings

console = Console(stderr=True, soft_wrap=True)


def _run_in_session(work: Callable[..., Awaitable], *args):
    """Run ``work(session, *args)`` in one committed transaction."""
    from maillage.db import make_engine, make_sessionmaker

    async def runner():
        engine = make_engine(get_settings().database_url)
        try:
            async with make_sessionmaker(engine)() as session:
                result = await work(session, *args)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(runner())


@click.group()
def main() -> None:
    """Maillage : annuaire et orientations d'un réseau local des acteurs de l'insertion."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=lambda: int(os.environ.get("PORT", 8000)), type=int, show_default="8000 ou $PORT")
@click.option("--demo/--no-demo", default=None, help="Mode démo (par défaut : MAILLAGE_DEMO).")
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, demo: bool | None, workers: int) -> None:
    """Servir l'application (API et interface)."""
    import uvicorn

    if demo is not None:
        os.environ["MAILLAGE_DEMO"] = "1" if demo else "0"
    # Links in emails point at this server unless the public address is set.
    os.environ.setdefault("MAILLAGE_PUBLIC_URL", f"http://{host}:{port}")
    get_settings.cache_clear()
    settings = get_settings()
    mode = "démo" if settings.demo else "production"
    console.print(
        f"[bold]Maillage[/] ({mode}) sur http://{host}:{port}/ — base : {_safe_url(settings.database_url)}",
        soft_wrap=True,
    )
    uvicorn.run("maillage.main:create_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=True, log_level="info")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.group()
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
    console.print(f"Base à jour : {_safe_url(url)}")


@main.group()
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

    slugs = _run_in_session(work)
    if slugs is None:
        console.print("L'annuaire n'est pas vide : données de démonstration non rechargées.")
    else:
        console.print(f"Réseaux de démonstration chargés : {', '.join(slugs)}")


@main.group("export")
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

    counts = _run_in_session(work)
    console.print(f"{counts['structures']} structures et {counts['services']} services écrits dans {out_dir}")


@main.group("import")
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

            report = _run_in_session(work)
    except (DomainError, ValueError) as exc:
        console.print(f"Erreur : {getattr(exc, 'detail', exc)}")
        sys.exit(2)
    text = report.as_text()
    console.print(text)
    if report_path:
        report_path.write_text(text + "\n", "utf-8")


@main.group()
def jobs() -> None:
    """Tâches de fond (courriels, rappels)."""


@jobs.command("run")
@click.option("--loop", is_flag=True, help="Tourner sans fin (toutes les 30 s) au lieu d'un seul passage.")
def jobs_run(loop: bool) -> None:
    """Lancer les tâches de fond : rappels puis envoi de la boîte d'envoi."""
    from maillage import jobs as job_module
    from maillage.db import make_engine, make_sessionmaker

    settings = get_settings()

    async def runner():
        engine = make_engine(settings.database_url)
        try:
            sessionmaker = make_sessionmaker(engine)
            if loop:
                await job_module.loop(sessionmaker, settings)
            else:
                console.print(str(await job_module.run_once(sessionmaker, settings)))
        finally:
            await engine.dispose()

    asyncio.run(runner())


@main.command()
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Fichier (sinon stdout).")
def openapi(out_file: Path | None) -> None:
    """Écrire le document OpenAPI de l'API (source du client TypeScript)."""
    from maillage.main import create_app

    document = json.dumps(create_app().openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if out_file:
        out_file.write_text(document, "utf-8")
    else:
        sys.stdout.write(document)


from maillage.bench.cli import bench

main.add_command(bench)


if __name__ == "__main__":
    main()
