"""API shapes of people: what a counsellor sends, what a viewer reads, what an export holds."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from maillage.directory import referentials as ref
from maillage.people.models import ContactPreference, Gender, HeardVia

INFORMED_MESSAGE = "Vous devez confirmer avoir informé la personne du traitement de ses données."


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PersonFields(_In):
    """Every editable field, all optional (PATCH sends only what changes)."""

    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    birth_date: date | None = None
    gender: Gender | None = None
    phone: str | None = Field(default=None, max_length=40, pattern=r"^[0-9+() .\-]*$")
    email: EmailStr | None = None
    contact_preference: ContactPreference | None = None
    commune: str | None = Field(default=None, max_length=150)
    code_insee: str | None = Field(default=None, pattern=r"^(\d{5}|2[AB]\d{3})$")
    quartier: str | None = Field(default=None, max_length=150)
    situation: list[str] | None = Field(default=None, description="Codes des publics data·inclusion")
    needs: list[str] | None = Field(default=None, description="Codes des thématiques data·inclusion (freins)")
    heard_via: HeardVia | None = None
    notes: str | None = Field(default=None, max_length=5000)

    @field_validator("situation")
    @classmethod
    def _situation(cls, v):
        return ref.check_codes(v, ref.PUBLICS, "public(s)")

    @field_validator("needs")
    @classmethod
    def _needs(cls, v):
        return ref.check_codes(v, ref.THEMATIQUES, "thématique(s)")

    @field_validator("birth_date")
    @classmethod
    def _birth_date(cls, v):
        if v is not None and (v > date.today() or v.year < 1900):
            raise ValueError("date de naissance invalide")
        return v

    @field_validator("phone", "commune", "quartier", "notes", mode="after")
    @classmethod
    def _blank_is_none(cls, v):
        return v or None


class PersonEdit(PersonFields):
    pass


class PersonCreate(PersonFields):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    situation: list[str] = Field(default_factory=list, description="Codes des publics data·inclusion")
    needs: list[str] = Field(default_factory=list, description="Codes des thématiques data·inclusion (freins)")
    informed: bool = Field(
        default=False, description="Obligatoire (true) : la personne a été informée du traitement de ses données"
    )
    structure_id: int | None = Field(default=None, description="Structure pour laquelle on agit (sinon la structure courante)")
    confirm_new: bool = Field(default=False, description="Créer malgré des doublons probables")


class DuplicateCandidate(BaseModel):
    id: int
    display_name: str = Field(description="Prénom et initiale du nom")
    birth_year: int | None
    commune: str | None
    matched_on: list[str] = Field(description="noms_et_date_de_naissance, telephone, courriel")
    can_see: bool = Field(description="La fiche complète vous est accessible")


class DuplicatesOut(BaseModel):
    candidates: list[DuplicateCandidate]


class DuplicateConflict(BaseModel):
    error: str = "doublon_probable"
    detail: str
    candidates: list[DuplicateCandidate]


class PersonListItem(BaseModel):
    id: int
    first_name: str
    last_name: str
    birth_date: date | None
    phone: str | None
    email: str | None
    commune: str | None
    anonymised: bool
    last_activity_at: datetime


class PersonReferral(BaseModel):
    id: int
    service_id: int
    service_nom: str
    sender_structure_id: int
    sender_structure_nom: str
    receiver_structure_id: int
    receiver_structure_nom: str
    status: str
    sent_at: datetime


class PersonOut(BaseModel):
    id: int
    network_id: int
    first_name: str
    last_name: str
    birth_date: date | None
    gender: str | None
    phone: str | None
    email: str | None
    contact_preference: str | None
    commune: str | None
    code_insee: str | None
    quartier: str | None
    situation: list[str]
    needs: list[str]
    heard_via: str | None
    notes: str | None
    informed_at: datetime
    informed_by_id: int | None
    created_by_structure_id: int | None
    created_at: datetime
    updated_at: datetime
    last_activity_at: datetime
    anonymised_at: datetime | None
    referrals: list[PersonReferral] = Field(description="Orientations de la personne que vous pouvez voir")
    can_edit: bool
    can_erase: bool


class ExportOut(BaseModel):
    """Everything held on a person (right of access, RGPD article 15)."""

    exported_at: datetime
    person: dict
    referrals: list[dict]
