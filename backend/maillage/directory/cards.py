"""Turn ORM rows into API shapes, resolving referential codes to their French labels."""

from datetime import datetime

from maillage.db import utcnow
from maillage.directory import referentials as ref
from maillage.directory.models import Service, Structure
from maillage.directory.schemas import (
    Coded,
    ServiceCard,
    ServiceDetail,
    StructureSummary,
)


def coded(referential: dict, codes: list[str] | None) -> list[Coded]:
    return [Coded(code=c, label=ref.label(referential, c) or c) for c in codes or []]


def coded_one(referential: dict, code: str | None) -> Coded | None:
    return Coded(code=code, label=ref.label(referential, code) or code) if code else None


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last_day = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def needs_update(service: Service, now: datetime | None = None) -> bool:
    return add_months(service.updated_at, service.update_frequency_months) < (now or utcnow())


def categories_of(thematiques: list[str]) -> list[Coded]:
    codes = sorted({ref.categorie_of(t) for t in thematiques})
    return coded(ref.CATEGORIES, codes)


def service_card(
    service: Service, structure_nom: str, network_slug: str, distance_km: float | None = None
) -> ServiceCard:
    return ServiceCard(
        id=service.id,
        nom=service.nom,
        description=service.description,
        type=coded_one(ref.TYPES, service.type),
        structure_id=service.structure_id,
        structure_nom=structure_nom,
        network=network_slug,
        commune=service.commune,
        code_postal=service.code_postal,
        categories=categories_of(service.thematiques),
        thematiques=coded(ref.THEMATIQUES, service.thematiques),
        publics=coded(ref.PUBLICS, service.publics),
        frais=coded_one(ref.FRAIS, service.frais),
        modes_accueil=coded(ref.MODES_ACCUEIL, service.modes_accueil),
        accepts_referrals=service.accepts_referrals,
        publishes_slots=service.publishes_slots,
        updated_at=service.updated_at,
        needs_update=needs_update(service),
        distance_km=None if distance_km is None else round(distance_km, 2),
    )


def structure_summary(structure: Structure, services_count: int | None = None) -> StructureSummary:
    return StructureSummary(
        id=structure.id,
        nom=structure.nom,
        adresse=structure.adresse,
        complement_adresse=structure.complement_adresse,
        code_postal=structure.code_postal,
        commune=structure.commune,
        code_insee=structure.code_insee,
        latitude=structure.latitude,
        longitude=structure.longitude,
        telephone=structure.telephone,
        courriel=structure.courriel,
        site_web=structure.site_web,
        horaires_accueil=structure.horaires_accueil,
        reseaux_porteurs=coded(ref.RESEAUX_PORTEURS, structure.reseaux_porteurs),
        services_count=services_count,
    )


def service_detail(service: Service, structure: Structure, network_slug: str) -> ServiceDetail:
    card = service_card(service, structure.nom, network_slug)
    return ServiceDetail(
        **card.model_dump(),
        adresse=service.adresse,
        complement_adresse=service.complement_adresse,
        code_insee=service.code_insee,
        latitude=service.latitude,
        longitude=service.longitude,
        status=service.status,
        suspended_until=service.suspended_until,
        frais_precisions=service.frais_precisions,
        publics_precisions=service.publics_precisions,
        conditions_acces=service.conditions_acces,
        zone_eligibilite=service.zone_eligibilite,
        contact_nom_prenom=service.contact_nom_prenom,
        telephone=service.telephone,
        courriel=service.courriel,
        lien_mobilisation=service.lien_mobilisation,
        modes_mobilisation=coded(ref.MODES_MOBILISATION, service.modes_mobilisation),
        mobilisable_par=coded(ref.PERSONNES_MOBILISATRICES, service.mobilisable_par),
        mobilisation_precisions=service.mobilisation_precisions,
        volume_horaire_hebdomadaire=service.volume_horaire_hebdomadaire,
        nombre_semaines=service.nombre_semaines,
        horaires_accueil=service.horaires_accueil,
        update_frequency_months=service.update_frequency_months,
        structure=structure_summary(structure),
    )
