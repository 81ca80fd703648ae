"""API shapes of referrals: sending, answering, contacts, messages, the referral page
and the structures' inboxes."""

from datetime import datetime
from enum import StrEnum
from typing import Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from maillage.directory import referentials as ref
from maillage.people.models import ContactPreference, Gender, HeardVia
from maillage.referrals.followup import FollowUp
from maillage.referrals.models import (
    ContactChannel,
    Outcome,
    ReferralStatus,
    RefusalReason,
)
from maillage.referrals.stall import StallRule

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
    slot_id: int | None = Field(
        default=None, description="« Orienter et prendre RDV » : le créneau réservé en même temps (tout ou rien)")
    notify_person: bool = Field(
        default=False, description="Avec slot_id : envoyer la confirmation du RDV à la personne (courriel)")

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


Action = Literal["accept", "refuse", "cancel", "close", "log_contact", "message", "reorient", "attach", "book"]


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
    count: int = Field(description="Exact jusqu'à count_limit")
    capped: bool = Field(False, description="Il y en a plus de count_limit")


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
    count_limit: int = Field(description="Les décomptes s'arrêtent à ce nombre (la liste aussi)")
    total_capped: bool = Field(description="Le total est un minimum : il y en a plus de count_limit")


# ---------------------------------------------------------------- vocabularies

Code = TypeVar("Code", bound=StrEnum)


class VocabularyItem(BaseModel, Generic[Code]):
    """One code of a vocabulary and its French label."""

    code: Code
    label: str


# Named subclasses: the OpenAPI document (and the generated client) gets readable names.
class StatusItem(VocabularyItem[ReferralStatus]):
    pass


class FollowUpItem(VocabularyItem[FollowUp]):
    pass


class RefusalReasonItem(VocabularyItem[RefusalReason]):
    pass


class OutcomeItem(VocabularyItem[Outcome]):
    pass


class ContactChannelItem(VocabularyItem[ContactChannel]):
    pass


class ContactPreferenceItem(VocabularyItem[ContactPreference]):
    pass


class HeardViaItem(VocabularyItem[HeardVia]):
    pass


class GenderItem(VocabularyItem[Gender]):
    pass


class StallRuleItem(VocabularyItem[StallRule]):
    pass


class ReferralVocabulary(BaseModel):
    """The codes of the referrals and people domains with their French labels, in the order to show them."""

    statuses: list[StatusItem] = Field(description="Statuts d'une orientation (libellés en minuscules, pour une phrase)")
    follow_ups: list[FollowUpItem] = Field(description="Statuts de suivi (calculés)")
    refusal_reasons: list[RefusalReasonItem] = Field(description="Motifs de refus")
    outcomes: list[OutcomeItem] = Field(description="Sorties (à la clôture)")
    contact_channels: list[ContactChannelItem] = Field(description="Canaux d'un contact avec la personne")
    contact_preferences: list[ContactPreferenceItem] = Field(description="Moyens de contact préférés de la personne")
    heard_via: list[HeardViaItem] = Field(description="Comment la personne a connu le réseau")
    genders: list[GenderItem] = Field(description="Genre de la personne (facultatif)")
    stall_rules: list[StallRuleItem] = Field(description="Règles des orientations en souffrance")
