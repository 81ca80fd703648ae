"""A synthetic national-scale directory, generated in memory (no database here).

Rows are plain dicts keyed by column name, ready for a bulk load. The search text
and the ``service_tag`` rows are computed by the very functions the application
uses on every write (``fill_search_text`` and ``service_tags`` from
``directory.service``), applied to plain objects, so that the benchmark searches
exactly what the application would have indexed.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from maillage.bench.places import DEPARTEMENTS, Departement, Town
from maillage.bench.vocabulary import (
    ASSOCIATION_NAMES,
    AUDIENCE,
    CATEGORY_TEXT,
    FIRST_NAMES,
    LAST_NAMES,
    PRACTICAL,
    QUARTIERS,
    STREETS,
    STRUCTURE_KINDS,
    StructureKind,
)
from maillage.db import utcnow
from maillage.directory import referentials as ref
from maillage.directory.models import ServiceStatus, StructureStatus
from maillage.directory.service import fill_search_text, service_tags

SOURCE = "bench"
# Services per structure: 4 on average (50,000 structures for 200,000 services).
SERVICES_PER_STRUCTURE = (1, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7)
SERVICE_STATUSES = (
    [ServiceStatus.PUBLISHED] * 88 + [ServiceStatus.DRAFT] * 5 + [ServiceStatus.SUSPENDED] * 4
    + [ServiceStatus.ARCHIVED] * 3
)
THEMES_BY_CATEGORY: dict[str, list[str]] = {}
for _code in ref.THEMATIQUES:
    THEMES_BY_CATEGORY.setdefault(ref.categorie_of(_code), []).append(_code)
PUBLIC_CODES = [p for p in ref.PUBLICS if p != "tous-publics"]
HOURS = ("Mo-Fr 09:00-12:00,14:00-17:00", "Mo-Th 08:30-12:30,13:30-17:30; Fr 08:30-12:00",
         "Tu,Th 14:00-18:00", "Mo-Fr 09:00-17:00", "We 09:00-12:00; Sa 10:00-12:00")


@dataclass
class Batch:
    """Rows to load, one list per table (``tags`` as (service_id, kind, code))."""

    networks: list[dict[str, Any]] = field(default_factory=list)
    structures: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    tags: list[tuple[int, str, str]] = field(default_factory=list)


class DirectoryGenerator:
    """Deterministic for a given seed; ``grow(n)`` adds n more services (and their
    structures, about n/4) to what was generated before, so a benchmark can load
    2,000, measure, add 18,000, measure, and so on."""

    def __init__(self, seed: int = 20261123, now: datetime | None = None) -> None:
        self.rng = random.Random(seed)
        self.now = now or utcnow()
        self.departements = list(DEPARTEMENTS)
        self._weights = [d.weight for d in self.departements]
        self._kind_weights = [k.weight for k in STRUCTURE_KINDS]
        self.network_ids = {d.code: i for i, d in enumerate(self.departements, start=1)}
        self.structures = 0
        self.services = 0
        self._networks_done = False

    # ------------------------------------------------------------ networks

    def network_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": self.network_ids[d.code],
                "slug": d.slug,
                "name": f"Réseau insertion {d.name}",
                "territory": f"{d.name} ({d.code})",
                "description": f"Acteurs de l'insertion du département {d.name}.",
                "latitude": d.towns[0].latitude,
                "longitude": d.towns[0].longitude,
                "created_at": self.now - timedelta(days=800),
            }
            for d in self.departements
        ]

    # ------------------------------------------------------------ growth

    def grow(self, services: int) -> Batch:
        batch = Batch()
        if not self._networks_done:
            batch.networks = self.network_rows()
            self._networks_done = True
        remaining = services
        while remaining > 0:
            count = min(self.rng.choice(SERVICES_PER_STRUCTURE), remaining)
            structure = self._structure()
            batch.structures.append(structure)
            kind = STRUCTURE_KINDS[structure.pop("_kind")]
            for _ in range(count):
                service = self._service(structure, kind)
                batch.services.append(service)
                ns = SimpleNamespace(**service)
                batch.tags.extend((service["id"], str(k), c) for k, c in sorted(service_tags(ns)))
            remaining -= count
        return batch

    def _town(self, d: Departement) -> Town:
        weights = [3] + [1] * (len(d.towns) - 1)
        return self.rng.choices(d.towns, weights)[0]

    def _jitter(self, town: Town, km: float) -> tuple[float, float]:
        rng = self.rng
        lat = town.latitude + rng.gauss(0, km / 111.32)
        lon = town.longitude + rng.gauss(0, km / 111.32 / max(0.2, abs(_cos_deg(town.latitude))))
        return round(lat, 6), round(lon, 6)

    def _moment(self, max_days: int) -> datetime:
        return self.now - timedelta(days=self.rng.random() * max_days)

    def _structure(self) -> dict[str, Any]:
        rng = self.rng
        self.structures += 1
        sid = self.structures
        d = rng.choices(self.departements, self._weights)[0]
        kind_index = rng.choices(range(len(STRUCTURE_KINDS)), self._kind_weights)[0]
        kind = STRUCTURE_KINDS[kind_index]
        town = self._town(d)
        name = rng.choice(ASSOCIATION_NAMES)
        nom = rng.choice(kind.names).format(ville=town.name, nom=name)
        if rng.random() < 0.25:
            nom = f"{nom} — {rng.choice(QUARTIERS)}"
        lat, lon = self._jitter(town, 2.5 if len(d.towns) > 1 else 3.5)
        updated = self._moment(720)
        reseaux = sorted({rng.choice(kind.reseaux)} if kind.reseaux else set())
        return {
            "_kind": kind_index,
            "id": sid,
            "network_id": self.network_ids[d.code],
            "external_id": f"bench--structure-{sid}",
            "source": SOURCE,
            "status": StructureStatus.PUBLISHED if rng.random() < 0.97 else StructureStatus.DRAFT,
            "nom": nom[:150],
            "description": kind.description,
            "siret": "".join(str(rng.randrange(10)) for _ in range(14)),
            "site_web": f"https://www.structure-{sid}.example.org",
            "lien_source": None,
            "horaires_accueil": rng.choice(HOURS),
            "accessibilite_lieu": None,
            "reseaux_porteurs": reseaux,
            "created_at": updated - timedelta(days=rng.random() * 365),
            "updated_at": updated,
            "commune": town.name,
            "code_postal": _postcode(d),
            "code_insee": None,
            "adresse": f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
            "complement_adresse": None,
            "latitude": lat,
            "longitude": lon,
            "telephone": "0" + "".join(str(rng.randrange(10)) for _ in range(9)),
            "courriel": f"contact@structure-{sid}.example.org",
        }

    def _service(self, structure: dict[str, Any], kind: StructureKind) -> dict[str, Any]:
        rng = self.rng
        self.services += 1
        sid = self.services
        category = rng.choice(kind.categories)
        text = CATEGORY_TEXT[category]
        other = rng.choice([c for c in CATEGORY_TEXT if c != category]) if rng.random() < 0.25 else None

        thematiques = set(rng.sample(THEMES_BY_CATEGORY[category], min(len(THEMES_BY_CATEGORY[category]),
                                                                         rng.choice((1, 1, 2, 2, 3)))))
        if other:
            thematiques.add(rng.choice(THEMES_BY_CATEGORY[other]))
        if rng.random() < 0.45:
            publics = {"tous-publics"}
        else:
            publics = {rng.choice(kind.publics)}
            if rng.random() < 0.4:
                publics.add(rng.choice(PUBLIC_CODES))

        nom = rng.choice(text.names)
        roll = rng.random()
        if roll < 0.2:
            nom = f"{nom} — {structure['commune']}"
        elif roll < 0.3:
            nom = f"{nom} ({rng.choice(QUARTIERS)})"
        sentences = rng.sample(text.sentences, min(len(text.sentences), rng.randint(2, 4)))
        if other:
            sentences.append(rng.choice(CATEGORY_TEXT[other].sentences))
        sentences += rng.sample(PRACTICAL, rng.randint(1, 2))
        audience = next((AUDIENCE[p] for p in sorted(publics) if p in AUDIENCE), None)
        if audience and rng.random() < 0.6:
            sentences.insert(rng.randint(0, len(sentences)), audience)

        roll = rng.random()
        modes = ["en-presentiel"] if roll < 0.8 else ["a-distance", "en-presentiel"] if roll < 0.95 else ["a-distance"]
        address: dict[str, Any] = dict.fromkeys(
            ("commune", "code_postal", "code_insee", "adresse", "complement_adresse", "latitude", "longitude"))
        if "en-presentiel" in modes:
            address.update({k: structure[k] for k in address})
            if rng.random() < 0.3:  # an antenna elsewhere in the same town
                lat, lon = self._jitter(_town_at(structure), 1.5)
                address.update(latitude=lat, longitude=lon,
                               adresse=f"{rng.randint(1, 180)} {rng.choice(STREETS)}")
        status = rng.choice(SERVICE_STATUSES)
        accepts = rng.random() < 0.6
        updated = self._moment(540)
        service: dict[str, Any] = {
            "id": sid,
            "network_id": structure["network_id"],
            "structure_id": structure["id"],
            "external_id": f"bench--service-{sid}",
            "source": SOURCE,
            "status": status,
            "suspended_until": (self.now + timedelta(days=30)).date() if status == ServiceStatus.SUSPENDED else None,
            "nom": nom[:150],
            "description": " ".join(sentences),
            "type": rng.choice(text.types),
            "thematiques": sorted(thematiques),
            "frais": "gratuit" if rng.random() < 0.85 else "payant",
            "frais_precisions": None,
            "publics": sorted(publics),
            "publics_precisions": None,
            "conditions_acces": None,
            "modes_accueil": sorted(modes),
            "zone_eligibilite": None,
            "contact_nom_prenom": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "lien_mobilisation": None,
            "modes_mobilisation": sorted(rng.sample(sorted(ref.MODES_MOBILISATION), rng.randint(1, 2))),
            "mobilisable_par": sorted(rng.sample(sorted(ref.PERSONNES_MOBILISATRICES), rng.randint(1, 2))),
            "mobilisation_precisions": None,
            "volume_horaire_hebdomadaire": None,
            "nombre_semaines": None,
            "horaires_accueil": structure["horaires_accueil"],
            "lien_source": None,
            "accepts_referrals": accepts,
            "referral_emails": [f"orientations@structure-{structure['id']}.example.org"] if accepts else [],
            "update_frequency_months": rng.choice((6, 6, 6, 12, 3)),
            "publishes_slots": rng.random() < 0.15,
            "created_at": updated - timedelta(days=rng.random() * 365),
            "updated_at": updated,
            "telephone": structure["telephone"],
            "courriel": structure["courriel"],
            **address,
        }
        ns = SimpleNamespace(**service)
        fill_search_text(ns, SimpleNamespace(nom=structure["nom"]))
        service["search_name"] = ns.search_name
        service["search_body"] = ns.search_body
        return service


def generate(services: int, seed: int = 20261123, now: datetime | None = None) -> Batch:
    """The first ``services`` services of the synthetic directory (pure, no database)."""
    return DirectoryGenerator(seed, now).grow(services)


def _cos_deg(degrees: float) -> float:
    import math

    return math.cos(math.radians(degrees))


def _postcode(d: Departement) -> str:
    if len(d.code) == 3:
        return f"{d.code}00"
    return f"{'20' if d.code in ('2A', '2B') else d.code}000"


def _town_at(structure: dict[str, Any]) -> Town:
    return Town(structure["commune"], structure["latitude"], structure["longitude"])
