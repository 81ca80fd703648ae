"""``maillage bench``: performance benchmarks on a synthetic national directory."""

import asyncio
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/maillage_bench"
console = Console(stderr=True, width=None if sys.stderr.isatty() else 140)


@click.group()
def bench() -> None:
    """Bancs d'essai de performance (base PostgreSQL dédiée, recréée à chaque fois)."""


def _scales(value: str) -> list[int]:
    try:
        scales = [int(v.replace("_", "")) for v in value.split(",") if v.strip()]
    except ValueError as exc:
        raise click.BadParameter("une liste de nombres, ex. 2000,20000,200000") from exc
    if not scales or scales != sorted(set(scales)) or scales[0] <= 0:
        raise click.BadParameter("des nombres positifs, croissants")
    return scales


@bench.command("search")
@click.option("--database-url", default=DEFAULT_URL, show_default=True,
              help="Base PostgreSQL du banc (supprimée puis recréée).")
@click.option("--scales", default="2000,20000,200000", show_default=True,
              help="Nombres de services mesurés, croissants (structures = services / 4).")
@click.option("--requests", "requests", default=200, show_default=True, type=click.IntRange(1),
              help="Requêtes mesurées par type de recherche, en HTTP et en SQL.")
@click.option("--warmup", default=20, show_default=True, type=click.IntRange(0))
@click.option("--seed", default=20261123, show_default=True, type=int)
@click.option("--reuse", is_flag=True, help="Ne rien générer : mesurer la base telle qu'elle est.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Écrire aussi les chiffres dans ce fichier JSON.")
def search(database_url: str, scales: str, requests: int, warmup: int, seed: int, reuse: bool,
           out_file: Path | None) -> None:
    """Générer un annuaire national (jusqu'à 200 000 services) et mesurer la recherche
    de services, en HTTP (uvicorn) et en SQL (mêmes requêtes SQLAlchemy)."""
    from maillage.bench.generate import DirectoryGenerator
    from maillage.bench.load import count_services, load_batch, recreate_database
    from maillage.bench.measure import measure_mix, overall

    figures: dict[str, Any] = {
        "machine": {"cpus": _cpus(), "python": platform.python_version(), "platform": platform.platform()},
        "requests": requests, "warmup": warmup, "seed": seed, "scales": [],
    }

    def progress(t) -> None:
        s = t.summary()
        console.print(f"  {s['label']:<36} {s['total']:>7} rés.  HTTP p95 {s['http_p95_ms']:7.1f} ms"
                      f"  SQL p95 {s['sql_p95_ms']:7.1f} ms")

    plan = [None] if reuse else _scales(scales)
    if not reuse:
        asyncio.run(recreate_database(database_url))
        console.print(f"Base recréée et migrée : {database_url}")
    generator = DirectoryGenerator(seed)
    loaded, gen_total, load_total = 0, 0.0, 0.0
    for scale in plan:
        entry: dict[str, Any] = {}
        if scale is not None:
            start = time.perf_counter()
            batch = generator.grow(scale - loaded)
            gen_time = time.perf_counter() - start
            start = time.perf_counter()
            asyncio.run(load_batch(database_url, batch))
            load_time = time.perf_counter() - start
            gen_total, load_total, loaded = gen_total + gen_time, load_total + load_time, scale
            entry.update(generation_s=round(gen_time, 1), load_s=round(load_time, 1),
                         cumulated_generation_and_load_s=round(gen_total + load_total, 1))
            console.print(
                f"[bold]{scale:,} services[/] ({generator.structures:,} structures) : génération "
                f"{gen_time:.1f} s, chargement + VACUUM ANALYZE {load_time:.1f} s "
                f"(cumul {gen_total + load_total:.1f} s)"
            )
        else:
            scale = asyncio.run(count_services(database_url))
            console.print(f"[bold]{scale:,} services[/] (base existante)")
        results = asyncio.run(measure_mix(database_url, requests, warmup, progress=progress))
        entry.update(services=scale, structures=generator.structures or None,
                     queries=[r.summary() for r in results], overall=overall(results))
        figures["scales"].append(entry)
        if out_file:
            out_file.parent.mkdir(parents=True, exist_ok=True)
            out_file.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", "utf-8")
    console.print(_table(figures))
    click.echo(markdown_table(figures))


def _ratio(http: float, sql: float) -> str:
    return f"{http / sql:.2f}" if sql > 0 else "—"


def _table(figures: dict[str, Any]) -> Table:
    table = Table(title="GET /api/v1/services/search — latences (ms)")
    for column in ("services", "requête", "résultats", "HTTP p50", "HTTP p95", "SQL p50", "SQL p95",
                   "HTTP/SQL p95"):
        table.add_column(column, justify="left" if column == "requête" else "right")
    for entry in figures["scales"]:
        for q in entry["queries"]:
            table.add_row(f"{entry['services']:,}", q["label"], f"{q['total']:,}", f"{q['http_p50_ms']:.1f}",
                          f"{q['http_p95_ms']:.1f}", f"{q['sql_p50_ms']:.1f}", f"{q['sql_p95_ms']:.1f}",
                          _ratio(q["http_p95_ms"], q["sql_p95_ms"]))
        o = entry["overall"]
        table.add_row(f"{entry['services']:,}", "[bold]ensemble du mélange[/]", "", f"{o['http_p50_ms']:.1f}",
                      f"[bold]{o['http_p95_ms']:.1f}[/]", f"{o['sql_p50_ms']:.1f}", f"{o['sql_p95_ms']:.1f}",
                      f"[bold]{_ratio(o['http_p95_ms'], o['sql_p95_ms'])}[/]", end_section=True)
    return table


def _n(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


def markdown_table(figures: dict[str, Any]) -> str:
    lines = ["| services | requête | résultats | HTTP p50 | HTTP p95 | SQL p50 | SQL p95 | HTTP/SQL p95 |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for entry in figures["scales"]:
        for q in entry["queries"]:
            lines.append(f"| {_n(entry['services'])} | {q['label']} | {_n(q['total'])} | {q['http_p50_ms']:.1f} | "
                         f"{q['http_p95_ms']:.1f} | {q['sql_p50_ms']:.1f} | {q['sql_p95_ms']:.1f} | "
                         f"{_ratio(q['http_p95_ms'], q['sql_p95_ms'])} |")
        o = entry["overall"]
        lines.append(f"| {_n(entry['services'])} | **ensemble du mélange** | | {o['http_p50_ms']:.1f} | "
                     f"**{o['http_p95_ms']:.1f}** | {o['sql_p50_ms']:.1f} | {o['sql_p95_ms']:.1f} | "
                     f"**{_ratio(o['http_p95_ms'], o['sql_p95_ms'])}** |")
    return "\n".join(lines)


@bench.command("explain")
@click.option("--database-url", default=DEFAULT_URL, show_default=True)
@click.option("--kind", "kinds", multiple=True, help="Type(s) de recherche (clé, ex. text, geo ; tous par défaut).")
def explain(database_url: str, kinds: tuple[str, ...]) -> None:
    """EXPLAIN ANALYZE de chaque requête SQL de la recherche, sur la base du banc telle qu'elle est."""
    from maillage.bench.measure import explain_mix
    from maillage.bench.queries import MIX

    selected = tuple(k for k in MIX if not kinds or k.key in kinds)
    if not selected:
        raise click.BadParameter(f"types connus : {', '.join(k.key for k in MIX)}", param_hint="--kind")
    for key, statement, plan in asyncio.run(explain_mix(database_url, selected)):
        click.echo(f"==== {key}\n{statement}\n---\n{plan}\n")


def _cpus() -> int | None:
    import os

    return os.cpu_count()
