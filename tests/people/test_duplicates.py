"""Likely duplicates inside the network are proposed before a new record is created."""

import pytest

from tests.people.helpers import PEOPLE, make_world, new_person


async def _existing(client, sign_in, world):
    await sign_in(world.users["member"])
    response = await client.post(PEOPLE, json=new_person())
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.mark.parametrize(("fields", "matched_on"), [
    ({"first_name": "AWA", "last_name": "diallo", "phone": None, "email": None}, ["noms_et_date_de_naissance"]),
    ({"first_name": "Fatou", "last_name": "Sow", "phone": "+33612345678", "email": None}, ["telephone"]),
    ({"first_name": "Fatou", "last_name": "Sow", "phone": None, "email": "AWA.DIALLO@example.ORG"}, ["courriel"]),
])
async def test_duplicates_are_proposed_then_created_on_confirmation(client, session, sign_in, fields, matched_on):
    world = await make_world(session)
    existing = await _existing(client, sign_in, world)
    body = new_person(birth_date="1994-03-12" if "noms_et_date_de_naissance" in matched_on else "1988-01-01",
                      **fields)
    response = await client.post(PEOPLE, json=body)
    assert response.status_code == 409, response.text
    data = response.json()
    assert data["error"] == "doublon_probable" and "même personne" in data["detail"]
    assert data["candidates"] == [{"id": existing, "display_name": "Awa D.", "birth_year": 1994,
                                   "commune": "Pantin", "matched_on": matched_on, "can_see": True}]
    created = await client.post(PEOPLE, json={**body, "confirm_new": True})
    assert created.status_code == 201
    assert created.json()["id"] != existing


async def test_names_without_the_same_birth_date_are_not_a_duplicate(client, session, sign_in):
    world = await make_world(session)
    await _existing(client, sign_in, world)
    response = await client.post(PEOPLE, json=new_person(birth_date="1990-01-01", phone=None, email=None))
    assert response.status_code == 201


async def test_candidates_of_others_show_little_and_stay_in_the_network(client, session, sign_in):
    world = await make_world(session)
    existing = await _existing(client, sign_in, world)
    await sign_in(world.users["other_structure"])
    response = await client.get(f"{PEOPLE}/duplicates", params={"phone": "0612345678"})
    assert response.status_code == 200
    [candidate] = response.json()["candidates"]
    assert candidate["id"] == existing and candidate["display_name"] == "Awa D." and candidate["can_see"] is False
    assert set(candidate) == {"id", "display_name", "birth_year", "commune", "matched_on", "can_see"}
    # Another network knows nobody alike.
    await sign_in(world.users["other_network"])
    response = await client.get(f"{PEOPLE}/duplicates", params={"phone": "0612345678"})
    assert response.json() == {"candidates": []}
    assert (await client.post(PEOPLE, json=new_person())).status_code == 201


async def test_duplicates_endpoint_matches_the_form(client, session, sign_in):
    world = await make_world(session)
    existing = await _existing(client, sign_in, world)
    response = await client.get(f"{PEOPLE}/duplicates", params={
        "first_name": "Awa", "last_name": "DIALLO", "birth_date": "1994-03-12", "email": "awa.diallo@example.org"})
    [candidate] = response.json()["candidates"]
    assert candidate["id"] == existing
    assert candidate["matched_on"] == ["noms_et_date_de_naissance", "courriel"]
    assert (await client.get(f"{PEOPLE}/duplicates")).json() == {"candidates": []}
