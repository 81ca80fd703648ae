"""Referrals (orientations) between structures, with their timeline, the contacts the
receiving side logs, and the messages both sides exchange (see DESIGN.md)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from maillage.db import Base, UTCDateTime, utcnow


class ReferralStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    CLOSED = "closed"


STATUS_LABELS = {
    ReferralStatus.SENT: "envoyée",
    ReferralStatus.ACCEPTED: "acceptée",
    ReferralStatus.REFUSED: "refusée",
    ReferralStatus.CANCELLED: "annulée",
    ReferralStatus.EXPIRED: "expirée",
    ReferralStatus.CLOSED: "clôturée",
}


class RefusalReason(StrEnum):
    UNREACHABLE = "injoignable"
    ABSENT = "absente-entretien"
    ALREADY_EMPLOYED = "deja-en-emploi"
    IN_TRAINING = "en-formation"
    NOT_ELIGIBLE = "non-eligible"
    NOT_MOBILE = "non-mobile"
    NOT_INTERESTED = "pas-interessee"
    OTHER_BARRIERS = "freins-peripheriques"
    NO_ROOM = "plus-de-place"
    DUPLICATE = "doublon"
    OTHER = "autre"


REFUSAL_LABELS = {
    RefusalReason.UNREACHABLE: "Personne injoignable",
    RefusalReason.ABSENT: "Absente à l'entretien",
    RefusalReason.ALREADY_EMPLOYED: "Déjà en emploi",
    RefusalReason.IN_TRAINING: "En formation",
    RefusalReason.NOT_ELIGIBLE: "Non éligible",
    RefusalReason.NOT_MOBILE: "Non mobile",
    RefusalReason.NOT_INTERESTED: "Pas intéressée",
    RefusalReason.OTHER_BARRIERS: "Freins périphériques",
    RefusalReason.NO_ROOM: "Plus de place",
    RefusalReason.DUPLICATE: "Doublon",
    RefusalReason.OTHER: "Autre (préciser)",
}


class Outcome(StrEnum):
    DURABLE_JOB = "emploi-durable"
    TRANSITION_JOB = "emploi-de-transition"
    QUALIFYING_TRAINING = "formation-qualifiante"
    BUSINESS_CREATION = "creation-activite"
    BARRIER_LIFTED = "frein-leve"
    REORIENTED = "reorientation"
    DROPPED = "abandon"
    MOVED = "demenagement"
    OTHER = "autre"


OUTCOME_LABELS = {
    Outcome.DURABLE_JOB: "Emploi durable (CDI, CDD ≥ 6 mois)",
    Outcome.TRANSITION_JOB: "Emploi de transition",
    Outcome.QUALIFYING_TRAINING: "Formation qualifiante",
    Outcome.BUSINESS_CREATION: "Création d'activité",
    Outcome.BARRIER_LIFTED: "Frein levé (solution sociale)",
    Outcome.REORIENTED: "Réorientation vers une autre structure",
    Outcome.DROPPED: "Abandon / injoignable",
    Outcome.MOVED: "Déménagement",
    Outcome.OTHER: "Autre (préciser)",
}


class ContactChannel(StrEnum):
    PHONE = "telephone"
    SMS = "sms"
    EMAIL = "courriel"
    IN_PERSON = "sur-place"
    MAIL = "courrier"
    VIDEO = "visio"


_NEVER_REACHED = "status = 'accepted' AND last_reached_at IS NULL"
_TO_CONFIRM = "status = 'accepted' AND appointment_status = 'booked'"
_MISSED = "status = 'accepted' AND appointment_status = 'missed'"
_INBOX_INCLUDE = ["last_reached_at", "appointment_status", "appointment_ends_at", "honoured_at"]


class Referral(Base):
    __tablename__ = "referral"
    __table_args__ = (
        # Inboxes: the first page walks (structure, sent_at, id) backwards and stops after
        # 20 rows; the counts by status and follow-up read only the (structure, status)
        # index (index-only on PostgreSQL, thanks to the included column).
        Index("ix_referral_receiver_structure_id_sent_at_id", "receiver_structure_id", "sent_at", "id"),
        Index("ix_referral_sender_structure_id_sent_at_id", "sender_structure_id", "sent_at", "id"),
        Index("ix_referral_receiver_structure_id_status_sent_at", "receiver_structure_id", "status", "sent_at",
              postgresql_include=_INBOX_INCLUDE),
        Index("ix_referral_sender_structure_id_status_sent_at", "sender_structure_id", "status", "sent_at",
              postgresql_include=_INBOX_INCLUDE),
        Index("ix_referral_network_id_status_sent_at", "network_id", "status", "sent_at"),
        # The animators' queue: one partial index per stall rule, in the order of the
        # rule's age, so that each rule's branch reads only the rows it shows.
        Index("ix_referral_stalled_no_answer", "network_id", "sent_at", "id",
              postgresql_where=text("status = 'sent'"), sqlite_where=text("status = 'sent'"),
              postgresql_include=["snoozed_until"]),
        Index("ix_referral_stalled_never_contacted", "network_id", "answered_at", "id",
              postgresql_where=text(_NEVER_REACHED), sqlite_where=text(_NEVER_REACHED),
              postgresql_include=["snoozed_until"]),
        Index("ix_referral_stalled_dormant", "network_id", "last_event_at", "id",
              postgresql_where=text("status = 'accepted'"), sqlite_where=text("status = 'accepted'"),
              postgresql_include=["snoozed_until", "last_reached_at", "answered_at"]),
        Index("ix_referral_stalled_to_confirm", "network_id", "appointment_ends_at", "id",
              postgresql_where=text(_TO_CONFIRM), sqlite_where=text(_TO_CONFIRM)),
        Index("ix_referral_stalled_missed", "network_id", "last_event_at", "id",
              postgresql_where=text(_MISSED), sqlite_where=text(_MISSED)),
        Index("ix_referral_person_id", "person_id"),
        Index("ix_referral_service_id", "service_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="RESTRICT"))
    receiver_structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="RESTRICT"))
    sender_structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="RESTRICT"))
    sender_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reoriented_from_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id", ondelete="SET NULL"))

    motive: Mapped[str] = mapped_column(Text)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    message: Mapped[str | None] = mapped_column(Text)
    preferred_contact: Mapped[str | None] = mapped_column(String(30))

    status: Mapped[ReferralStatus] = mapped_column(String(20), default=ReferralStatus.SENT)
    refusal_reason: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(40))
    status_detail: Mapped[str | None] = mapped_column(Text)

    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Derived from the contacts (the last one reached), kept here so that inboxes can
    # filter and count by follow-up status with an index instead of a join.
    last_reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_event_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The animator put the referral aside until then (it leaves the stalled queue).
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Its latest booking that counts (not cancelled) and its first honoured one, kept by
    # ``appointments.service.sync_referral`` so that the follow-up status, the inboxes
    # and the queue need no join to the bookings.
    appointment_status: Mapped[str | None] = mapped_column(String(20))
    appointment_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appointment_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    honoured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReferralEvent(Base):
    """One line of a referral's timeline (every change is one)."""

    __tablename__ = "referral_event"
    __table_args__ = (Index("ix_referral_event_referral_id_created_at", "referral_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_structure_id: Mapped[int | None] = mapped_column(ForeignKey("structure.id", ondelete="SET NULL"))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReferralContact(Base):
    """A contact attempt by the receiving structure (reached or not)."""

    __tablename__ = "referral_contact"
    __table_args__ = (Index("ix_referral_contact_referral_id", "referral_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"))
    contacted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(20))
    reached: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReferralMessage(Base):
    """A message between the sending and the receiving side of a referral."""

    __tablename__ = "referral_message"
    __table_args__ = (Index("ix_referral_message_referral_id_created_at", "referral_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    author_structure_id: Mapped[int | None] = mapped_column(ForeignKey("structure.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReferralAttachment(Base):
    """A document joined to a referral (PDF, PNG or JPEG, checked by content), kept in
    the database so that the app's instances stay stateless; deleted some months after
    the referral closes (``rules.attachment_retention_months``) and on erasure."""

    __tablename__ = "referral_attachment"
    __table_args__ = (Index("ix_referral_attachment_referral_id", "referral_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    # Never loaded by accident (lists read the other columns): undefer it to download.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True, deferred_raiseload=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
