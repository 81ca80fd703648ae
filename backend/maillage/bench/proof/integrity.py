"""What must hold after a run, read in SQL (asyncpg) and from the SMTP server's counts:

- every referral the clients got a 201 for exists exactly once, with the id they were
  given; none of those refused with a 409 exists (« orienter et prendre RDV » is all or
  nothing); every referral acknowledged with a slot holds exactly one booking;
- no slot has ``booked_count`` different from its bookings that count (not cancelled), or
  more than its capacity;
- the outbox: no dedupe key twice; every email was accepted by the SMTP server exactly
  once if it is marked sent, never if it is not; nothing left pending (after the drain);
  at least one « referral received » email per referral;
- the job runners ran (and none failed outside of the faults).
"""

import asyncio
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from maillage.bench.load import asyncpg_dsn
from maillage.bench.proof.mix import Results

TOKEN = re.compile(r"\[preuve:([0-9a-f]{32})\]")


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [c.__dict__ for c in self.checks], "figures": self.figures}


async def _connect(url: str, attempts: int = 60) -> asyncpg.Connection:
    for n in range(attempts):
        try:
            return await asyncpg.connect(asyncpg_dsn(url))
        except (OSError, asyncpg.PostgresError):
            if n == attempts - 1:
                raise
            await asyncio.sleep(1)
    raise AssertionError


async def outbox_backlog(url: str) -> int:
    conn = await _connect(url)
    try:
        return await conn.fetchval("SELECT count(*) FROM outbox_email WHERE status = 'pending'")
    finally:
        await conn.close()


def drain(url: str, timeout: float, stall: float = 120.0, settle: float = 2.0) -> tuple[int, float]:
    """Wait (the runners still running) until nothing is pending in the outbox, as long
    as the backlog keeps going down (``stall`` seconds without progress is the end) and
    at most ``timeout`` seconds; returns what is still pending and how long it took."""
    start = last_progress = time.monotonic()
    pending = lowest = asyncio.run(outbox_backlog(url))
    while pending and time.monotonic() - start < timeout and time.monotonic() - last_progress < stall:
        time.sleep(settle)
        pending = asyncio.run(outbox_backlog(url))
        if pending < lowest:
            lowest, last_progress = pending, time.monotonic()
    return pending, time.monotonic() - start


async def check(url: str, results: Results, received: Counter, runners: list[dict],
                runner_failures_allowed: bool = False) -> Report:
    report = Report()
    conn = await _connect(url)
    try:
        # ---- referrals
        rows = await conn.fetch("SELECT id, motive FROM referral WHERE motive LIKE '%[preuve:%'")
        by_token: dict[str, list[int]] = {}
        for row in rows:
            found = TOKEN.search(row["motive"])
            if found:
                by_token.setdefault(found.group(1), []).append(row["id"])
        lost = [t for t in results.acked if t not in by_token]
        twice = [t for t, ids in by_token.items() if len(ids) > 1]
        wrong_id = [t for t, rid in results.acked.items() if t in by_token and by_token[t] != [rid]]
        report.add("orientations acquittées (201) présentes une seule fois", not lost and not twice and not wrong_id,
                   f"{len(results.acked)} acquittées, {len(lost)} perdues, {len(twice)} en double, "
                   f"{len(wrong_id)} avec un autre id")
        ghost = [t for t in results.refused if t in by_token]
        report.add("orientations refusées (409) absentes", not ghost,
                   f"{len(results.refused)} refusées, {len(ghost)} présentes quand même")
        unacked = [t for t in by_token if t not in results.acked and t not in results.refused]
        report.figures["written_without_answer"] = len(unacked)
        report.figures["unanswered_requests"] = len(results.unknown)
        if unacked:
            stray = [t for t in unacked if t not in results.unknown]
            report.add("orientations en base sans réponse 201 : seulement des requêtes restées sans réponse",
                       not stray, f"{len(unacked)} écrites sans réponse au client (sur {len(results.unknown)} "
                                  f"requêtes sans réponse), {len(stray)} inexpliquées")
        booked_ids = list(results.booked.values())
        counts = {r["referral_id"]: r["n"] for r in await conn.fetch(
            "SELECT referral_id, count(*) AS n FROM booking WHERE referral_id = ANY($1::int[]) "
            "AND status <> 'cancelled' GROUP BY referral_id", booked_ids)}
        bad = [rid for rid in booked_ids if counts.get(rid) != 1]
        report.add("RDV acquittés : une réservation chacun", not bad,
                   f"{len(booked_ids)} orientations avec RDV, {len(bad)} sans exactement une réservation")

        # ---- slots
        slots = await conn.fetch(
            "SELECT s.id, s.capacity, s.booked_count, coalesce(b.n, 0) AS active FROM slot s "
            "LEFT JOIN (SELECT slot_id, count(*) AS n FROM booking WHERE status <> 'cancelled' GROUP BY slot_id) b "
            "ON b.slot_id = s.id")
        wrong = [r["id"] for r in slots if r["booked_count"] != r["active"] or r["booked_count"] > r["capacity"]]
        full = sum(1 for r in slots if r["booked_count"] == r["capacity"])
        report.add("créneaux : booked_count = réservations actives ≤ capacité", not wrong,
                   f"{len(slots)} créneaux ({full} complets, "
                   f"{sum(r['booked_count'] for r in slots)} places prises), {len(wrong)} incohérents")

        # ---- outbox
        dupes = await conn.fetchval("SELECT count(*) FROM (SELECT dedupe_key FROM outbox_email WHERE dedupe_key "
                                    "IS NOT NULL GROUP BY dedupe_key HAVING count(*) > 1) d")
        report.add("boîte d'envoi : aucune clé de dédoublonnage deux fois", dupes == 0, f"{dupes} clé(s) en double")
        emails = await conn.fetch("SELECT id, status, kind, attempts, sent_at FROM outbox_email")
        status = Counter(r["status"] for r in emails)
        sent_ids = {r["id"] for r in emails if r["status"] == "sent"}
        twice_sent = sorted(i for i, n in received.items() if n > 1)
        unmarked = sorted(i for i in received if i not in sent_ids)
        not_received = sorted(i for i in sent_ids if received.get(i, 0) == 0)
        no_sent_at = sum(1 for r in emails if r["status"] == "sent" and r["sent_at"] is None)
        report.add("courriels : chacun reçu une fois par le serveur SMTP, exactement ceux marqués envoyés",
                   not twice_sent and not unmarked and not not_received and no_sent_at == 0,
                   f"{len(emails)} courriels ({dict(status)}), {sum(received.values())} reçus par SMTP ; "
                   f"{len(twice_sent)} reçus deux fois {twice_sent[:10]}, {len(unmarked)} reçus mais non marqués "
                   f"envoyés, {len(not_received)} marqués envoyés sans avoir été reçus")
        report.add("courriels : rien en attente ni en échec après la vidange",
                   status.get("pending", 0) == 0 and status.get("failed", 0) == 0,
                   f"{status.get('pending', 0)} en attente, {status.get('failed', 0)} en échec")
        received_mails = sum(1 for r in emails if r["kind"] == "referral_received")
        report.add("un courriel « orientation reçue » au moins par orientation", received_mails >= len(by_token),
                   f"{received_mails} courriels pour {len(by_token)} orientations")
        retried = sum(1 for r in emails if r["status"] == "sent" and r["attempts"] > 1)
        report.figures.update(emails=len(emails), emails_retried=retried, smtp_received=sum(received.values()))

        # ---- jobs
        runs = [r["runs"] for r in runners]
        failures = sum(r["failures"] for r in runners)
        report.add("les tâches de fond ont tourné (chaque exécuteur)",
                   all(n > 0 for n in runs) and (runner_failures_allowed or failures == 0),
                   f"exécutions réussies par exécuteur {runs}, échecs {failures}, "
                   f"tués {[r['killed'] for r in runners]}")
    finally:
        await conn.close()
    return report
