"""What structure admins and animators send and read when they edit listings."""

import re
from datetime import date, datetime

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    ValidationInfo,
    field_validator,
)

from maillage.directory import referentials as ref
from maillage.directory.freshness import MAX_FREQUENCY, MIN_FREQUENCY
from maillage.directory.schemas import ServiceCard

_ZONE = re.compile(r"^(france|\d{5}|2[AB]\d{3}|\d{2,3}|2[AB]|\d{9})$")


_ONE_OF = {"type": (ref.TYPES, "type de service"), "frais": (ref.FRAIS, "frais")}
_SOME_OF = {
    "thematiques": (ref.THEMATIQUES, "thématique(s)"),
    "publics": (ref.PUBLICS, "public(s)"),
    "modes_accueil": (ref.MODES_ACCUEIL, "mode(s) d'accueil"),
    "modes_mobilisation": (ref.MODES_MOBILISATION, "mode(s) de mobilisation"),
    "mobilisable_par": (ref.PERSONNES_MOBILISATRICES, "valeur(s)"),
}


class _Edit(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AddressEdit(_Edit):
    adresse: str | None = Field(default=None, max_length=300)
    complement_adresse: str | None = Field(default=None, max_length=300)
    code_postal: str | None = Field(default=None, pattern=r"^\d{5}$")
    commune: str | None = Field(default=None, max_length=150)
    code_insee: str | None = Field(default=None, pattern=r"^(\d{5}|2[AB]\d{3})$")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    telephone: str | None = Field(default=None, max_length=40)
    courriel: EmailStr | None = None


class StructureEdit(AddressEdit):
    nom: str | None = Field(default=None, min_length=3, max_length=150)
    description: str | None = Field(default=None, max_length=10000)
    siret: str | None = Field(default=None, pattern=r"^\d{14}$")
    site_web: HttpUrl | None = None
    horaires_accueil: str | None = Field(default=None, max_length=500)
    accessibilite_lieu: HttpUrl | None = None
    reseaux_porteurs: list[str] | None = None

    @field_validator("reseaux_porteurs")
    @classmethod
    def _reseaux(cls, v):
        return ref.check_codes(v, ref.RESEAUX_PORTEURS, "réseau(x) porteur(s)")


class ServiceEdit(AddressEdit):
    nom: str | None = Field(default=None, min_length=3, max_length=150)
    description: str | None = Field(default=None, max_length=10000)
    type: str | None = None
    thematiques: list[str] | None = None
    frais: str | None = None
    frais_precisions: str | None = Field(default=None, max_length=2000)
    publics: list[str] | None = None
    publics_precisions: str | None = Field(default=None, max_length=2000)
    conditions_acces: str | None = Field(default=None, max_length=5000)
    modes_accueil: list[str] | None = None
    zone_eligibilite: list[str] | None = None
    contact_nom_prenom: str | None = Field(default=None, max_length=200)
    lien_mobilisation: HttpUrl | None = None
    modes_mobilisation: list[str] | None = None
    mobilisable_par: list[str] | None = None
    mobilisation_precisions: str | None = Field(default=None, max_length=2000)
    horaires_accueil: str | None = Field(default=None, max_length=500)
    accepts_referrals: bool | None = None
    referral_emails: list[EmailStr] | None = Field(default=None, max_length=5)
    update_frequency_months: int | None = Field(default=None, ge=MIN_FREQUENCY, le=MAX_FREQUENCY)
    publishes_slots: bool | None = None

    @field_validator(*_ONE_OF)
    @classmethod
    def _one_code(cls, v, info: ValidationInfo):
        referential, what = _ONE_OF[info.field_name]
        if v is not None and v not in referential:
            raise ValueError(f"{what} inconnu : {v}")
        return v

    @field_validator(*_SOME_OF)
    @classmethod
    def _some_codes(cls, v, info: ValidationInfo):
        referential, what = _SOME_OF[info.field_name]
        v = ref.check_codes(v, referential, what)
        if info.field_name == "publics" and v and "tous-publics" in v and len(v) > 1:
            raise ValueError("« tous-publics » ne peut pas être combiné avec d'autres publics")
        return v

    @field_validator("zone_eligibilite")
    @classmethod
    def _zone(cls, v):
        if v is not None:
            bad = [code for code in v if not _ZONE.match(code)]
            if bad:
                raise ValueError(f"code(s) géographique(s) invalide(s) : {', '.join(bad)}")
        return v


class ServiceCreate(ServiceEdit):
    nom: str = Field(min_length=3, max_length=150)


class SuspendIn(_Edit):
    until: date = Field(description="Date de reprise du service")
    reason: str | None = Field(default=None, max_length=500)


class ServiceManage(ServiceCard):
    status: str
    suspended_until: date | None
    missing_for_publication: list[str]
    referral_emails: list[str]
    update_frequency_months: int
    created_at: datetime
    can_edit: bool
    fields: dict = Field(description="Tous les champs modifiables, valeurs actuelles")


class StructureManage(BaseModel):
    id: int
    network: str
    can_edit: bool
    fields: dict
    updated_at: datetime
    services: list[ServiceManage]
