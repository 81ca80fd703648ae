"""The benchmark's synthetic directory (pure generation, no database)."""

import importlib.util
from collections import Counter

from maillage.bench.generate import DirectoryGenerator, generate
from maillage.bench.places import DEPARTEMENTS
from maillage.config import REPO_ROOT
from maillage.directory import referentials as ref
from maillage.directory import search
from maillage.directory.models import TagKind

SERVICES = 400


def test_generated_rows_are_valid_directory_rows():
    batch = generate(SERVICES)
    assert len(batch.services) == SERVICES
    assert len(batch.networks) == len(DEPARTEMENTS)
    assert 3.5 <= SERVICES / len(batch.structures) <= 4.5

    structures = {s["id"]: s for s in batch.structures}
    networks = {n["id"] for n in batch.networks}
    assert {s["network_id"] for s in batch.structures} <= networks
    for service in batch.services:
        structure = structures[service["structure_id"]]
        assert service["network_id"] == structure["network_id"]
        assert service["thematiques"] and all(t in ref.THEMATIQUES for t in service["thematiques"])
        assert service["publics"] and all(p in ref.PUBLICS for p in service["publics"])
        assert service["frais"] in ref.FRAIS and service["type"] in ref.TYPES
        assert all(m in ref.MODES_ACCUEIL for m in service["modes_accueil"])
        assert service["search_name"] and service["search_body"]
        assert service["description"] and len(service["nom"]) <= 150
        if "en-presentiel" in service["modes_accueil"]:
            assert -22 < service["latitude"] < 52 and -62 < service["longitude"] < 56

    # Tags as directory/service.py derives them: thématiques, their catégories, publics, modes.
    tags = Counter((service_id, kind) for service_id, kind, _code in batch.tags)
    for service in batch.services:
        assert tags[(service["id"], TagKind.THEMATIQUE)] == len(service["thematiques"])
        assert tags[(service["id"], TagKind.CATEGORIE)] == len({ref.categorie_of(t) for t in service["thematiques"]})
        assert tags[(service["id"], TagKind.PUBLIC)] == len(service["publics"])


def test_text_is_varied_and_covers_the_searched_words():
    services = generate(SERVICES).services
    assert len({s["description"] for s in services}) > 0.95 * SERVICES
    bodies = [s["search_name"] + " " + s["search_body"] for s in services]
    for stem in ("log", "perm", "conduir", "numer", "emploi", "format", "accompagn", "aid"):
        assert any(stem in body.split() for body in bodies), stem


def test_growth_is_incremental_and_deterministic():
    generator = DirectoryGenerator(seed=7)
    first, second = generator.grow(30), generator.grow(50)
    assert [s["id"] for s in first.services + second.services] == list(range(1, 81))
    assert not second.networks
    again = generate(30, seed=7)
    assert [s["description"] for s in again.services] == [s["description"] for s in first.services]


def test_search_mask_layout_matches_the_migration_and_the_referentials():
    """``service.tag_mask`` is computed by the migration and read by directory/search.py."""
    path = REPO_ROOT / "migrations" / "versions" / "20261123_0001_directory.py"
    spec = importlib.util.spec_from_file_location("directory_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.MASK_CATEGORIES == search.MASK_CATEGORIES == tuple(ref.CATEGORIES)
    assert migration.MASK_PUBLICS == search.MASK_PUBLICS == tuple(ref.PUBLICS)
    assert migration.MASK_MODES == search.MASK_MODES == tuple(ref.MODES_ACCUEIL)
