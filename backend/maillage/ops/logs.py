"""Logs on stderr: one JSON object per line (``time``, ``level``, ``logger``, ``message``,
``request_id`` and the fields a line carries, such as ``method``, ``route``, ``status`` and
``duration_ms`` on the access line), or readable text for development.

No personal data: the access line names the route template (``/api/v1/people/{person_id}``),
never the path, the query string (a search may carry a name or an email), the body or the
client's address. uvicorn's own access log (which prints the full URL) is silenced, and its
other messages go through the same formatter.

``configure_logging`` is called by ``create_app`` (whatever server runs the app);
``log_config`` is the same set-up as a ``logging.config.dictConfig`` dictionary, for
``uvicorn.run(..., log_config=log_config())`` so that uvicorn's start-up lines are
formatted from the first one.
"""

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

from maillage.config import Settings, get_settings

request_id_var: ContextVar[str | None] = ContextVar("maillage_request_id", default=None)

# Attributes every LogRecord has: what is left in a record's __dict__ came from ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
# uvicorn adds a coloured copy of some messages; never wanted here.
_DROPPED = {"color_message"}
_IN_ACCESS_MESSAGE = {"method", "route", "status"}
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def sane_request_id(value: str | None) -> str | None:
    """An incoming ``X-Request-ID`` kept only if it is a short token (no spaces, no ``@``)."""
    return value if value and _SANE_REQUEST_ID.fullmatch(value) else None


def _extras(record: logging.LogRecord) -> dict:
    return {k: v for k, v in vars(record).items()
            if k not in _STANDARD and k not in _DROPPED and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            line["request_id"] = request_id
        for key, value in _extras(record).items():
            line.setdefault(key, value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        # The access line's message already says « GET /route 200 ».
        fields = {k: v for k, v in _extras(record).items() if k not in _IN_ACCESS_MESSAGE}
        request_id = request_id_var.get()
        if request_id:
            fields.setdefault("request_id", request_id)
        if fields:
            first, newline, rest = text.partition("\n")
            text = first + " " + " ".join(f"{k}={v}" for k, v in fields.items()) + newline + rest
        return text


def formatter(kind: str = "json") -> logging.Formatter:
    return JsonFormatter() if kind == "json" else TextFormatter()


class StderrHandler(logging.StreamHandler):
    """Writes to the current ``sys.stderr`` (looked up at each line, so that a test runner
    that swaps it, or a closed stream, is never written to)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):  # noqa: D102
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def _kind(settings: Settings) -> str:
    return "json" if settings.json_logs else "text"


def log_config(settings: Settings | None = None) -> dict:
    """``logging.config.dictConfig`` for uvicorn: our formatter on stderr for the app's
    and uvicorn's messages, uvicorn's access log off (the app writes its own)."""
    settings = settings or get_settings()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"maillage": {"()": "maillage.ops.logs.formatter", "kind": _kind(settings)}},
        "handlers": {"stderr": {"class": "maillage.ops.logs.StderrHandler", "formatter": "maillage"}},
        "root": {"level": "WARNING", "handlers": ["stderr"]},
        "loggers": {
            "maillage": {"level": settings.log_level},
            "uvicorn": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }


def configure_logging(settings: Settings) -> None:
    """Idempotent: one stderr handler with our formatter on the root logger (kept if
    ``log_config`` already made it), the ``maillage`` loggers at the configured level,
    uvicorn's messages through it and its access log silenced."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, StderrHandler)), None)
    if handler is None:
        handler = StderrHandler()
        root.addHandler(handler)
    handler.setFormatter(formatter(_kind(settings)))
    logging.getLogger("maillage").setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
