"""data·inclusion v1: export (API and CLI) validated by the schema's own models, and
import of files with bad rows (valid rows kept, bad ones reported)."""

import json

from data_inclusion.schema import v1 as di
from maillage.datainclusion.export import iter_all
from maillage.datainclusion.importer import import_directory
from maillage.directory.models import Service, ServiceTag, Structure
from sqlalchemy import func, select

from tests.directory.factories import make_network, make_service, make_structure


async def test_api_export_validates_against_the_schema(client, session):
    network = await make_network(session)
    structure = await make_structure(session, network, nom="Épicerie solidaire du Canal", siret="99912345600014",
                                     courriel="contact@epicerie.example.org", site_web="https://epicerie.example.org",
                                     reseaux_porteurs=["ccas-cias"])
    await make_service(session, structure, nom="Aide alimentaire", zone_eligibilite=["93055"],
                       modes_mobilisation=["telephoner"], mobilisable_par=["professionnels"])
    await make_service(session, structure, nom="Brouillon invisible", status="draft")

    structures = (await client.get("/api/v1/data-inclusion/structures", params={"network": network.slug})).json()
    services = (await client.get("/api/v1/data-inclusion/services", params={"network": network.slug})).json()
    assert structures["total"] == 1 and services["total"] == 1
    parsed_structure = di.Structure.model_validate(structures["items"][0])
    parsed_service = di.Service.model_validate(services["items"][0])
    assert parsed_structure.nom == "Épicerie solidaire du Canal"
    assert parsed_service.structure_id == parsed_structure.id
    assert parsed_service.zone_eligibilite == ["93055"]
    assert parsed_service.publics == {di.Public.TOUS_PUBLICS}


async def test_export_then_import_round_trip(session, tmp_path):
    source = await make_network(session)
    structure = await make_structure(session, source, nom="Garage solidaire")
    await make_service(session, structure, nom="Réparation de véhicules", thematiques=["mobilite--entretenir-reparer-son-vehicule"])
    for kind in ("structures", "services"):
        items = [i.model_dump(mode="json") async for i in iter_all(session, kind, source.slug)]
        (tmp_path / f"{kind}.json").write_text(json.dumps(items), "utf-8")

    target = await make_network(session)
    report = await import_directory(session, target, tmp_path)
    assert (report.structures, report.services, report.rejected) == (1, 1, [])
    imported = await session.scalar(select(Service).where(Service.network_id == target.id))
    assert imported.nom == "Réparation de véhicules" and imported.status == "published"
    tags = set(await session.scalars(select(ServiceTag.code).where(ServiceTag.service_id == imported.id)))
    assert {"mobilite", "mobilite--entretenir-reparer-son-vehicule", "tous-publics"} <= tags

    again = await import_directory(session, target, tmp_path)
    assert again.services == 1
    count = await session.scalar(select(func.count()).select_from(Service).where(Service.network_id == target.id))
    assert count == 1, "an import upserts: running it twice does not duplicate"


async def test_import_keeps_valid_rows_and_reports_bad_ones(session, tmp_path):
    structures = [
        {"source": "dora", "id": "dora--1", "nom": "Centre social Nord", "date_maj": "2026-01-10",
         "code_postal": "93500", "commune": "Pantin"},
        {"source": "dora", "id": "dora--2", "nom": "X", "date_maj": "2026-01-10"},
        {"source": "dora", "id": "dora--3", "nom": "Structure sans date"},
        "pas un objet",
    ]
    services = [
        {"source": "dora", "id": "dora--s1", "structure_id": "dora--1", "nom": "Atelier numérique",
         "description": "Apprendre à utiliser un ordinateur et ses démarches en ligne.", "date_maj": "2026-02-01",
         "thematiques": ["numerique--maitriser-les-fondamentaux-du-numerique"], "publics": ["tous-publics"]},
        {"source": "dora", "id": "dora--s2", "structure_id": "dora--1", "nom": "Thème inventé",
         "description": "Une description suffisante.", "date_maj": "2026-02-01", "thematiques": ["cuisine--moleculaire"]},
        {"source": "dora", "id": "dora--s3", "structure_id": "dora--404", "nom": "Orphelin",
         "description": "Sa structure n'existe pas.", "date_maj": "2026-02-01"},
    ]
    (tmp_path / "structures.json").write_text(json.dumps(structures), "utf-8")
    (tmp_path / "services.json").write_text(json.dumps(services), "utf-8")
    network = await make_network(session)

    report = await import_directory(session, network, tmp_path)

    assert (report.structures, report.services) == (1, 1)
    rejected = {(r.file, r.row): r for r in report.rejected}
    assert set(rejected) == {("structures.json", 2), ("structures.json", 3), ("structures.json", 4),
                             ("services.json", 2), ("services.json", 3)}
    assert "nom" in rejected[("structures.json", 2)].reason
    assert "date_maj ce champ est obligatoire" in rejected[("structures.json", 3)].reason
    assert "structure_id « dora--404 » inconnue" in rejected[("services.json", 3)].reason
    text = report.as_text()
    assert text.startswith("1 structure(s) et 1 service(s) importés, 5 ligne(s) rejetée(s).")
    names = set(await session.scalars(select(Structure.nom).where(Structure.network_id == network.id)))
    assert names == {"Centre social Nord"}
