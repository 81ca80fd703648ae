"""Calendar arithmetic of slots, in Europe/Paris local time (no database here).

A weekly series says "Tuesdays at 09:30 for 45 minutes": each occurrence is built from
its local date and local time, then converted to UTC, so that it stays at 09:30 on
both sides of a daylight-saving change (the UTC instant moves by an hour instead).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
WEEKDAY_LABELS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTH_LABELS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                "novembre", "décembre")
# A series covers at most this many days: longer ones are renewed (a year of weekly
# slots is the benchmark's shape, and nobody plans their agenda further ahead).
MAX_SERIES_DAYS = 366


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime   # UTC
    ends_at: datetime     # UTC
    local_date: date


def parse_time(value: str) -> time:
    """"HH:MM" (24 h) → time; ValueError with a French message otherwise."""
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise ValueError("L'heure doit être au format HH:MM (par exemple 09:30).") from None


def local_instant(day: date, at: time) -> datetime:
    """The UTC instant of a Paris wall-clock time. A time skipped by the spring change
    (02:30 on the last Sunday of March) comes out one hour later, as clocks show it; a
    time repeated in autumn is its first occurrence (PEP 495, fold=0)."""
    return datetime.combine(day, at, tzinfo=PARIS).astimezone(UTC)


def occurrences(weekdays: Iterable[int], start: time, duration_minutes: int, starts_on: date, ends_on: date,
                exceptions: Iterable[date] = ()) -> Iterator[Occurrence]:
    """Every occurrence of a weekly series between two dates (both included)."""
    days = set(weekdays)
    skipped = set(exceptions)
    day = starts_on
    while day <= ends_on:
        if day.weekday() in days and day not in skipped:
            begins = local_instant(day, start)
            yield Occurrence(begins, begins + timedelta(minutes=duration_minutes), day)
        day += timedelta(days=1)


def paris(moment: datetime) -> datetime:
    return moment.astimezone(PARIS)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """UTC instants of the start of ``day`` and of the next day, in Paris time (a day
    is 23 or 25 hours long when the clocks change)."""
    return local_instant(day, time.min), local_instant(day + timedelta(days=1), time.min)


def french_datetime(moment: datetime) -> str:
    """« mardi 3 mars 2026 à 09 h 30 » (Paris time)."""
    local = paris(moment)
    return (f"{WEEKDAY_LABELS[local.weekday()]} {local.day} {MONTH_LABELS[local.month - 1]} {local.year} "
            f"à {local.hour:02d} h {local.minute:02d}")


def french_time(moment: datetime) -> str:
    local = paris(moment)
    return f"{local.hour:02d} h {local.minute:02d}"
