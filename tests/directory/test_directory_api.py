"""Networks, structures and services endpoints of the public directory."""

from data_inclusion.schema.v1 import ReseauPorteur

from tests.directory.factories import make_network, make_service, make_structure


async def test_networks_list_counts_published_rows(client, session):
    network = await make_network(session, slug="testville")
    structure = await make_structure(session, network)
    await make_service(session, structure)
    await make_service(session, structure, status="draft")
    body = (await client.get("/api/v1/networks")).json()
    mine = next(n for n in body["items"] if n["slug"] == "testville")
    assert (mine["structures_count"], mine["services_count"]) == (1, 1)
    assert body["total"] == len(body["items"])


async def test_structure_detail_lists_its_public_services(client, session):
    network = await make_network(session)
    structure = await make_structure(session, network, nom="Centre social Le Tournesol",
                                     reseaux_porteurs=["ccas-cias"])
    await make_service(session, structure, nom="Accueil")
    await make_service(session, structure, nom="Caché", status="draft")
    response = await client.get(f"/api/v1/structures/{structure.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["nom"] == "Centre social Le Tournesol"
    assert body["network"] == network.slug
    assert [s["nom"] for s in body["services"]] == ["Accueil"]
    assert body["reseaux_porteurs"] == [{"code": "ccas-cias", "label": ReseauPorteur.CCAS_CIAS.label}]


async def test_structures_list_is_paginated_and_filtered_by_network(client, session):
    network = await make_network(session)
    for nom in ("Alpha", "Bravo", "Charlie"):
        await make_structure(session, network, nom=nom)
    body = (await client.get("/api/v1/structures", params={"network": network.slug, "page_size": 2})).json()
    assert body["total"] == 3 and body["pages"] == 2
    assert [s["nom"] for s in body["items"]] == ["Alpha", "Bravo"]
    found = (await client.get("/api/v1/structures", params={"network": network.slug, "q": "rav"})).json()
    assert [s["nom"] for s in found["items"]] == ["Bravo"]


async def test_service_detail_has_labels_and_its_structure(client, session):
    network = await make_network(session)
    structure = await make_structure(session, network, nom="Mission Locale test")
    service = await make_service(
        session, structure, nom="Premier accueil jeunes", publics=["jeunes"], frais="gratuit",
        thematiques=["trouver-un-emploi--repondre-a-des-offres-demploi"], accepts_referrals=True,
        referral_emails=["orientations@ml.example.org"],
    )
    body = (await client.get(f"/api/v1/services/{service.id}")).json()
    assert body["nom"] == "Premier accueil jeunes"
    assert body["structure"]["nom"] == "Mission Locale test"
    assert body["publics"] == [{"code": "jeunes", "label": "Jeunes"}]
    assert body["categories"][0]["code"] == "trouver-un-emploi"
    assert body["accepts_referrals"] is True
    assert "referral_emails" not in body


async def test_draft_and_unknown_services_are_404_in_french(client, session):
    network = await make_network(session)
    draft = await make_service(session, await make_structure(session, network), status="draft")
    for url in (f"/api/v1/services/{draft.id}", "/api/v1/services/999999", "/api/v1/structures/999999"):
        response = await client.get(url)
        assert response.status_code == 404
        assert response.json()["error"] == "introuvable"
        assert "n'existe pas" in response.json()["detail"]


async def test_suspended_service_stays_visible_with_its_status(client, session):
    from datetime import date

    network = await make_network(session)
    service = await make_service(session, await make_structure(session, network), status="suspended",
                                 suspended_until=date(2027, 1, 15))
    body = (await client.get(f"/api/v1/services/{service.id}")).json()
    assert (body["status"], body["suspended_until"]) == ("suspended", "2027-01-15")
    search = (await client.get("/api/v1/services/search", params={"network": network.slug})).json()
    assert search["total"] == 0


async def test_services_list_by_structure(client, session):
    network = await make_network(session)
    one, two = await make_structure(session, network), await make_structure(session, network)
    await make_service(session, one, nom="Un")
    await make_service(session, two, nom="Deux")
    body = (await client.get("/api/v1/services", params={"structure": one.id})).json()
    assert [s["nom"] for s in body["items"]] == ["Un"]


async def test_referentials_come_from_data_inclusion_schema(client):
    from data_inclusion.schema.v1 import Public, Thematique

    body = (await client.get("/api/v1/referentials")).json()
    assert len(body["thematiques"]) == len(list(Thematique))
    assert {p["code"] for p in body["publics"]} == {p.value for p in Public}
    assert any(c["label"] == "Logement et hébergement" for c in body["categories"])


async def test_unknown_id_type_is_a_french_422(client):
    response = await client.get("/api/v1/services/abc")
    assert response.status_code == 422
    assert "service_id doit être un nombre entier" in response.json()["detail"]
