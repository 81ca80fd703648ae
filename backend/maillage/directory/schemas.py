"""API shapes of the directory (never the ORM models themselves)."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from maillage.pagination import Page


class Coded(BaseModel):
    """A referential value with its French label."""

    code: str
    label: str


class NetworkOut(BaseModel):
    slug: str
    name: str
    territory: str
    description: str | None
    latitude: float | None
    longitude: float | None
    structures_count: int
    services_count: int


class NetworkList(BaseModel):
    items: list[NetworkOut]
    total: int


class AddressOut(BaseModel):
    adresse: str | None
    complement_adresse: str | None
    code_postal: str | None
    commune: str | None
    code_insee: str | None
    latitude: float | None
    longitude: float | None


class StructureSummary(AddressOut):
    id: int
    nom: str
    telephone: str | None
    courriel: str | None
    site_web: str | None
    horaires_accueil: str | None
    reseaux_porteurs: list[Coded]
    services_count: int | None = None


class ServiceCard(BaseModel):
    id: int
    nom: str
    description: str
    type: Coded | None
    structure_id: int
    structure_nom: str
    network: str
    commune: str | None
    code_postal: str | None
    categories: list[Coded]
    thematiques: list[Coded]
    publics: list[Coded]
    frais: Coded | None
    modes_accueil: list[Coded]
    accepts_referrals: bool
    publishes_slots: bool
    updated_at: datetime
    needs_update: bool = Field(description="Fiche plus ancienne que sa fréquence de mise à jour")
    distance_km: float | None = None


class StructureDetail(StructureSummary):
    network: str
    description: str | None
    siret: str | None
    accessibilite_lieu: str | None
    updated_at: datetime
    services: list[ServiceCard]


class ServiceDetail(ServiceCard, AddressOut):
    status: str
    suspended_until: date | None
    frais_precisions: str | None
    publics_precisions: str | None
    conditions_acces: str | None
    zone_eligibilite: list[str] | None
    contact_nom_prenom: str | None
    telephone: str | None
    courriel: str | None
    lien_mobilisation: str | None
    modes_mobilisation: list[Coded]
    mobilisable_par: list[Coded]
    mobilisation_precisions: str | None
    volume_horaire_hebdomadaire: float | None
    nombre_semaines: int | None
    horaires_accueil: str | None
    update_frequency_months: int
    structure: StructureSummary


class FacetCount(BaseModel):
    code: str
    label: str
    count: int


class SearchPage(Page[ServiceCard]):
    facets: dict[str, list[FacetCount]] = Field(
        description="Nombre de services par catégorie de thématique (clé « categories »)"
    )


class ReferentialItem(BaseModel):
    code: str
    label: str
    description: str | None = None


class Referentials(BaseModel):
    categories: list[ReferentialItem]
    thematiques: list[ReferentialItem]
    publics: list[ReferentialItem]
    frais: list[ReferentialItem]
    modes_accueil: list[ReferentialItem]
    types: list[ReferentialItem]
    reseaux_porteurs: list[ReferentialItem]
    modes_mobilisation: list[ReferentialItem]
    mobilisable_par: list[ReferentialItem]
