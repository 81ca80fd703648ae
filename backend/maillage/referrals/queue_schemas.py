"""Request and response models of the animators' queue."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from maillage.referrals.models import ContactChannel, Outcome
from maillage.referrals.stall import StallRule


class NamedRef(BaseModel):
    id: int
    nom: str


class PersonRef(BaseModel):
    id: int
    display_name: str = Field(description="Prénom et initiale du nom")


class StalledItem(BaseModel):
    referral_id: int
    rule: StallRule
    rule_label: str
    age_days: int = Field(description="Jours depuis l'envoi (sans réponse), l'acceptation (jamais contactée) "
                                      "ou le dernier événement (dormante)")
    since: datetime
    status: str
    sent_at: datetime
    sender_structure: NamedRef
    receiver_structure: NamedRef
    service: NamedRef
    person: PersonRef


class StalledPage(BaseModel):
    items: list[StalledItem]
    total: int
    page: int
    page_size: int
    pages: int
    counts: dict[StallRule, int] = Field(
        description="Nombre d'orientations par règle (mêmes filtres, hors règle), exact jusqu'à count_limit")
    count_limit: int = Field(description="Au-delà de ce nombre par règle, le décompte s'arrête")
    capped: list[StallRule] = Field(description="Règles qui comptent plus de count_limit orientations")
    total_capped: bool = Field(description="Le total est un minimum (une des règles affichées dépasse count_limit)")


class WithoutSolutionItem(BaseModel):
    person: PersonRef
    referrals: int = Field(description="Orientations des 6 derniers mois")
    awaiting: int = Field(description="Dont en attente de réponse")
    first_sent_at: datetime
    last_sent_at: datetime
    days_since_first: int


class RemindIn(BaseModel, extra="forbid"):
    message: str = Field(min_length=1, max_length=2000)


class ReconnectedIn(BaseModel, extra="forbid"):
    contacted_at: datetime
    channel: ContactChannel
    note: str | None = Field(default=None, max_length=2000)


class SnoozeIn(BaseModel, extra="forbid"):
    until: date


class CloseIn(BaseModel, extra="forbid"):
    outcome: Outcome
    detail: str | None = Field(default=None, max_length=2000)


class ReorientIn(BaseModel, extra="forbid"):
    service_id: int = Field(description="Le service vers lequel réorienter la personne")
    motive: str | None = Field(default=None, max_length=5000,
                               description="Motif de la nouvelle orientation (par défaut celui de l'actuelle)")
    message: str | None = Field(default=None, max_length=5000, description="Message à la structure qui reçoit")


class ReferralState(BaseModel):
    """A referral after an animator's action."""

    referral_id: int
    status: str
    last_reached_at: datetime | None
    last_event_at: datetime
    snoozed_until: datetime | None
    outcome: str | None
    in_queue: bool


class ReorientedState(ReferralState):
    """The old referral (closed as « réorientation ») and the new one."""

    new_referral_id: int
