"""What every ``maillage`` command shares: the console (stderr), one committed session, and
how a command fails."""

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import NoReturn

from rich.console import Console
from rich.markup import escape

from maillage.config import get_settings

console = Console(stderr=True, soft_wrap=True)


def run_in_session(work: Callable[..., Awaitable], *args):
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


def safe_url(url: str) -> str:
    """A database address with its password hidden, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def fail(exc: Exception, code: int) -> NoReturn:
    """Print the error (a domain error's French ``detail``, else its text) and exit with ``code``."""
    console.print(f"[bold red]Erreur[/] : {escape(str(getattr(exc, 'detail', exc)))}", highlight=False)
    sys.exit(code)
