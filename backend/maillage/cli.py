"""The ``maillage`` command: serve, db upgrade, demo seed, admin, data·inclusion import/export,
jobs, backups."""

import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
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
@click.option("--host", default="127.0.0.1", envvar="MAILLAGE_HOST", show_default="127.0.0.1 ou $MAILLAGE_HOST")
@click.option("--port", default=lambda: int(os.environ.get("PORT", "8000")), type=int, show_default="8000 ou $PORT")
@click.option("--demo/--no-demo", default=None, help="Mode démo (par défaut : MAILLAGE_DEMO).")
@click.option("--workers", default=1, type=click.IntRange(min=1), envvar=["MAILLAGE_WORKERS", "WEB_CONCURRENCY"],
              show_default="1 ou $MAILLAGE_WORKERS", help="Nombre de processus uvicorn.")
@click.option("--check", is_flag=True, help="Seulement vérifier les réglages (code 0 si bons, 78 sinon), sans servir.")
def serve(host: str, port: int, demo: bool | None, workers: int, check: bool) -> None:
    """Servir l'application (API et interface).

    Hors mode démo, refuse de démarrer si un réglage n'est pas digne de la production
    (voir deploy/README.md, « Vérifications au démarrage »)."""
    import uvicorn

    from maillage import preflight

    if demo is not None:
        os.environ["MAILLAGE_DEMO"] = "1" if demo else "0"
    get_settings.cache_clear()
    verdict = preflight.check(get_settings(), os.environ, workers=workers)
    say = _start_up_voice(get_settings(), check)
    for finding in verdict.findings:
        say(logging.ERROR if finding.level is preflight.Level.REFUSAL else logging.WARNING, str(finding),
            setting=finding.setting)
    if not verdict.ok:
        say(logging.CRITICAL,
            f"Maillage refuse de démarrer : {len(verdict.refusals)} réglage(s) à corriger "
            "(voir deploy/README.md et deploy/.env.example). Pour un essai local : « maillage serve --demo ».")
        sys.exit(preflight.EXIT_CODE)
    if check:
        say(logging.INFO, "Réglages vérifiés : Maillage peut démarrer.")
        return
    # Links in emails point at this server unless the public address is set.
    os.environ.setdefault("MAILLAGE_PUBLIC_URL", f"http://{host}:{port}")
    get_settings.cache_clear()
    settings = get_settings()
    mode = "démo" if settings.demo else (
        "développement" if verdict.environment is preflight.Environment.DEVELOPMENT else "production")
    say(logging.INFO, f"Maillage ({mode}) sur http://{host}:{port}/ — base : {_safe_url(settings.database_url)}")
    # Journaux : uvicorn et l'application écrivent par le formateur de maillage.ops.logs
    # (JSON hors démo, identifiant de requête, journal d'accès d'uvicorn coupé).
    from maillage.ops.logs import log_config
    from maillage.ops.tcp import bind_listeners_as_tcp

    bind_listeners_as_tcp()
    uvicorn.run("maillage.main:create_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=True, log_level="info", log_config=log_config(settings))


_MARKS = {logging.CRITICAL: "[bold red]✗[/] ", logging.ERROR: "[red]✗[/] ", logging.WARNING: "[yellow]![/] "}


def _start_up_voice(settings, check: bool) -> Callable[..., None]:
    """How ``serve`` speaks before uvicorn takes over: lines of the JSON log when the logs
    are JSON (a service's journal stays one JSON object per line), readable text in a
    terminal otherwise and always for ``--check``."""
    if settings.json_logs and not check:
        from maillage.ops.logs import configure_logging

        configure_logging(settings)
        logger = logging.getLogger("maillage.serve")
        return lambda level, text, **fields: logger.log(level, text, extra=fields)
    return lambda level, text, **_fields: console.print(
        _MARKS.get(level, "") + escape(text), soft_wrap=True, highlight=False)


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
def admin() -> None:
    """Administrateurs de la plateforme (le premier se nomme ici)."""


def _email_argument(value: str) -> str:
    from pydantic import EmailStr, TypeAdapter, ValidationError

    try:
        return TypeAdapter(EmailStr).validate_python(value.strip())
    except ValidationError:
        raise click.BadParameter(f"« {value} » n'est pas une adresse électronique valide.") from None


def _domain_refusal(exc: Exception) -> None:
    console.print(f"[red]Refusé[/] : {escape(getattr(exc, 'detail', str(exc)))}", highlight=False)
    sys.exit(2)


@admin.command("grant")
@click.argument("email", callback=lambda _ctx, _param, value: _email_argument(value))
@click.option("--first-name", "--prenom", default=None, help="Prénom, si le compte est créé.")
@click.option("--last-name", "--nom", default=None, help="Nom, si le compte est créé.")
def admin_grant(email: str, first_name: str | None, last_name: str | None) -> None:
    """Nommer EMAIL administrateur de la plateforme (le compte est créé s'il n'existe pas)."""
    from maillage.accounts.network_admin import grant_platform_admin

    async def work(session):
        user, created = await grant_platform_admin(session, email, first_name, last_name)
        return user.email, created

    address, created = _run_in_session(work)
    made = "compte créé" if created else "compte existant"
    console.print(f"{address} administre la plateforme ({made}). Connexion : lien par courriel sur /connexion.",
                  highlight=False)


@admin.command("revoke")
@click.argument("email", callback=lambda _ctx, _param, value: _email_argument(value))
def admin_revoke(email: str) -> None:
    """Retirer l'administration de la plateforme à EMAIL (jamais au dernier administrateur)."""
    from maillage.accounts.network_admin import revoke_platform_admin
    from maillage.errors import DomainError

    async def work(session):
        return (await revoke_platform_admin(session, email)).email

    try:
        address = _run_in_session(work)
    except DomainError as exc:
        _domain_refusal(exc)
    console.print(f"{address} n'administre plus la plateforme.", highlight=False)


@admin.command("list")
def admin_list() -> None:
    """Lister les administrateurs de la plateforme."""
    from maillage.accounts.network_admin import list_platform_admins

    async def work(session):
        return [(user.email, user.display_name, user.is_active) for user in await list_platform_admins(session)]

    rows = _run_in_session(work)
    if not rows:
        console.print("Aucun administrateur : « maillage admin grant ADRESSE » nomme le premier "
                      "(sur un serveur installé selon deploy/README.md : « maillage-admin admin grant ADRESSE »).")
    for address, name, active in rows:
        click.echo(f"{address}\t{name}\t{'actif' if active else 'désactivé'}")


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


def _backup_dir_option(function):
    from maillage.config import REPO_ROOT

    return click.option(
        "--dir", "directory", type=click.Path(file_okay=False, path_type=Path), envvar="MAILLAGE_BACKUP_DIR",
        default=REPO_ROOT / "var" / "backups", show_default="$MAILLAGE_BACKUP_DIR ou var/backups",
        help="Dossier des sauvegardes.",
    )(function)


def _retention_options(function):
    from maillage import backup as backups

    function = click.option("--keep-weekly", type=click.IntRange(min=0), envvar="MAILLAGE_BACKUP_KEEP_WEEKLY",
                            default=backups.DEFAULT_KEEP_WEEKLY, show_default=True,
                            help="Semaines dont on garde la dernière sauvegarde.")(function)
    return click.option("--keep-daily", type=click.IntRange(min=1), envvar="MAILLAGE_BACKUP_KEEP_DAILY",
                        default=backups.DEFAULT_KEEP_DAILY, show_default=True,
                        help="Jours dont on garde la dernière sauvegarde.")(function)


def _backup_failed(exc: Exception) -> None:
    console.print(f"[bold red]Erreur[/] : {escape(str(exc))}", soft_wrap=True)
    sys.exit(1)


@main.group()
def backup() -> None:
    """Sauvegardes de la base : pg_dump / pg_restore (PostgreSQL) ou copie SQLite, et rétention."""


@backup.command("create")
@_backup_dir_option
@_retention_options
@click.option("--no-prune", is_flag=True, help="Ne pas appliquer la rétention après la sauvegarde.")
def backup_create(directory: Path, keep_daily: int, keep_weekly: int, no_prune: bool) -> None:
    """Sauvegarder la base de DATABASE_URL, puis supprimer les sauvegardes hors rétention."""
    from maillage import backup as backups

    try:
        made = backups.create(get_settings().database_url, directory)
        dropped = [] if no_prune else backups.prune(directory, keep_daily, keep_weekly)
    except backups.BackupError as exc:
        _backup_failed(exc)
    console.print(f"Sauvegarde : {made.path} ({made.size / 1_048_576:.1f} Mo)", soft_wrap=True)
    for old in dropped:
        console.print(f"Supprimée (rétention) : {old.path.name}", soft_wrap=True)


@backup.command("list")
@_backup_dir_option
def backup_list(directory: Path) -> None:
    """Lister les sauvegardes, la plus récente d'abord."""
    from maillage import backup as backups

    found = backups.list_backups(directory)
    if not found:
        console.print(f"Aucune sauvegarde dans {directory}.", soft_wrap=True)
    for item in found:
        click.echo(f"{item.taken_at:%Y-%m-%d %H:%M:%S} UTC  {item.size / 1_048_576:8.1f} Mo  {item.path}")


@backup.command("prune")
@_backup_dir_option
@_retention_options
@click.option("--dry-run", is_flag=True, help="Dire ce qui serait supprimé, sans rien supprimer.")
def backup_prune(directory: Path, keep_daily: int, keep_weekly: int, dry_run: bool) -> None:
    """Appliquer la rétention : la dernière sauvegarde de chacun des N derniers jours et des M dernières semaines."""
    from maillage import backup as backups

    try:
        dropped = backups.prune(directory, keep_daily, keep_weekly, dry_run=dry_run)
    except backups.BackupError as exc:
        _backup_failed(exc)
    verb = "À supprimer" if dry_run else "Supprimée"
    for old in dropped:
        console.print(f"{verb} : {old.path.name}", soft_wrap=True)
    console.print(f"{len(dropped)} sauvegarde(s) hors rétention.")


@backup.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--database-url", default=None,
              help="Base cible, vide (par défaut : DATABASE_URL). PostgreSQL : créez-la d'abord avec createdb.")
def backup_restore(file: Path, database_url: str | None) -> None:
    """Restaurer une sauvegarde dans une base vide, puis « maillage db upgrade » si le code est plus récent."""
    from maillage import backup as backups

    target = database_url or get_settings().database_url
    try:
        backups.restore(file, target)
    except backups.BackupError as exc:
        _backup_failed(exc)
    console.print(f"Restaurée dans {_safe_url(target)} : {file.name}", soft_wrap=True)


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
