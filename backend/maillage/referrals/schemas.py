"""API shapes of referrals: sending, answering, contacts, messages, the referral page
and the structures' inboxes."""

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from maillage.directory import referentials as ref
from maillage.people.models import ContactPreference
from maillage.referrals.followup import FollowUp
from maillage.referrals.models import (
    ContactChannel,
    Outcome,
    ReferralStatus,
    RefusalReason,
)

CHANNEL_LABELS = {
    ContactChannel.PHONE: "Téléphone",
    ContactChannel.SMS: "SMS",
    ContactChannel.EMAIL: "Courriel",
    ContactChannel.IN_PERSON: "Sur place",
    ContactChannel.MAIL: "Courrier",
    ContactChannel.VIDEO: "Visio",
}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ---------------------------------------------------------------- requests


class ReferralIn(_In):
    person_id: int
    service_id: int
    motive: str = Field(min_length=3, max_length=5000, description="Motif de l'orientation")
    needs: list[str] = Field(default_factory=list, description="Besoins (codes de thématiques data·inclusion)")
    message: str | None = Field(default=None, max_length=5000, description="Message à la structure qui reçoit")
    preferred_contact: ContactPreference | None = Field(
        default=None, description="Moyen de contact préféré (par défaut celui de la personne)")
    structure_id: int | None = Field(
        default=None, description="Structure au nom de laquelle on oriente (par défaut la structure courante)")

    @field_validator("needs")
    @classmethod
    def _known_needs(cls, values: list[str]) -> list[str]:
        unknown = [v for v in values if v not in ref.THEMATIQUES]
        if unknown:
            raise ValueError(f"besoin(s) inconnu(s) : {', '.join(unknown)}")
        return sorted(set(values))


class RefuseIn(_In):
    reason: RefusalReason
    detail: str | None = Field(default=None, max_length=2000)


class CancelIn(_In):
    reason: str | None = Field(default=None, max_length=2000, description="Pourquoi l'orientation est annulée")


class CloseIn(_In):
    outcome: Outcome
    detail: str | None = Field(default=None, max_length=2000)


class ContactIn(_In):
    contacted_at: AwareDatetime
    channel: ContactChannel
    reached: bool
    note: str | None = Field(default=None, max_length=5000)


class MessageIn(_In):
    body: str = Field(min_length=1, max_length=5000)


class ReorientIn(_In):
    service_id: int = Field(description="Le service vers lequel réorienter la personne")
    motive: str | None = Field(default=None, max_length=5000,
                               description="Motif de la nouvelle orientation (par défaut celui de l'actuelle)")
    message: str | None = Field(default=None, max_length=5000, description="Message à la structure qui reçoit")


# ---------------------------------------------------------------- the referral page


class ReferralPerson(BaseModel):
    id: int
    first_name: str
    last_name: str
    phone: str | None
    email: str | None
    preferred_contact: str | None
    preferred_contact_label: str | None


class ServiceSummary(BaseModel):
    id: int
    nom: str


class ReferralStructure(BaseModel):
    id: int
    nom: str


class TimelineItem(BaseModel):
    type: Literal["event", "contact", "message"]
    kind: str = Field(description="Pour un événement : sent, accept, refuse, cancel, expire, close…")
    at: datetime
    label: str
    author: str | None = Field(description="Nom de l'auteur (ou null pour le système)")
    structure_nom: str | None
    detail: str | None = None
    reason: str | None = None
    reason_label: str | None = None
    outcome: str | None = None
    outcome_label: str | None = None
    channel: str | None = None
    channel_label: str | None = None
    reached: bool | None = None
    note: str | None = None
    body: str | None = None
    related_referral_id: int | None = Field(
        default=None, description="Réorientation : l'orientation précédente (envoi) ou la nouvelle (clôture)")


class AttachmentSummary(BaseModel):
    id: int
    filename: str
    content_type: str = Field(description="application/pdf, image/png ou image/jpeg (d'après le contenu)")
    size: int = Field(description="Taille en octets")
    created_at: datetime


Action = Literal["accept", "refuse", "cancel", "close", "log_contact", "message", "reorient", "attach"]


class ReferralOut(BaseModel):
    id: int
    network_id: int
    person: ReferralPerson
    service: ServiceSummary
    sender_structure: ReferralStructure
    receiver_structure: ReferralStructure
    sender_name: str | None
    reoriented_from_id: int | None
    motive: str
    needs: list[str]
    message: str | None
    status: ReferralStatus
    status_label: str
    follow_up: FollowUp
    follow_up_label: str
    refusal_reason: str | None
    refusal_reason_label: str | None
    outcome: str | None
    outcome_label: str | None
    status_detail: str | None
    sent_at: datetime
    answered_at: datetime | None
    closed_at: datetime | None
    last_reached_at: datetime | None
    last_event_at: datetime
    timeline: list[TimelineItem] = Field(description="Événements, contacts et messages, du plus ancien au plus récent")
    attachments: list[AttachmentSummary] = Field(description="Documents joints, du plus ancien au plus récent")
    allowed_actions: list[Action] = Field(description="Actions permises à l'utilisateur courant")


# ---------------------------------------------------------------- inboxes


class InboxRow(BaseModel):
    id: int
    person_first_name: str
    person_last_name: str
    service: ServiceSummary
    other_structure: ReferralStructure = Field(description="La structure qui oriente (reçues) ou qui reçoit (envoyées)")
    status: ReferralStatus
    status_label: str
    follow_up: FollowUp
    follow_up_label: str
    sent_at: datetime
    last_event_at: datetime


class Count(BaseModel):
    code: str
    label: str
    count: int


class InboxOut(BaseModel):
    items: list[InboxRow]
    total: int
    page: int
    page_size: int
    pages: int
    structure_id: int
    direction: Literal["received", "sent"]
    counts_by_status: list[Count] = Field(description="Pour la structure et le sens, sans les filtres ni la page")
    counts_by_follow_up: list[Count]
