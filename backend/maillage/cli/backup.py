"""``maillage backup``: create, list, prune and restore backups."""

from pathlib import Path

import click

from maillage.cli.common import console, fail, safe_url
from maillage.config import get_settings


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


@click.group()
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
        fail(exc, 1)
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
        fail(exc, 1)
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
        fail(exc, 1)
    console.print(f"Restaurée dans {safe_url(target)} : {file.name}", soft_wrap=True)
