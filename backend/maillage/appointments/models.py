"""Appointments: the places where a structure receives, the slots it publishes per
service (one-off, or occurrences of a weekly series), the bookings of people on those
slots, and the secret calendar feeds of a structure (see DESIGN.md "Appointments").

Capacity is enforced by the database: ``slot.booked_count`` only moves through a
conditional UPDATE (``booked_count < capacity``) and a CHECK constraint refuses any row
where it would exceed the capacity, whatever the number of concurrent bookers.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from maillage.db import Base, UTCDateTime, utcnow
from maillage.referrals.followup import BookingState


class PlaceKind(StrEnum):
    ON_SITE = "sur-place"
    PHONE = "telephone"
    VIDEO = "visio"


PLACE_KIND_LABELS = {
    PlaceKind.ON_SITE: "Sur place",
    PlaceKind.PHONE: "Par téléphone",
    PlaceKind.VIDEO: "En visio",
}


class BookableBy(StrEnum):
    STRUCTURE = "structure"   # the structure's own members only
    NETWORK = "network"       # also the counsellors of the network's structures


BOOKABLE_BY_LABELS = {
    BookableBy.STRUCTURE: "La structure seulement",
    BookableBy.NETWORK: "Les conseillers du réseau",
}

BOOKING_STATUS_LABELS = {
    BookingState.BOOKED: "RDV pris",
    BookingState.HONOURED: "Venue",
    BookingState.MISSED: "Absente",
    BookingState.EXCUSED: "Excusée",
    BookingState.CANCELLED: "Annulé",
}


class Place(Base):
    """Where (or how) a structure receives people."""

    __tablename__ = "place"
    __table_args__ = (Index("ix_place_structure_id", "structure_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(150))
    kind: Mapped[PlaceKind] = mapped_column(String(20), default=PlaceKind.ON_SITE)
    adresse: Mapped[str | None] = mapped_column(String(255))
    code_postal: Mapped[str | None] = mapped_column(String(5))
    commune: Mapped[str | None] = mapped_column(String(150))
    # What the person needs to know: floor, door code, "we will call you", the video link…
    instructions: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlotSeries(Base):
    """A weekly series: the same hours on some weekdays between two dates (Europe/Paris
    local time), except some dates. Its occurrences are stored as ``Slot`` rows."""

    __tablename__ = "slot_series"
    __table_args__ = (Index("ix_slot_series_structure_id", "structure_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"))
    title: Mapped[str | None] = mapped_column(String(150))
    weekdays: Mapped[list[int]] = mapped_column(JSON)          # 0 = Monday … 6 = Sunday
    start_time: Mapped[str] = mapped_column(String(5))          # "HH:MM", Paris time
    duration_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    bookable_by: Mapped[BookableBy] = mapped_column(String(20), default=BookableBy.NETWORK)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    exceptions: Mapped[list[str]] = mapped_column(JSON, default=list)   # ISO dates without slots
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Slot(Base):
    """A time range of a service at a place, with a capacity (1 for an individual
    appointment, N for a collective session)."""

    __tablename__ = "slot"
    __table_args__ = (
        CheckConstraint("booked_count >= 0 AND booked_count <= capacity", name="capacity"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("ends_at > starts_at", name="time_range"),
        # Free slots of a service: open slots in time order.
        Index("ix_slot_service_id_starts_at", "service_id", "starts_at",
              postgresql_where=text("cancelled_at IS NULL"), sqlite_where=text("cancelled_at IS NULL")),
        Index("ix_slot_structure_id_starts_at", "structure_id", "starts_at"),
        # One occurrence per series and start (regenerating a series is idempotent).
        Index("ix_slot_series_id_starts_at", "series_id", "starts_at", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("slot_series.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(String(150))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked_count: Mapped[int] = mapped_column(Integer, default=0)
    bookable_by: Mapped[BookableBy] = mapped_column(String(20), default=BookableBy.NETWORK)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Booking(Base):
    """A person's place on a slot, usually for a referral. Moving a booking cancels it
    and books the new slot (``moved_to_id`` keeps the history)."""

    __tablename__ = "booking"
    __table_args__ = (
        Index("ix_booking_slot_id", "slot_id"),
        Index("ix_booking_referral_id", "referral_id"),
        Index("ix_booking_person_id", "person_id"),
        Index("ix_booking_structure_id_starts_at", "structure_id", "starts_at"),
        Index("ix_booking_booked_by_user_id_starts_at", "booked_by_user_id", "starts_at"),
        # Reminders (two days before) and "to confirm" (two days after) read booked ones.
        Index("ix_booking_booked_starts_at", "starts_at",
              postgresql_where=text("status = 'booked'"), sqlite_where=text("status = 'booked'")),
        # A person holds one place of a slot at most.
        Index("ix_booking_slot_id_person_id", "slot_id", "person_id", unique=True,
              postgresql_where=text("status <> 'cancelled'"), sqlite_where=text("status <> 'cancelled'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id", ondelete="SET NULL"))
    # Copied from the slot (agenda and job queries need no join; a slot's times never change).
    structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[BookingState] = mapped_column(String(20), default=BookingState.BOOKED)
    booked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    booked_by_structure_id: Mapped[int | None] = mapped_column(ForeignKey("structure.id", ondelete="SET NULL"))
    # The person gave an email address and agreed to receive the confirmation and reminder.
    notify_person: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    moved_to_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="SET NULL"))
    attendance_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_marked_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarFeed(Base):
    """A secret iCalendar address of a structure's bookings (stored hashed, revocable)."""

    __tablename__ = "calendar_feed"
    __table_args__ = (Index("ix_calendar_feed_structure_id", "structure_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
