"""The search rules of GET /api/v1/services/search, each on its own small network."""

import pytest

from tests.directory.factories import make_network, make_service, make_structure

URL = "/api/v1/services/search"


@pytest.fixture
async def net(session):
    network = await make_network(session)
    structure = await make_structure(session, network, nom="Association Les Tilleuls", latitude=48.8944, longitude=2.4094)
    return network, structure


def names(body) -> list[str]:
    return [item["nom"] for item in body["items"]]


async def test_plural_and_accents_match(client, session, net):
    network, structure = net
    await make_service(session, structure, nom="Logement d'urgence",
                       thematiques=["logement-hebergement--louer-un-logement"])
    await make_service(session, structure, nom="Place en crèche",
                       thematiques=["famille--garde-denfants"])
    await make_service(session, structure, nom="Atelier CV", description="Rédiger son CV et sa lettre de motivation.")

    for q in ("logements", "LOGEMENT", "logement"):
        body = (await client.get(URL, params={"q": q, "network": network.slug})).json()
        assert names(body) == ["Logement d'urgence"], q
    for q in ("creches", "Crèche", "CRECHE"):
        body = (await client.get(URL, params={"q": q, "network": network.slug})).json()
        assert names(body) == ["Place en crèche"], q


async def test_every_word_must_match_and_last_is_a_prefix(client, session, net):
    network, structure = net
    await make_service(session, structure, nom="Aide au permis de conduire", description="Financement du permis B.")
    await make_service(session, structure, nom="Permis de séjour : accès aux droits", description="Accompagnement juridique.")
    body = (await client.get(URL, params={"q": "permis condui", "network": network.slug})).json()
    assert names(body) == ["Aide au permis de conduire"]


async def test_name_match_ranks_before_description_match(client, session, net):
    network, structure = net
    await make_service(session, structure, nom="Atelier cuisine", description="On y parle aussi de numérique.")
    await make_service(session, structure, nom="Atelier numérique", description="Prendre en main un ordinateur.")
    body = (await client.get(URL, params={"q": "numérique", "network": network.slug})).json()
    assert names(body) == ["Atelier numérique", "Atelier cuisine"]


async def test_thematique_filter_by_code_and_by_category(client, session, net):
    network, structure = net
    await make_service(session, structure, nom="Garde", thematiques=["famille--garde-denfants"])
    await make_service(session, structure, nom="Parentalité", thematiques=["famille--soutien-a-la-parentalite-et-a-leducation"])
    await make_service(session, structure, nom="Emploi", thematiques=["trouver-un-emploi--repondre-a-des-offres-demploi"])
    by_code = (await client.get(URL, params={"thematique": "famille--garde-denfants", "network": network.slug})).json()
    assert names(by_code) == ["Garde"]
    by_category = (await client.get(URL, params={"thematique": "famille", "network": network.slug})).json()
    assert sorted(names(by_category)) == ["Garde", "Parentalité"]
    both = (await client.get(URL, params=[("thematique", "famille--garde-denfants"), ("thematique", "trouver-un-emploi"),
                                          ("network", network.slug)])).json()
    assert sorted(names(both)) == ["Emploi", "Garde"]


async def test_facets_count_categories_regardless_of_the_thematique_filter(client, session, net):
    network, structure = net
    await make_service(session, structure, nom="Garde", thematiques=["famille--garde-denfants"])
    await make_service(session, structure, nom="Logement", thematiques=["logement-hebergement--louer-un-logement",
                                                                         "famille--soutien-aidants"])
    body = (await client.get(URL, params={"thematique": "logement-hebergement", "network": network.slug})).json()
    facets = {f["code"]: f["count"] for f in body["facets"]["categories"]}
    assert body["total"] == 1
    assert facets["famille"] == 2 and facets["logement-hebergement"] == 1 and facets["mobilite"] == 0
    labels = {f["code"]: f["label"] for f in body["facets"]["categories"]}
    assert labels["logement-hebergement"] == "Logement et hébergement"


async def test_public_filter_includes_services_for_everyone(client, session, net):
    network, structure = net
    await make_service(session, structure, nom="Pour les jeunes", publics=["jeunes"])
    await make_service(session, structure, nom="Pour tous", publics=["tous-publics"])
    await make_service(session, structure, nom="Pour les seniors", publics=["seniors"])
    body = (await client.get(URL, params={"public": "jeunes", "network": network.slug})).json()
    assert sorted(names(body)) == ["Pour les jeunes", "Pour tous"]


async def test_frais_mode_accueil_accepts_referrals_and_commune_filters(client, session, net):
    network, structure = net
    elsewhere = await make_structure(session, network, nom="Antenne de Bobigny", commune="Bobigny",
                                     code_insee="93008", code_postal="93000")
    await make_service(session, structure, nom="Payant", frais="payant", modes_accueil=["a-distance"])
    await make_service(session, structure, nom="Gratuit orientable", accepts_referrals=True)
    await make_service(session, elsewhere, nom="À Bobigny")

    async def found(**params):
        return sorted(names((await client.get(URL, params={"network": network.slug, **params})).json()))

    assert await found(frais="payant") == ["Payant"]
    assert await found(mode_accueil="a-distance") == ["Payant"]
    assert await found(accepts_referrals="true") == ["Gratuit orientable"]
    assert await found(commune="93008") == ["À Bobigny"]
    assert await found(commune="bobigny") == ["À Bobigny"]


async def test_distance_filter_and_order(client, session, net):
    network, structure = net
    # Pantin town hall area, ~1.3 km east, and Lille (~200 km away).
    await make_service(session, structure, nom="Tout près", latitude=48.8945, longitude=2.4095)
    await make_service(session, structure, nom="Un peu plus loin", latitude=48.8930, longitude=2.4270)
    await make_service(session, structure, nom="Très loin", latitude=50.6292, longitude=3.0573)
    params = {"lat": 48.8944, "lon": 2.4094, "network": network.slug}
    body = (await client.get(URL, params={**params, "radius_km": 5})).json()
    assert names(body) == ["Tout près", "Un peu plus loin"]
    assert body["items"][0]["distance_km"] < 0.05
    assert 1.1 < body["items"][1]["distance_km"] < 1.5
    everything = (await client.get(URL, params=params)).json()
    assert names(everything) == ["Tout près", "Un peu plus loin", "Très loin"]
    assert 195 < everything["items"][2]["distance_km"] < 215


async def test_pagination(client, session, net):
    network, structure = net
    for i in range(5):
        await make_service(session, structure, nom=f"Atelier {i}")
    first = (await client.get(URL, params={"network": network.slug, "page_size": 2})).json()
    third = (await client.get(URL, params={"network": network.slug, "page_size": 2, "page": 3})).json()
    assert (first["total"], first["pages"], len(first["items"])) == (5, 3, 2)
    assert len(third["items"]) == 1
    seen = set(names(first)) | set(names(third))
    second = (await client.get(URL, params={"network": network.slug, "page_size": 2, "page": 2})).json()
    assert seen | set(names(second)) == {f"Atelier {i}" for i in range(5)}


async def test_only_published_services_are_found(client, session, net):
    network, structure = net
    await make_service(session, structure, nom="Brouillon", status="draft")
    await make_service(session, structure, nom="Archivé", status="archived")
    await make_service(session, structure, nom="Publié")
    body = (await client.get(URL, params={"network": network.slug})).json()
    assert names(body) == ["Publié"]


async def test_network_isolation(client, session):
    here, there = await make_network(session), await make_network(session)
    await make_service(session, await make_structure(session, here), nom="Logement ici")
    await make_service(session, await make_structure(session, there), nom="Logement là-bas")
    body = (await client.get(URL, params={"q": "logement", "network": here.slug})).json()
    assert names(body) == ["Logement ici"]
    assert all(item["network"] == here.slug for item in body["items"])
    facets = {f["code"]: f["count"] for f in body["facets"]["categories"]}
    assert facets["trouver-un-emploi"] == 1


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"page": 0}, "page doit être supérieur ou égal à 1"),
        ({"page_size": 500}, "page_size doit être inférieur ou égal à 100"),
        ({"lat": "abc", "lon": 2}, "lat doit être un nombre"),
        ({"lat": 48.9}, "lat et lon vont ensemble"),
        ({"radius_km": 5}, "radius_km demande aussi lat et lon"),
        ({"thematique": "cuisine"}, "thematique « cuisine » n'existe pas"),
        ({"public": "martiens"}, "public « martiens » n'existe pas"),
        ({"frais": "cher"}, "frais « cher » n'existe pas"),
        ({"mode_accueil": "pigeon"}, "mode_accueil « pigeon » n'existe pas"),
        ({"accepts_referrals": "peut-être"}, "accepts_referrals doit valoir true ou false"),
        ({"network": "atlantide"}, "network « atlantide » n'est pas un réseau connu"),
    ],
)
async def test_bad_parameters_get_a_french_422(client, params, fragment):
    response = await client.get(URL, params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "donnees_invalides"
    assert fragment in body["detail"]


async def test_query_of_only_stop_words_lists_everything(client, session, net):
    network, structure = net
    await make_service(session, structure, nom="Atelier")
    body = (await client.get(URL, params={"q": "de la", "network": network.slug})).json()
    assert names(body) == ["Atelier"]


async def test_freshness_breaks_ties(client, session, net):
    from datetime import timedelta

    from maillage.db import utcnow

    network, structure = net
    old = await make_service(session, structure, nom="Ancien")
    await make_service(session, structure, nom="Récent")
    old.updated_at = utcnow() - timedelta(days=400)
    await session.flush()
    body = (await client.get(URL, params={"network": network.slug})).json()
    assert names(body) == ["Récent", "Ancien"]
    assert [i["needs_update"] for i in body["items"]] == [False, True]


async def test_short_stems_are_not_prefixes(client, session, net):
    network, structure = net
    await make_service(session, structure, nom="Logement temporaire")
    await make_service(session, structure, nom="Préparation logistique", description="Cariste et magasinier.")
    body = (await client.get(URL, params={"q": "logements", "network": network.slug})).json()
    assert names(body) == ["Logement temporaire"]
