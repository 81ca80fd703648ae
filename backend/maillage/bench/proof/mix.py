"""Virtual users: counsellors who search the directory, read their inbox, orient people
(a new person, then one or more referrals), orient and book a slot at once (« orienter et
prendre RDV »), and accept what they received. One thread and one keep-alive HTTP
connection (httpx) per virtual user.

Every referral carries a token in its motive (``[preuve:<hex>]``): what the clients got a
201 for (acknowledged), and what they got a 409 for (refused, so it must not exist), is
what ``integrity`` compares with the database afterwards.

Why threads and httpx rather than locust: locust monkey-patches the whole process with
gevent as soon as it is imported, which does not mix with the asyncio/asyncpg code of the
integrity checks, the subprocesses of the run, and pytest; and its statistics are the
handful of figures computed here anyway.
"""

import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from maillage.accounts.deps import CSRF_COOKIE, SESSION_COOKIE
from maillage.bench.measure import percentile
from maillage.bench.proof.world import Counsellor, World

# Request types and their share of the mix (per action; an orientation is 1 or 2 requests).
WEIGHTS = {"search": 40, "inbox": 25, "refer": 15, "book": 12, "accept": 8}
WORDS = ("emploi", "logement", "formation", "numérique", "garde d'enfants", "mobilité", "santé", "cv",
         "jeunes", "permis", "alimentaire", "insertion", "accompagnement", "français", "")
FIRST = ("Amina", "Julien", "Sarah", "Mohamed", "Léa", "Kévin", "Fatou", "Nicolas", "Inès", "Thomas")
PER_CONNECTION = 25
# A 409 is expected there (the slot is full; the referral was answered by a colleague).
CONFLICT_OK = {"book", "accept"}


@dataclass
class Kind:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    conflicts: int = 0
    errors: int = 0

    def summary(self, seconds: float) -> dict[str, Any]:
        done = len(self.latencies)
        return {"requests": done, "per_s": round(done / seconds, 1) if seconds else 0,
                "p50_ms": round(percentile(self.latencies, 0.5) * 1000, 1) if done else None,
                "p95_ms": round(percentile(self.latencies, 0.95) * 1000, 1) if done else None,
                "conflicts_409": self.conflicts, "errors": self.errors,
                "statuses": {str(k): v for k, v in sorted(self.statuses.items(), key=lambda kv: str(kv[0]))}}


@dataclass
class Results:
    kinds: dict[str, Kind] = field(default_factory=dict)
    acked: dict[str, int] = field(default_factory=dict)          # token → referral id (201)
    booked: dict[str, int] = field(default_factory=dict)         # token → referral id, with a slot (201)
    refused: set[str] = field(default_factory=set)               # token of a 409 (nothing created)
    unknown: set[str] = field(default_factory=set)               # no answer, or an error: may or may not exist
    error_samples: list[str] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, elapsed: float, status: int | str, detail: str = "") -> None:
        with self.lock:
            k = self.kinds.setdefault(kind, Kind())
            k.latencies.append(elapsed)
            k.statuses[status] += 1
            if status == 409 and kind in CONFLICT_OK:
                k.conflicts += 1
            elif not (isinstance(status, int) and 200 <= status < 300):
                k.errors += 1
                if len(self.error_samples) < 30:
                    self.error_samples.append(f"{kind} → {status} {detail[:200]}")

    @property
    def requests(self) -> int:
        return sum(len(k.latencies) for k in self.kinds.values())

    @property
    def errors(self) -> int:
        return sum(k.errors for k in self.kinds.values())

    @property
    def conflicts(self) -> int:
        return sum(k.conflicts for k in self.kinds.values())

    def summary(self) -> dict[str, Any]:
        every = [t for k in self.kinds.values() for t in k.latencies]
        return {
            "seconds": round(self.seconds, 1), "requests": self.requests,
            "per_s": round(self.requests / self.seconds, 1) if self.seconds else 0,
            "p50_ms": round(percentile(every, 0.5) * 1000, 1) if every else None,
            "p95_ms": round(percentile(every, 0.95) * 1000, 1) if every else None,
            "errors": self.errors, "conflicts_409": self.conflicts,
            "referrals_acknowledged": len(self.acked), "with_booking": len(self.booked),
            "refused_409": len(self.refused), "unanswered": len(self.unknown),
            "kinds": {name: k.summary(self.seconds) for name, k in sorted(self.kinds.items())},
            "error_samples": self.error_samples,
        }


class VirtualUser:
    def __init__(self, base_url: str, world: World, me: Counsellor, rnd: random.Random, results: Results,
                 timeout: float = 30) -> None:
        self.world, self.me, self.rnd, self.results = world, me, rnd, results
        self.base_url, self.timeout = base_url, timeout
        self.client = self._connect()
        self.sent = 0
        self.people: list[int] = []
        self.to_answer: list[int] = []
        self.targets = [t for t in world.targets if t[1] != me.structure_id]
        self.bookable = [s for s in world.slots if s not in {t[0] for t in world.targets if t[1] == me.structure_id}]

    def _connect(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=self.timeout,
                            cookies={SESSION_COOKIE: self.me.token, CSRF_COOKIE: self.me.csrf},
                            headers={"X-CSRF-Token": self.me.csrf})

    def _call(self, kind: str, method: str, path: str, **kw) -> httpx.Response | None:
        self.sent += 1
        if self.sent % PER_CONNECTION == 0:  # a new connection now and then: spread over the app's processes
            self.client.close()
            self.client = self._connect()
        start = time.perf_counter()
        try:
            response = self.client.request(method, path, **kw)
        except httpx.HTTPError as exc:
            self.results.record(kind, time.perf_counter() - start, type(exc).__name__, str(exc))
            return None
        self.results.record(kind, time.perf_counter() - start, response.status_code, response.text)
        return response

    def step(self) -> None:
        action = self.rnd.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        getattr(self, action)()

    def search(self) -> None:
        params = {"network": self.world.slug, "q": self.rnd.choice(WORDS)}
        if self.rnd.random() < 0.3:
            params["page"] = self.rnd.randint(1, 3)
        self._call("search", "GET", "/api/v1/services/search", params=params)

    def inbox(self) -> None:
        response = self._call("inbox", "GET", "/api/v1/referrals",
                              params={"structure_id": self.me.structure_id, "direction": "received"})
        if response is not None and response.status_code == 200:
            self.to_answer = [row["id"] for row in response.json()["items"] if row["status"] == "sent"][:5]

    def _person(self) -> int | None:
        if self.people and self.rnd.random() < 0.6:
            return self.rnd.choice(self.people)
        tag = uuid.uuid4().hex[:10]
        response = self._call("person", "POST", "/api/v1/people", json={
            "first_name": self.rnd.choice(FIRST), "last_name": f"Preuve-{tag}", "informed": True,
            "confirm_new": True, "email": f"p-{tag}@personne.example.org",
        })
        if response is None or response.status_code != 201:
            return None
        self.people.append(response.json()["id"])
        return self.people[-1]

    def _refer(self, kind: str, service_id: int, slot_id: int | None) -> None:
        person = self._person()
        if person is None:
            return
        token = uuid.uuid4().hex
        body: dict[str, Any] = {"person_id": person, "service_id": service_id,
                                "motive": f"Accompagnement vers l'emploi, besoin d'un premier rendez-vous [preuve:{token}]"}
        if slot_id is not None:
            body.update(slot_id=slot_id, notify_person=self.rnd.random() < 0.5)
        response = self._call(kind, "POST", "/api/v1/referrals", json=body)
        with self.results.lock:
            if response is None or response.status_code >= 500:
                self.results.unknown.add(token)
            elif response.status_code == 201:
                self.results.acked[token] = response.json()["id"]
                if slot_id is not None:
                    self.results.booked[token] = response.json()["id"]
            elif response.status_code == 409:
                self.results.refused.add(token)
            else:
                self.results.unknown.add(token)

    def refer(self) -> None:
        if self.targets:
            self._refer("refer", self.rnd.choice(self.targets)[0], None)

    def book(self) -> None:
        if self.bookable:
            service = self.rnd.choice(self.bookable)
            self._refer("book", service, self.rnd.choice(self.world.slots[service]))

    def accept(self) -> None:
        if not self.to_answer:
            self.inbox()
            return
        referral = self.to_answer.pop(0)
        self._call("accept", "POST", f"/api/v1/referrals/{referral}/accept")

    def close(self) -> None:
        self.client.close()


def run_mix(base_url: str, world: World, users: int, seconds: float, seed: int = 1,
            stop: threading.Event | None = None) -> Results:
    """``users`` virtual users for ``seconds`` (each on a counsellor of its own, in turn)."""
    results = Results()
    stop = stop or threading.Event()
    rnd = random.Random(seed)
    vus = [VirtualUser(base_url, world, world.counsellors[n % len(world.counsellors)],
                       random.Random(rnd.random()), results) for n in range(users)]
    deadline = time.monotonic() + seconds

    def loop(vu: VirtualUser) -> None:
        while time.monotonic() < deadline and not stop.is_set():
            vu.step()

    threads = [threading.Thread(target=loop, args=(vu,), daemon=True) for vu in vus]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    results.seconds = time.monotonic() - start
    for vu in vus:
        vu.close()
    return results
