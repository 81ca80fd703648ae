"""iCalendar documents (RFC 5545, made with ``icalendar``): the file joined to a booking
email, and a structure's calendar feed."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from icalendar import Calendar, Event

from maillage.config import get_settings
from maillage.db import utcnow


@dataclass(frozen=True)
class CalendarItem:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str | None
    description: str
    cancelled: bool = False
    sequence: int = 0


def booking_uid(booking_id: int) -> str:
    host = urlparse(get_settings().public_url).hostname or "maillage"
    return f"rdv-{booking_id}@{host}"


def calendar(items: list[CalendarItem], *, method: str | None = "PUBLISH", name: str | None = None) -> bytes:
    """A VCALENDAR with one VEVENT per item (times in UTC: every client converts)."""
    cal = Calendar()
    cal.add("prodid", f"-//{get_settings().operator_name}//Maillage//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    stamp = utcnow()
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.starts_at)
        event.add("dtend", item.ends_at)
        event.add("summary", item.summary)
        if item.location:
            event.add("location", item.location)
        event.add("description", item.description)
        event.add("sequence", item.sequence)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
