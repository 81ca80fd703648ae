"""Schemathesis over the whole OpenAPI document, driven from a worker thread.

Schemathesis (and Hypothesis under it) generate and validate synchronously; the app and
its database connection live on the test's event loop. So the generation runs in a thread
(``asyncio.to_thread``) and every request is handed back to the loop
(``run_coroutine_threadsafe``), where the caller sends it through ``httpx.ASGITransport``
inside a savepoint that is rolled back after the response: every example starts from the
same world, and the test's transaction is rolled back at the end like any other test.

What must hold for every request (positive and negative examples):

- no 5xx (``not_a_server_error``);
- the status code is documented for the operation (``status_code_conformance``);
- the content type and the body match the documented response
  (``content_type_conformance``, ``response_schema_conformance``), and the documented
  headers are there (``response_headers_conformance``);
- invalid input (negative examples) is refused with a 4xx (``negative_data_rejection``).

Budget: ``MAILLAGE_PROOF_EXAMPLES`` positive examples per operation and role (CI: 4,
derandomised so that a run is reproducible), half as many negative ones;
``MAILLAGE_PROOF_FULL=1`` runs 100 + 50 with a random seed (a deeper run on demand).
"""

import os
import random
import re
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis import openapi as schemathesis_openapi
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

BASE_URL = "http://test"
CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance,
               response_headers_conformance, response_schema_conformance]
CHECKS = {GenerationMode.POSITIVE: CONFORMANCE, GenerationMode.NEGATIVE: [*CONFORMANCE, negative_data_rejection]}


@dataclass(frozen=True)
class Budget:
    positive: int
    negative: int
    derandomize: bool

    @classmethod
    def from_env(cls) -> "Budget":
        full = os.environ.get("MAILLAGE_PROOF_FULL", "") not in ("", "0")
        positive = int(os.environ.get("MAILLAGE_PROOF_EXAMPLES", 100 if full else 4))
        return cls(positive, max(1, positive // 2), derandomize=not full)


@dataclass
class Failure:
    role: str
    operation: str
    mode: str
    message: str

    def __str__(self) -> str:
        return f"[{self.role}] {self.operation} ({self.mode}):\n{self.message}"


@dataclass
class Report:
    failures: list[Failure] = field(default_factory=list)
    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    operations: int = 0
    no_negative: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)   # operation → seconds (both modes)
    seconds: float = 0.0

    def summary(self) -> str:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        slowest = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(self.timings.items(), key=lambda kv: -kv[1])[:5])
        return (f"{self.operations} opérations, {self.requests} requêtes en {self.seconds:.1f} s "
                f"({statuses}), {len(self.failures)} échec(s) ; les plus longues : {slowest}")


def _substitute(case, known: dict[str, list], rnd: random.Random):
    """Point identifiers at objects of the world half of the time (random integers
    mostly reach 404): path and query parameters, and the top-level fields of a JSON body."""
    for container in (case.path_parameters, case.query,
                      case.body if isinstance(case.body, dict) else None):
        if not container:
            continue
        for name in list(container):
            values = known.get(name)
            if values and rnd.random() < 0.75:
                container[name] = rnd.choice(values)
    return case


Send = Callable[[requests.PreparedRequest], Any]


def run(document: dict, send: Send, known: dict[str, list], role: str, budget: Budget,
        only: Callable[[str, str], bool] | None = None) -> Report:
    """Every operation of ``document``, positive then negative examples; returns what failed."""
    schema = schemathesis_openapi.from_dict(document)
    report = Report()
    start = time.perf_counter()
    operations = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if only is None or only(operation.method.upper(), operation.path):
            operations.append(operation)
    for operation in sorted(operations, key=lambda op: (op.path, op.method)):
        report.operations += 1
        label = f"{operation.method.upper()} {operation.path}"
        for mode, examples in ((GenerationMode.POSITIVE, budget.positive), (GenerationMode.NEGATIVE, budget.negative)):
            strategy = operation.as_strategy(generation_mode=mode)
            if mode is GenerationMode.POSITIVE:
                strategy = st.builds(_substitute, strategy, st.just(known), st.randoms(use_true_random=False))

            example = _example(strategy, CHECKS[mode], examples, budget, send, report)
            began = time.perf_counter()
            try:
                example()
            except (KeyboardInterrupt, SystemExit):
                raise
            except Unsatisfiable as exc:
                if mode is GenerationMode.POSITIVE:
                    report.failures.append(Failure(role, label, mode.value, f"Unsatisfiable: {exc}"))
                else:  # nothing to get wrong: no parameter and no body, or any string will do
                    report.no_negative.append(label)
            except BaseException as exc:  # noqa: BLE001 - every failure is reported, then the next operation runs
                message = "".join(traceback.format_exception_only(exc)).strip()
                report.failures.append(Failure(role, label, mode.value, _trim(message)))
            report.timings[label] = report.timings.get(label, 0.0) + time.perf_counter() - began
    report.seconds = time.perf_counter() - start
    return report


def _example(strategy, checks, examples: int, budget: Budget, send: Send, report: Report):
    @settings(max_examples=examples, deadline=None, database=None, derandomize=budget.derandomize,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate],
              report_multiple_bugs=False)
    @given(case=strategy)
    def example(case):
        prepared = requests.Request(**case.as_transport_kwargs(base_url=BASE_URL)).prepare()
        response = send(prepared)
        report.requests += 1
        report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=checks)

    return example


def _trim(message: str, limit: int = 3000) -> str:
    message = re.sub(r"\n{3,}", "\n\n", message)
    return message if len(message) <= limit else message[:limit] + " […]"
