"""Request and response models of the appointments API."""

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from maillage.appointments.models import BookableBy, PlaceKind
from maillage.referrals.followup import BookingState


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Named(BaseModel):
    id: int
    nom: str


# ---------------------------------------------------------------- places


class PlaceIn(_In):
    name: str = Field(min_length=1, max_length=150, description="Nom du lieu : « Accueil du siège »…")
    kind: PlaceKind = PlaceKind.ON_SITE
    adresse: str | None = Field(None, max_length=255)
    code_postal: str | None = Field(None, pattern=r"^\d{5}$")
    commune: str | None = Field(None, max_length=150)
    instructions: str | None = Field(None, max_length=2000, description="Ce que la personne doit savoir")


class PlaceUpdate(_In):
    name: str | None = Field(None, min_length=1, max_length=150)
    kind: PlaceKind | None = None
    adresse: str | None = Field(None, max_length=255)
    code_postal: str | None = Field(None, pattern=r"^\d{5}$")
    commune: str | None = Field(None, max_length=150)
    instructions: str | None = Field(None, max_length=2000)


class PlaceOut(BaseModel):
    id: int
    structure_id: int
    name: str
    kind: PlaceKind
    kind_label: str
    adresse: str | None
    code_postal: str | None
    commune: str | None
    instructions: str | None
    archived: bool


# ---------------------------------------------------------------- slots


class SlotIn(_In):
    place_id: int
    starts_at: AwareDatetime = Field(description="Début (avec fuseau horaire)")
    duration_minutes: int = Field(45, ge=5, le=720)
    capacity: int = Field(1, ge=1, le=500, description="1 pour un entretien individuel, N pour une séance collective")
    bookable_by: BookableBy = BookableBy.NETWORK
    title: str | None = Field(None, max_length=150, description="Par exemple « Réunion d'information collective »")


class SeriesIn(_In):
    place_id: int
    weekdays: list[int] = Field(min_length=1, max_length=7, description="0 = lundi … 6 = dimanche")
    start_time: str = Field(pattern=r"^\d{2}:\d{2}$", description="Heure de Paris, HH:MM")
    duration_minutes: int = Field(45, ge=5, le=720)
    capacity: int = Field(1, ge=1, le=500)
    bookable_by: BookableBy = BookableBy.NETWORK
    title: str | None = Field(None, max_length=150)
    starts_on: date
    ends_on: date
    exceptions: list[date] = Field(default_factory=list, max_length=366, description="Jours sans créneau")


class SeriesOut(BaseModel):
    id: int
    service_id: int
    place_id: int
    weekdays: list[int]
    start_time: str
    duration_minutes: int
    capacity: int
    bookable_by: BookableBy
    title: str | None
    starts_on: date
    ends_on: date
    exceptions: list[date]
    stopped: bool
    slots_created: int | None = None


class ExceptionsIn(_In):
    dates: list[date] = Field(min_length=1, max_length=366)
    reason: str | None = Field(None, max_length=500)


class ReasonIn(_In):
    reason: str = Field(min_length=1, max_length=500)


class OptionalReasonIn(_In):
    reason: str | None = Field(None, max_length=500)


class StopOut(BaseModel):
    cancelled: int = Field(description="Créneaux libres annulés")
    kept: int = Field(description="Créneaux gardés parce que des personnes y sont inscrites")


class SlotOut(BaseModel):
    id: int
    service: Named
    place: PlaceOut
    series_id: int | None
    title: str | None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked_count: int
    remaining: int
    bookable_by: BookableBy
    cancelled: bool
    cancel_reason: str | None


class CancelSlotOut(BaseModel):
    slot: SlotOut
    bookings_cancelled: int


# ---------------------------------------------------------------- bookings


class BookingIn(_In):
    slot_id: int
    notify_person: bool = Field(False, description="La personne a donné son courriel et accepte la confirmation")
    note: str | None = Field(None, max_length=2000)


class MoveIn(_In):
    slot_id: int


class AttendanceIn(_In):
    status: BookingState = Field(description="honoured (venue), missed (absente) ou excused (excusée)")


class BookingPerson(BaseModel):
    id: int
    first_name: str
    last_name: str
    phone: str | None


class BookingOut(BaseModel):
    id: int
    referral_id: int | None
    slot_id: int
    person: BookingPerson
    service: Named
    structure: Named
    place: PlaceOut
    title: str | None
    starts_at: datetime
    ends_at: datetime
    status: BookingState
    status_label: str
    to_confirm: bool = Field(description="Passé sans que la présence soit indiquée (« à préciser »)")
    notify_person: bool
    booked_by: str | None = Field(description="Qui a pris le RDV : « Prénom Nom (Structure) »")
    note: str | None
    cancel_reason: str | None
    moved_to_id: int | None
    created_at: datetime


class AgendaSlot(SlotOut):
    bookings: list[BookingOut]


class AgendaOut(BaseModel):
    structure_id: int
    start: datetime
    end: datetime
    slots: list[AgendaSlot]
    truncated: bool = Field(description="La période compte plus de créneaux que la page n'en montre")


# ---------------------------------------------------------------- calendar feeds


class FeedIn(_In):
    label: str = Field(min_length=1, max_length=100, description="Pour s'y retrouver : « Agenda de l'accueil »")


class FeedOut(BaseModel):
    id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


class FeedCreated(FeedOut):
    url: str = Field(description="Adresse secrète de l'agenda, montrée une seule fois")
