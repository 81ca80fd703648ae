"""``maillage jobs run``: the background jobs, once or in a loop."""

import asyncio

import click

from maillage.cli.common import console
from maillage.config import get_settings


@click.group()
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
