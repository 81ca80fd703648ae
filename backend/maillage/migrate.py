"""Run the Alembic migrations from code (CLI, tests, start-up)."""

import asyncio

from alembic import command
from alembic.config import Config

from maillage.config import REPO_ROOT


def alembic_config(url: str) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    """From inside an event loop: Alembic's env starts its own loop, so use a thread."""
    await asyncio.to_thread(upgrade, url, revision)
