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


REFERRALS_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/maillage_bench_referrals"


@bench.command("referrals")
@click.option("--database-url", default=REFERRALS_URL, show_default=True,
              help="Base PostgreSQL du banc (supprimée puis recréée).")
@click.option("--structures", default=500, show_default=True, type=click.IntRange(10))
@click.option("--people", default=200_000, show_default=True, type=click.IntRange(100))
@click.option("--referrals", default=1_000_000, show_default=True, type=click.IntRange(100))
@click.option("--requests", "requests", default=100, show_default=True, type=click.IntRange(1),
              help="Requêtes mesurées par page (HTTP, puis en processus pour les lectures).")
@click.option("--warmup", default=10, show_default=True, type=click.IntRange(0))
@click.option("--seed", default=20261124, show_default=True, type=int)
@click.option("--reuse", is_flag=True, help="Ne rien générer : mesurer la base telle qu'elle est.")
@click.option("--stall-runs", default=2, show_default=True, type=click.IntRange(0),
              help="Exécutions successives de run_stall_rules (validées), chronométrées.")
@click.option("--explain", "explain_keys", multiple=True,
              type=click.Choice(["inbox", "stalled", "person", "stall"]),
              help="Afficher aussi EXPLAIN (ANALYZE, BUFFERS) de ces requêtes (après les mesures).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Écrire aussi les chiffres dans ce fichier JSON.")
def referrals(database_url: str, structures: int, people: int, referrals: int, requests: int, warmup: int,
              seed: int, reuse: bool, stall_runs: int, explain_keys: tuple[str, ...], out_file: Path | None) -> None:
    """Un réseau de 1 000 000 d'orientations (200 000 personnes, 500 structures) : boîte
    reçue, file de l'animateur, fiche personne, envoi (HTTP, session réelle), et le job
    des règles de souffrance sur toute la table."""
    from maillage.bench import referrals as rb
    from maillage.bench.load import recreate_database
    from maillage.db import utcnow

    figures: dict[str, Any] = {
        "machine": {"cpus": _cpus(), "python": platform.python_version(), "platform": platform.platform()},
        "requests": requests, "warmup": warmup, "seed": seed,
    }
    if reuse:
        tokens = asyncio.run(rb.session_tokens(database_url))
        console.print(f"Base existante : {database_url}")
    else:
        asyncio.run(recreate_database(database_url))
        start = time.perf_counter()
        generated = rb.generate(structures, people, referrals, seed, utcnow())
        gen_s = time.perf_counter() - start
        start = time.perf_counter()
        asyncio.run(rb.load(database_url, generated))
        load_s = time.perf_counter() - start
        tokens = generated.tokens
        figures.update(counts=generated.counts, generation_s=round(gen_s, 1), load_s=round(load_s, 1))
        console.print(f"Généré {generated.counts} en {gen_s:.1f} s ; COPY + VACUUM ANALYZE {load_s:.1f} s")
        del generated

    def progress(t) -> None:
        s = t.summary()
        console.print(f"  {s['label']:<52} HTTP p50 {s['http_p50_ms']:7.1f} ms  p95 {s['http_p95_ms']:7.1f} ms"
                      f"  ({s['detail']})")

    results = asyncio.run(rb.measure_http(database_url, tokens, requests, warmup, progress=progress))
    asyncio.run(rb.measure_sql(database_url, tokens, results, requests, warmup))
    figures["queries"] = [t.summary() for t in results]
    if stall_runs:
        figures["stall"] = asyncio.run(rb.time_stall_job(database_url, stall_runs))
        for n, run in enumerate(figures["stall"], start=1):
            console.print(f"  run_stall_rules n° {n} : {run['job_s']:.2f} s (+ commit {run['with_commit_s']:.2f} s)"
                          f"  {run['counts']}")
    if out_file:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(json.dumps(figures, ensure_ascii=False, indent=1, default=str) + "\n", "utf-8")
    lines = ["| page | détail | HTTP p50 | HTTP p95 | en processus p50 | en processus p95 |",
             "|---|---|---:|---:|---:|---:|"]
    for q in figures["queries"]:
        sql = (f"{q['sql_p50_ms']:.1f} | {q['sql_p95_ms']:.1f}" if "sql_p50_ms" in q else "— | —")
        lines.append(f"| {q['label']} | {q['detail']} | {q['http_p50_ms']:.1f} | **{q['http_p95_ms']:.1f}** | {sql} |")
    for n, run in enumerate(figures.get("stall", []), start=1):
        lines.append(f"| run_stall_rules n° {n} | {run['counts']} | | **{run['with_commit_s'] * 1000:.0f}** "
                     f"(job {run['job_s'] * 1000:.0f}) | | |")
    click.echo("\n".join(lines))
    if explain_keys:
        for key, statement, plan in asyncio.run(rb.explain(database_url, tokens, explain_keys)):
            click.echo(f"\n==== {key}\n{statement}\n---\n{plan}")


APPOINTMENTS_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/maillage_bench_appointments"


@bench.command("appointments")
@click.option("--database-url", default=APPOINTMENTS_URL, show_default=True,
              help="Base PostgreSQL du banc (supprimée puis recréée).")
@click.option("--structures", default=500, show_default=True, type=click.IntRange(2))
@click.option("--requests", "requests", default=200, show_default=True, type=click.IntRange(1))
@click.option("--warmup", default=20, show_default=True, type=click.IntRange(0))
@click.option("--contenders", default=400, show_default=True, type=click.IntRange(1),
              help="Réservations tentées en même temps sur le créneau collectif populaire.")
@click.option("--concurrency", default=50, show_default=True, type=click.IntRange(1))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=20261201, show_default=True, type=int)
@click.option("--explain", "show_plan", is_flag=True, help="Afficher EXPLAIN (ANALYZE, BUFFERS) de la liste.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path))
def appointments(database_url: str, structures: int, requests: int, warmup: int, contenders: int, concurrency: int,
                 workers: int, seed: int, show_plan: bool, out_file: Path | None) -> None:
    """500 structures avec un an de créneaux hebdomadaires : liste des créneaux libres
    d'un service sur 4 semaines (p50/p95), et réservations concurrentes d'un créneau
    populaire (débit, aucun surbooking)."""
    from maillage.bench import appointments as ab
    from maillage.bench.load import recreate_database
    from maillage.db import utcnow

    figures: dict[str, Any] = {"machine": {"cpus": _cpus(), "python": platform.python_version()}, "seed": seed}
    asyncio.run(recreate_database(database_url))
    start = time.perf_counter()
    generated = ab.generate(structures, contenders, seed, utcnow())
    gen_s = time.perf_counter() - start
    start = time.perf_counter()
    asyncio.run(ab.load(database_url, generated))
    figures.update(counts=generated.counts, generation_s=round(gen_s, 1), load_s=round(time.perf_counter() - start, 1))
    console.print(f"Généré {generated.counts} en {gen_s:.1f} s ; COPY + VACUUM ANALYZE {figures['load_s']} s")
    services = [s for s in generated.services if s != 1]
    figures["listing"] = {**ab.measure_listing(database_url, services, generated.tokens["counsellor"], requests,
                                               warmup, seed),
                          **asyncio.run(ab.measure_listing_sql(database_url, services, requests, warmup, seed))}
    console.print(f"Créneaux libres d'un service sur 4 semaines : {figures['listing']}")
    figures["contention"] = ab.measure_contention(database_url, generated, concurrency, workers)
    console.print(f"Réservations concurrentes : {figures['contention']}")
    if show_plan:
        click.echo(asyncio.run(ab.explain_listing(database_url, services[0])))
    if out_file:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(ab.summary_json(figures) + "\n", "utf-8")
    if figures["contention"]["overbooked"]:
        raise SystemExit("SURBOOKING : le créneau contient plus de réservations que de places.")


STATS_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/maillage_bench_stats"


@bench.command("stats")
@click.option("--database-url", default=STATS_URL, show_default=True,
              help="Base PostgreSQL du banc (supprimée puis recréée, sauf --reuse).")
@click.option("--structures", default=500, show_default=True, type=click.IntRange(10))
@click.option("--people", default=200_000, show_default=True, type=click.IntRange(100))
@click.option("--referrals", default=1_000_000, show_default=True, type=click.IntRange(100))
@click.option("--requests", "requests", default=100, show_default=True, type=click.IntRange(1))
@click.option("--warmup", default=10, show_default=True, type=click.IntRange(0))
@click.option("--seed", default=20261124, show_default=True, type=int)
@click.option("--reuse", is_flag=True, help="Ne rien générer : mesurer la base telle qu'elle est (celle du banc "
                                            "« referrals » convient).")
@click.option("--refresh-runs", default=2, show_default=True, type=click.IntRange(0),
              help="Calculs successifs de l'instantané, chronométrés (0 : garder celui de la base, avec --reuse).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Écrire aussi les chiffres dans ce fichier JSON.")
def stats(database_url: str, structures: int, people: int, referrals: int, requests: int, warmup: int, seed: int,
          reuse: bool, refresh_runs: int, out_file: Path | None) -> None:
    """Le Pilotage d'un réseau de 1 000 000 d'orientations : calcul de l'instantané des
    indicateurs, puis la page (réseau, 12 mois), celle d'une structure et un export CSV en HTTP."""
    from maillage.bench import referrals as rb
    from maillage.bench import stats as sb
    from maillage.bench.load import recreate_database
    from maillage.db import PARIS, utcnow

    figures: dict[str, Any] = {
        "machine": {"cpus": _cpus(), "python": platform.python_version(), "platform": platform.platform()},
        "requests": requests, "warmup": warmup, "seed": seed,
    }
    if reuse:
        tokens = asyncio.run(rb.session_tokens(database_url))
    else:
        asyncio.run(recreate_database(database_url))
        generated = rb.generate(structures, people, referrals, seed, utcnow())
        asyncio.run(rb.load(database_url, generated))
        tokens, figures["counts"] = generated.tokens, generated.counts
        console.print(f"Généré et chargé : {generated.counts}")
        del generated
    figures["refresh"] = asyncio.run(sb.time_refresh(database_url, refresh_runs))
    for n, run in enumerate(figures["refresh"], start=1):
        console.print(f"  instantané n° {n} : {run['refresh_s']:.1f} s (+ commit : {run['with_commit_s']:.1f} s), "
                      f"{run['cells']:,} cellules")

    def progress(row) -> None:
        console.print(f"  {row['label']:<58} HTTP p50 {row['http_p50_ms']:7.1f} ms  p95 {row['http_p95_ms']:7.1f} ms"
                      f"  ({row['detail']})")

    year_end = utcnow().astimezone(PARIS).strftime("%Y-%m")
    figures["pages"] = sb.measure_http(database_url, tokens, requests, warmup, year_end, progress=progress)
    if out_file:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(json.dumps(figures, ensure_ascii=False, indent=1, default=str) + "\n", "utf-8")
    lines = ["| mesure | détail | p50 | p95 |", "|---|---|---:|---:|"]
    for n, run in enumerate(figures["refresh"], start=1):
        lines.append(f"| calcul de l'instantané n° {n} | {run['cells']:,} cellules | | "
                     f"**{run['with_commit_s']:.1f} s** |")
    for row in figures["pages"]:
        lines.append(f"| {row['label']} | {row['detail']} | {row['http_p50_ms']:.1f} ms | "
                     f"**{row['http_p95_ms']:.1f} ms** |")
    click.echo("\n".join(lines))


# ---------------------------------------------------------------- proof (docs/proof.md)

LOAD_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/maillage_bench_load"


def _write_json(out_file: Path | None, figures: dict[str, Any]) -> None:
    if out_file:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(json.dumps(figures, ensure_ascii=False, indent=1, default=str) + "\n", "utf-8")


def _print_checks(report: dict[str, Any]) -> None:
    for c in report["checks"]:
        console.print(f"  {'[green]ok[/]' if c['ok'] else '[red]ÉCHEC[/]'} {c['name']} : {c['detail']}",
                      soft_wrap=True)


def _mix_lines(mix: dict[str, Any]) -> list[str]:
    lines = ["| requête | nombre | par s | p50 (ms) | p95 (ms) | 409 attendus | erreurs |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, k in mix["kinds"].items():
        lines.append(f"| {name} | {k['requests']} | {k['per_s']} | {k['p50_ms']} | {k['p95_ms']} | "
                     f"{k['conflicts_409']} | {k['errors']} |")
    lines.append(f"| **ensemble** | {mix['requests']} | **{mix['per_s']}** | {mix['p50_ms']} | **{mix['p95_ms']}** | "
                 f"{mix['conflicts_409']} | **{mix['errors']}** |")
    return lines


@bench.command("load")
@click.option("--database-url", default=LOAD_URL, show_default=True,
              help="Base PostgreSQL du banc (supprimée puis recréée).")
@click.option("--seconds", default=60, show_default=True, type=click.FloatRange(1, 3600))
@click.option("--users", default=16, show_default=True, type=click.IntRange(1, 500),
              help="Utilisateurs virtuels (boucle fermée, sans temps de réflexion).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Processus uvicorn.")
@click.option("--runners", default=2, show_default=True, type=click.IntRange(1, 16),
              help="Exécuteurs de tâches (« maillage jobs run » en boucle).")
@click.option("--jobs-interval", default=10.0, show_default=True, type=click.FloatRange(0, 600),
              help="Pause (s) entre deux « maillage jobs run » d'un même exécuteur.")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--stock-uvicorn", is_flag=True,
              help="uvicorn tel quel : avec --workers > 1, ~40 ms d'attente par requête sur une connexion "
                   "gardée ouverte (TCP_NODELAY absent, uvicorn#3149) ; par défaut le banc le corrige.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Écrire aussi les chiffres dans ce fichier JSON.")
def load_command(database_url: str, seconds: float, users: int, workers: int, runners: int, jobs_interval: float,
                 seed: int, stock_uvicorn: bool, out_file: Path | None) -> None:
    """Charge sur la boucle locale : recherche, boîtes reçues, orientations, RDV, acceptations,
    contre 2 processus et 2 exécuteurs de tâches ; débit, p50/p95, erreurs, puis contrôle
    d'intégrité en SQL (rien de perdu, rien en double, aucun courriel envoyé deux fois)."""
    from maillage.bench.proof.runs import load_run

    figures = load_run(database_url, seconds=seconds, users=users, workers=workers, runners=runners,
                       jobs_interval=jobs_interval, seed=seed, stock_uvicorn=stock_uvicorn, say=lambda m: console.print(m, soft_wrap=True))
    figures["machine"] = {"cpus": _cpus(), "python": platform.python_version(), "platform": platform.platform()}
    _write_json(out_file, figures)
    mix = figures["mix"]
    console.print(f"Débit {mix['per_s']} requêtes/s, p95 {mix['p95_ms']} ms, {mix['errors']} erreur(s), "
                  f"{mix['conflicts_409']} 409 attendus ; exécuteurs {figures['runners_summary']}")
    for sample in mix["error_samples"][:10]:
        console.print(f"  [red]{sample}[/]", soft_wrap=True)
    _print_checks(figures["integrity"])
    click.echo("\n".join(_mix_lines(mix)))
    if not figures["ok"]:
        raise SystemExit("ÉCHEC : erreurs ou intégrité non respectée (détail ci-dessus).")


@bench.command("faults")
@click.option("--seconds", default=30, show_default=True, type=click.FloatRange(6, 600),
              help="Durée du mélange pendant chaque panne.")
@click.option("--users", default=8, show_default=True, type=click.IntRange(1, 200))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--lease-seconds", default=15, show_default=True, type=click.IntRange(5, 600),
              help="Bail de la boîte d'envoi dans les exécuteurs du banc (10 min en production).")
@click.option("--seed", default=2, show_default=True, type=int)
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path))
def faults_command(seconds: float, users: int, workers: int, lease_seconds: int, seed: int,
                   out_file: Path | None) -> None:
    """Trois pannes pendant le mélange, chacune suivie du contrôle d'intégrité, sur une grappe
    PostgreSQL jetable (initdb, port libre) : base redémarrée, serveur SMTP arrêté puis
    relancé, exécuteur de tâches tué (SIGKILL) au milieu d'un lot."""
    from maillage.bench.proof.runs import faults_run

    figures = faults_run(seconds=seconds, users=users, workers=workers, lease_seconds=lease_seconds, seed=seed,
                         say=lambda m: console.print(m, soft_wrap=True))
    figures["machine"] = {"cpus": _cpus(), "python": platform.python_version(), "platform": platform.platform()}
    _write_json(out_file, figures)
    lines = ["| panne | requêtes | erreurs (statuts) | contrôles |", "|---|---:|---|---|"]
    for fault in figures["faults"]:
        mix, report = fault["mix"], fault["integrity"]
        passed = sum(c["ok"] for c in report["checks"])
        statuses = fault["notes"].get("error_statuses") or {}
        lines.append(f"| {fault['name']} | {mix['requests']} | {mix['errors']} {statuses or ''} | "
                     f"{passed}/{len(report['checks'])} {'ok' if report['ok'] else 'ÉCHEC'} |")
    click.echo("\n".join(lines))
    if not figures["ok"]:
        raise SystemExit("ÉCHEC : un contrôle d'intégrité n'est pas respecté après une panne (détail ci-dessus).")


@bench.command("overhead")
@click.option("--database-url", default=LOAD_URL, show_default=True,
              help="Base PostgreSQL du banc (supprimée puis recréée).")
@click.option("--seconds", default=20, show_default=True, type=click.FloatRange(1, 600))
@click.option("--clients", default=16, show_default=True, type=click.IntRange(1, 500))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--query", default="emploi", show_default=True, help="Texte recherché.")
@click.option("--stock-uvicorn", is_flag=True,
              help="uvicorn tel quel : avec --workers > 1, ~40 ms d'attente par requête sur une connexion "
                   "gardée ouverte (TCP_NODELAY absent, uvicorn#3149) ; par défaut le banc le corrige.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path))
def overhead_command(database_url: str, seconds: float, clients: int, workers: int, query: str, stock_uvicorn: bool,
                     out_file: Path | None) -> None:
    """Débit de la recherche (GET /api/v1/services/search) rapporté à celui d'un point
    d'entrée nu de la même application (/healthz), mêmes réglages : le coût du cadre."""
    from maillage.bench.proof.runs import overhead_run

    figures = overhead_run(database_url, seconds=seconds, clients=clients, workers=workers, query=query,
                           stock_uvicorn=stock_uvicorn, say=lambda m: console.print(m, soft_wrap=True))
    figures["machine"] = {"cpus": _cpus(), "python": platform.python_version(), "platform": platform.platform()}
    _write_json(out_file, figures)
    bare, search = figures["bare"], figures["search"]
    click.echo("\n".join([
        "| point d'entrée | requêtes/s | p50 (ms) | p95 (ms) | erreurs |", "|---|---:|---:|---:|---:|",
        f"| /healthz | {bare['per_s']} | {bare['p50_ms']} | {bare['p95_ms']} | {bare['errors']} |",
        f"| {search['path']} | {search['per_s']} | {search['p50_ms']} | {search['p95_ms']} | {search['errors']} |",
        f"| **rapport recherche / nu** | **{figures['ratio']}** | | | |",
    ]))
    if not figures["ok"]:
        raise SystemExit("ÉCHEC : des requêtes ont échoué.")
