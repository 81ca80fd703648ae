"""The data·inclusion v1 referentials, straight from the ``data-inclusion-schema`` package."""

from data_inclusion.schema.v1 import (
    Categorie,
    Frais,
    ModeAccueil,
    ModeMobilisation,
    PersonneMobilisatrice,
    Public,
    ReseauPorteur,
    Thematique,
    TypeService,
)

THEMATIQUES = {t.value: t for t in Thematique}
CATEGORIES = {c.value: c for c in Categorie}
PUBLICS = {p.value: p for p in Public}
FRAIS = {f.value: f for f in Frais}
MODES_ACCUEIL = {m.value: m for m in ModeAccueil}
TYPES = {t.value: t for t in TypeService}
RESEAUX_PORTEURS = {r.value: r for r in ReseauPorteur}
MODES_MOBILISATION = {m.value: m for m in ModeMobilisation}
PERSONNES_MOBILISATRICES = {p.value: p for p in PersonneMobilisatrice}


def categorie_of(thematique: str) -> str:
    """``"logement-hebergement--etre-accompagne…"`` → ``"logement-hebergement"``."""
    return thematique.split("--", 1)[0]


def label(referential: dict, code: str | None) -> str | None:
    item = referential.get(code) if code else None
    return item.label if item is not None else code


def as_items(referential: dict) -> list[dict]:
    return [
        {"code": code, "label": item.label, "description": item.description}
        for code, item in referential.items()
    ]


def check_codes(values: list[str] | None, referential: dict, what: str) -> list[str] | None:
    """For Pydantic validators: the codes, sorted and unique, or a French error naming the unknown ones."""
    if values is None:
        return None
    unknown = [v for v in values if v not in referential]
    if unknown:
        raise ValueError(f"{what} inconnu(s) : {', '.join(unknown)}")
    return sorted(set(values))
