"""API shapes of team management, the animators' network views and platform administration."""

import re
from datetime import datetime

from pydantic import BaseModel, EmailStr, Field, field_validator

from maillage.accounts.models import JoinRequestStatus, MembershipRole

SLUG_PATTERN = re.compile(r"^[a-z0-9-]{2,64}$")

# ---------------------------------------------------------------- a structure's team


class MemberOut(BaseModel):
    membership_id: int
    user_id: int
    email: str
    first_name: str
    last_name: str
    display_name: str
    role: MembershipRole
    since: datetime = Field(description="Date d'arrivée dans l'équipe")


class PendingInvitationOut(BaseModel):
    id: int
    email: str
    role: MembershipRole
    created_at: datetime
    expires_at: datetime
    invited_by: str | None = Field(description="Nom de la personne qui a invité")


class PendingJoinRequestOut(BaseModel):
    id: int
    user_id: int
    name: str
    email: str
    message: str | None
    created_at: datetime


class TeamOut(BaseModel):
    structure_id: int
    structure_nom: str
    network_id: int
    members: list[MemberOut]
    invitations: list[PendingInvitationOut]
    join_requests: list[PendingJoinRequestOut]
    reviewed_at: datetime | None = Field(description="Dernière revue de l'équipe par ses administrateurs")
    review_due: bool = Field(description="Revue trimestrielle à faire")
    can_manage: bool = Field(description="L'utilisateur peut inviter, retirer et changer les rôles")


class TeamReviewOut(BaseModel):
    structure_id: int
    reviewed_at: datetime
    review_due: bool


class InvitationIn(BaseModel):
    email: EmailStr = Field(description="Adresse électronique de la personne invitée")
    role: MembershipRole = MembershipRole.MEMBER


class InvitationOut(BaseModel):
    id: int
    email: str
    role: MembershipRole
    structure_id: int
    expires_at: datetime


class InvitationPreview(BaseModel):
    email: str
    role: MembershipRole
    structure_id: int
    structure_nom: str
    expires_at: datetime


class RoleIn(BaseModel):
    role: MembershipRole


class JoinRequestIn(BaseModel):
    message: str | None = Field(default=None, max_length=1000, description="Mot pour les administrateurs")


class JoinDecisionIn(BaseModel):
    message: str | None = Field(default=None, max_length=1000, description="Mot pour la personne (facultatif)")


class JoinRequestOut(BaseModel):
    id: int
    structure_id: int
    structure_nom: str
    user_id: int
    status: JoinRequestStatus
    message: str | None
    created_at: datetime
    decided_at: datetime | None


# ---------------------------------------------------------------- a network, for its animators


class NetworkMembershipOut(BaseModel):
    membership_id: int
    structure_id: int
    structure_nom: str
    role: MembershipRole


class NetworkMemberOut(BaseModel):
    id: int
    email: str
    first_name: str
    last_name: str
    display_name: str
    is_active: bool
    last_login_at: datetime | None
    is_animator: bool = Field(description="Animateur·rice de ce réseau")
    memberships: list[NetworkMembershipOut] = Field(description="Ses structures dans ce réseau")


class StructureWithoutAdminOut(BaseModel):
    id: int
    nom: str
    commune: str | None
    members_count: int


class AuditEventOut(BaseModel):
    id: int
    action: str
    summary: str
    actor_email: str | None
    target_type: str | None
    target_id: int | None
    details: dict
    created_at: datetime


# ---------------------------------------------------------------- platform administration


class NetworkIn(BaseModel):
    slug: str = Field(description="Identifiant dans les adresses (ex. « pantin »)")
    name: str = Field(min_length=2, max_length=200)
    territory: str = Field(min_length=2, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG_PATTERN.match(value):
            raise ValueError("doit contenir de 2 à 64 caractères parmi les lettres minuscules non accentuées, "
                             "les chiffres et le tiret (ex. « pantin »)")
        return value


class AdminNetworkOut(BaseModel):
    id: int
    slug: str
    name: str
    territory: str
    description: str | None
    latitude: float | None
    longitude: float | None
    created_at: datetime
    structures_count: int
    members_count: int = Field(description="Utilisateurs membres d'au moins une structure du réseau")
    animators_count: int


class AnimatorIn(BaseModel):
    email: EmailStr
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)


class AnimatorOut(BaseModel):
    user_id: int
    email: str
    display_name: str
    network_slug: str
    user_created: bool = Field(description="Le compte vient d'être créé")
