"""Creating a person: the RGPD commitment, the referentials, the normalised keys, and
who may create (members acting for one of their structures)."""

import pytest
from maillage.people.models import Person
from maillage.people.schemas import INFORMED_MESSAGE
from maillage.people.service import email_key, name_key, phone_key

from tests.people.helpers import PEOPLE, make_world, new_person


@pytest.mark.parametrize("raw", ["06 12 34 56 78", "+33612345678", "+33 6 12 34 56 78", "0033 6 12 34 56 78",
                                 "+33 (0)6 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78"])
def test_phone_key_folds_french_formats(raw):
    assert phone_key(raw) == "0612345678"


def test_name_and_email_keys():
    assert name_key("  Élodie ") == "elodie"
    assert name_key("N'Diaye-MARTIN") == "n diaye martin"
    assert email_key(" Awa.Diallo@Example.ORG ") == "awa.diallo@example.org"
    assert phone_key(None) is None and email_key("") is None


@pytest.mark.parametrize("informed", [None, False])
async def test_the_rgpd_commitment_is_required(client, session, sign_in, informed):
    world = await make_world(session)
    await sign_in(world.users["member"])
    body = new_person()
    if informed is None:
        del body["informed"]
    else:
        body["informed"] = informed
    response = await client.post(PEOPLE, json=body)
    assert response.status_code == 422
    assert response.json() == {"error": "donnees_invalides", "detail": INFORMED_MESSAGE}


async def test_creation_records_the_commitment_and_the_keys(client, session, sign_in):
    world = await make_world(session)
    member = world.users["member"]
    await sign_in(member)
    response = await client.post(PEOPLE, json=new_person(
        first_name="Élodie", last_name="N'Diaye-Martin", phone="+33 6 98 76 54 32", email="Elodie.ND@Example.org"))
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["first_name"] == "Élodie" and data["network_id"] == world.network.id
    assert data["situation"] == ["beneficiaires-des-minimas-sociaux", "femmes"]
    assert data["needs"] == ["mobilite--etre-accompagne-dans-son-parcours-mobilite"]
    assert data["referrals"] == [] and data["can_edit"] is True and data["can_erase"] is False
    person = await session.get(Person, data["id"])
    assert (person.first_name_key, person.last_name_key) == ("elodie", "n diaye martin")
    assert person.phone_key == "0698765432" and person.email_key == "elodie.nd@example.org"
    assert person.informed_by_id == member.id and person.informed_at is not None
    assert person.created_by_structure_id == world.creator.id


async def test_unknown_codes_are_refused_in_french(client, session, sign_in):
    world = await make_world(session)
    await sign_in(world.users["member"])
    response = await client.post(PEOPLE, json=new_person(needs=["pas-une-thematique"], situation=["martiens"]))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "thématique(s) inconnu(s) : pas-une-thematique" in detail and "public(s) inconnu(s) : martiens" in detail


async def test_who_may_create(client, session, sign_in):
    world = await make_world(session)
    assert (await client.post(PEOPLE, json=new_person())).status_code == 401
    await sign_in(world.users["animator"])  # no structure to act for
    refused = await client.post(PEOPLE, json=new_person())
    assert refused.status_code == 403 and "structure" in refused.json()["detail"]
    await sign_in(world.users["member"])
    response = await client.post(PEOPLE, json=new_person(structure_id=world.unrelated.id))
    assert response.status_code == 403
    assert response.json()["detail"] == "Vous n'êtes pas membre de cette structure."
    response = await client.post(PEOPLE, json=new_person(structure_id=world.creator.id))
    assert response.status_code == 201
