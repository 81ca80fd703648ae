"""``maillage serve``: the start-up checks, then uvicorn."""

import logging
import os
import sys
from collections.abc import Callable

import click
from rich.markup import escape

from maillage.cli.common import console, safe_url
from maillage.config import get_settings


@click.command()
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
    say(logging.INFO, f"Maillage ({mode}) sur http://{host}:{port}/ — base : {safe_url(settings.database_url)}")
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
