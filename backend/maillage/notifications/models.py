"""The email outbox: written in the same transaction as the change that causes the
email, sent later by the job runner (see ``notifications.sender``)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from maillage.db import Base, UTCDateTime, utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxEmail(Base):
    __tablename__ = "outbox_email"
    __table_args__ = (
        Index("ix_outbox_email_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_email_network_id_created_at", "network_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    # Set for emails that must go out at most once whatever the number of runs
    # (a reminder for a given period): the unique index refuses the second copy.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    network_id: Mapped[int | None] = mapped_column(ForeignKey("network.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[dict]] = mapped_column(JSON, default=list)
    status: Mapped[OutboxStatus] = mapped_column(String(20), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
