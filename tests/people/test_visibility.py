"""Who sees a person: the structure that created the record, the structures that sent or
received one of their referrals, the network's animators (audited). Nobody else."""

from maillage.people.visibility import READ_ACTION
from maillage.referrals.models import Referral
from sqlalchemy import update

from tests.directory.factories import make_service, make_structure
from tests.people.helpers import (
    PEOPLE,
    audit_count,
    make_world,
    new_person,
    person_with_referral,
)
from tests.referrals.factories import make_person, make_referral


async def test_the_creating_structure_sees_the_person_before_any_referral(client, session, sign_in):
    world = await make_world(session)
    await sign_in(world.users["member"])
    person_id = (await client.post(PEOPLE, json=new_person())).json()["id"]
    response = await client.get(f"{PEOPLE}/{person_id}")
    assert response.status_code == 200 and response.json()["email"] == "Awa.Diallo@example.org"
    assert (await client.get(PEOPLE, params={"q": "diallo"})).json()["total"] == 1
    for outsider in ("receiver", "other_structure", "other_network"):
        await sign_in(world.users[outsider])
        assert (await client.get(f"{PEOPLE}/{person_id}")).status_code == 404


async def test_sender_and_receiver_see_the_person_and_the_referral(client, session, sign_in):
    world = await make_world(session)
    person = await make_person(session, world.network)  # no creating structure
    referral = await make_referral(session, person, world.service, world.creator)
    for role in ("member", "receiver"):
        await sign_in(world.users[role])
        response = await client.get(f"{PEOPLE}/{person.id}")
        assert response.status_code == 200, role
        [line] = response.json()["referrals"]
        assert line == {
            "id": referral.id, "service_id": world.service.id, "service_nom": "Agent d'entretien des espaces verts",
            "sender_structure_id": world.creator.id, "sender_structure_nom": "Mission Locale test",
            "receiver_structure_id": world.receiver.id, "receiver_structure_nom": "Chantier d'insertion test",
            "status": "sent", "sent_at": line["sent_at"],
        }
    # Members' reads are not audited; they are the concerned structures.
    assert await audit_count(session, READ_ACTION, person.id) == 0


async def test_the_animator_sees_and_the_read_is_audited(client, session, sign_in):
    world = await make_world(session)
    person, _ = await person_with_referral(session, world)
    animator = world.users["animator"]
    await sign_in(animator)
    assert (await client.get(f"{PEOPLE}/{person.id}")).status_code == 200
    assert await audit_count(session, READ_ACTION, person.id, animator.id) == 1
    found = await client.get(PEOPLE, params={"q": person.last_name})
    assert found.json()["total"] == 1
    assert await audit_count(session, READ_ACTION, actor_id=animator.id) == 2


async def test_outsiders_see_nothing_not_even_counts(client, session, sign_in):
    world = await make_world(session)
    person, _ = await person_with_referral(session, world)
    assert (await client.get(f"{PEOPLE}/{person.id}")).status_code == 401
    assert (await client.get(PEOPLE)).status_code == 401
    for outsider in ("other_structure", "other_network"):
        await sign_in(world.users[outsider])
        response = await client.get(f"{PEOPLE}/{person.id}")
        assert response.status_code == 404
        assert response.json() == {"error": "introuvable", "detail": "Personne introuvable."}
        for params in ({}, {"q": person.last_name}, {"q": "0612345678"}, {"q": "awa@example.org"}):
            page = (await client.get(PEOPLE, params=params)).json()
            assert page["total"] == 0 and page["items"] == [], (outsider, params)
    # An unknown id answers exactly the same.
    assert (await client.get(f"{PEOPLE}/999999999")).json()["detail"] == "Personne introuvable."


async def test_search_is_accent_insensitive_on_names_phone_and_email(client, session, sign_in):
    world = await make_world(session)
    await sign_in(world.users["member"])
    body = new_person(first_name="Élodie", last_name="Lefèvre-Dupont", phone="+33 7 11 22 33 44",
                      email="E.Lefevre@Example.org")
    person_id = (await client.post(PEOPLE, json=body)).json()["id"]
    await client.post(PEOPLE, json=new_person(confirm_new=True, phone=None, email=None, first_name="Bruno"))
    for q in ("elodie", "LEFEVRE", "dupont", "élo lef", "07 11 22 33", "0711223344", "e.lefevre@example.org"):
        page = (await client.get(PEOPLE, params={"q": q})).json()
        assert [p["id"] for p in page["items"]] == [person_id], q
    assert (await client.get(PEOPLE, params={"q": "martin"})).json()["total"] == 0
    assert (await client.get(PEOPLE)).json()["total"] == 2


async def test_the_person_page_shows_the_referrals_the_viewer_may_see(client, session, sign_in):
    world = await make_world(session)
    person, mine = await person_with_referral(session, world)
    # The receiving structure sent the person on elsewhere: not the creator's business.
    elsewhere = await make_service(session, await make_structure(session, world.network, nom="PLIE test"))
    theirs = await make_referral(session, person, elsewhere, world.receiver)
    await session.execute(update(Referral).where(Referral.id == theirs.id).values(status="accepted"))
    await sign_in(world.users["member"])
    assert [r["id"] for r in (await client.get(f"{PEOPLE}/{person.id}")).json()["referrals"]] == [mine.id]
    await sign_in(world.users["receiver"])
    ids = {r["id"] for r in (await client.get(f"{PEOPLE}/{person.id}")).json()["referrals"]}
    assert ids == {mine.id, theirs.id}
    await sign_in(world.users["animator"])
    ids = {r["id"] for r in (await client.get(f"{PEOPLE}/{person.id}")).json()["referrals"]}
    assert ids == {mine.id, theirs.id}
