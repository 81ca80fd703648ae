"""Users, their memberships of structures, network roles, and the secrets that sign
them in (sessions, one-time links, invitations, API tokens). Secrets are stored hashed."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maillage.db import Base, UTCDateTime, utcnow
from maillage.directory.models import Structure


class MembershipRole(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"


class NetworkRoleKind(StrEnum):
    ANIMATOR = "animator"


class JoinRequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    oidc_subject: Mapped[str | None] = mapped_column(String(300), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "structure_id"),
        Index("ix_membership_structure_id_role", "structure_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="CASCADE"))
    role: Mapped[MembershipRole] = mapped_column(String(20), default=MembershipRole.MEMBER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")
    structure: Mapped[Structure] = relationship(lazy="raise")


class NetworkRole(Base):
    __tablename__ = "network_role"
    __table_args__ = (UniqueConstraint("user_id", "network_id", "role"), Index("ix_network_role_network_id", "network_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    role: Mapped[NetworkRoleKind] = mapped_column(String(20), default=NetworkRoleKind.ANIMATOR)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserSession(Base):
    """A signed-in browser: the cookie holds the token, the table its hash."""

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structure.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginLink(Base):
    """A one-time sign-in link sent by email (15 minutes, single use)."""

    __tablename__ = "login_link"
    __table_args__ = (Index("ix_login_link_email_created_at", "email", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Invitation(Base):
    __tablename__ = "invitation"
    __table_args__ = (Index("ix_invitation_email", "email"), Index("ix_invitation_structure_id", "structure_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="CASCADE"))
    role: Mapped[MembershipRole] = mapped_column(String(20), default=MembershipRole.MEMBER)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    structure: Mapped[Structure] = relationship(lazy="raise")


class JoinRequest(Base):
    __tablename__ = "join_request"
    __table_args__ = (Index("ix_join_request_structure_id_status", "structure_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="CASCADE"))
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[JoinRequestStatus] = mapped_column(String(20), default=JoinRequestStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(lazy="raise", foreign_keys=[user_id])


class ApiToken(Base):
    """A token for an integration, scoped to one structure (acts as a member of it)."""

    __tablename__ = "api_token"
    __table_args__ = (Index("ix_api_token_structure_id", "structure_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(100))
    structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RateLimitHit(Base):
    """One counted attempt (sign-in link per address, per IP): kept in the database so
    that every app process shares the limits."""

    __tablename__ = "rate_limit_hit"
    __table_args__ = (Index("ix_rate_limit_hit_key_created_at", "key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MembersReview(Base):
    """When a structure's admins last confirmed (or were asked to confirm) their team."""

    __tablename__ = "members_review"

    structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="CASCADE"), primary_key=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)


class OidcLogin(Base):
    """An OpenID Connect sign-in under way: ``state`` (hashed), ``nonce`` and the PKCE
    verifier, kept server-side so that any app process can finish it; single use."""

    __tablename__ = "oidc_login"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(200))
    next_path: Mapped[str] = mapped_column(String(500), default="/")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
