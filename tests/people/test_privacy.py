"""RGPD: editing, export of everything held, erasure on request, and the retention job."""

from datetime import timedelta

from maillage.db import utcnow
from maillage.people.models import Person
from maillage.people.retention import anonymise_inactive, months_before
from maillage.referrals.models import (
    Referral,
    ReferralContact,
    ReferralEvent,
    ReferralMessage,
)
from sqlalchemy import select

from tests.directory.factories import make_network, make_service, make_structure
from tests.people.helpers import PEOPLE, audit_count, make_world, person_with_referral
from tests.referrals.factories import make_person, make_referral


async def _with_timeline(session, world):
    person, referral = await person_with_referral(session, world, notes="Suivie par le CCAS", quartier="Quatre-Chemins")
    now = utcnow()
    session.add_all([
        ReferralEvent(referral_id=referral.id, kind="sent", data={}),
        ReferralContact(referral_id=referral.id, contacted_at=now, channel="telephone", reached=True,
                        note="Rappeler après 17 h, garde d'enfants"),
        ReferralMessage(referral_id=referral.id, author_structure_id=world.creator.id,
                        body="Mme Diallo sort d'un hébergement d'urgence."),
    ])
    await session.flush()
    return person, referral


async def test_patch_updates_fields_and_keys(client, session, sign_in):
    world = await make_world(session)
    person, _ = await person_with_referral(session, world)
    receiver = world.users["receiver"]
    await sign_in(receiver)
    response = await client.patch(f"{PEOPLE}/{person.id}", json={
        "last_name": "Diallo-Koné", "phone": "+33 7 00 00 00 01", "needs": ["mobilite--acceder-a-un-vehicule"]})
    assert response.status_code == 200, response.text
    await session.refresh(person)
    assert person.last_name_key == "diallo kone" and person.phone_key == "0700000001"
    assert person.needs == ["mobilite--acceder-a-un-vehicule"] and person.updated_at > person.created_at
    assert await audit_count(session, "modification_personne", person.id, receiver.id) == 1
    refused = await client.patch(f"{PEOPLE}/{person.id}", json={"first_name": None})
    assert refused.status_code == 422
    assert (await client.patch(f"{PEOPLE}/{person.id}", json={"informed_at": "2020-01-01"})).status_code == 422


async def test_export_holds_everything_and_is_audited(client, session, sign_in):
    world = await make_world(session)
    person, referral = await _with_timeline(session, world)
    animator = world.users["animator"]
    await sign_in(animator)
    response = await client.get(f"{PEOPLE}/{person.id}/export")
    assert response.status_code == 200
    data = response.json()
    assert data["person"]["id"] == person.id and data["person"]["notes"] == "Suivie par le CCAS"
    [exported] = data["referrals"]
    assert exported["id"] == referral.id and exported["motive"] == referral.motive
    assert exported["receiver_structure_nom"] == "Chantier d'insertion test"
    assert [e["kind"] for e in exported["events"]] == ["sent"]
    assert exported["contacts"][0]["note"] == "Rappeler après 17 h, garde d'enfants"
    assert exported["messages"][0]["body"] == "Mme Diallo sort d'un hébergement d'urgence."
    assert await audit_count(session, "export_donnees_personnelles", person.id, animator.id) == 1


async def test_erasure_anonymises_and_keeps_the_referrals(client, session, sign_in):
    world = await make_world(session)
    person, referral = await _with_timeline(session, world)
    await sign_in(world.users["member"])
    refused = await client.delete(f"{PEOPLE}/{person.id}")
    assert refused.status_code == 403 and "administrateurs" in refused.json()["detail"]
    admin = world.users["admin"]
    await sign_in(admin)
    assert (await client.delete(f"{PEOPLE}/{person.id}")).status_code == 204
    await session.refresh(person)
    assert f"{person.first_name} {person.last_name}" == "Personne anonymisée"
    assert person.anonymised_at is not None
    assert (person.birth_date, person.phone, person.email, person.notes, person.quartier) == (None,) * 5
    assert (person.first_name_key, person.last_name_key, person.phone_key, person.email_key) == ("", "", None, None)
    kept = await session.scalar(select(Referral).where(Referral.id == referral.id).execution_options(
        populate_existing=True))
    assert kept is not None and kept.status == "sent" and kept.message is None
    assert await session.scalar(select(ReferralEvent.kind).where(ReferralEvent.referral_id == referral.id)) == "sent"
    assert await session.scalar(select(ReferralContact.note).where(ReferralContact.referral_id == referral.id)) is None
    body = await session.scalar(select(ReferralMessage.body).where(ReferralMessage.referral_id == referral.id))
    assert "Diallo" not in body
    assert await audit_count(session, "effacement_donnees_personnelles", person.id, admin.id) == 1
    # Gone from searches and duplicates; the page still answers, anonymised; no more edits.
    assert (await client.get(PEOPLE, params={"q": "diallo"})).json()["total"] == 0
    assert (await client.get(f"{PEOPLE}/duplicates", params={"phone": "0612345678"})).json()["candidates"] == []
    page = (await client.get(f"{PEOPLE}/{person.id}")).json()
    assert page["first_name"] == "Personne" and [r["id"] for r in page["referrals"]] == [referral.id]
    patched = await client.patch(f"{PEOPLE}/{person.id}", json={"first_name": "Awa"})
    assert patched.status_code == 409
    # Erasing twice changes nothing and records nothing more.
    assert (await client.delete(f"{PEOPLE}/{person.id}")).status_code == 204
    assert await audit_count(session, "effacement_donnees_personnelles", person.id) == 1


async def test_the_receiving_admin_and_the_animator_may_erase(client, session, sign_in):
    world = await make_world(session)
    for role in ("receiver_admin", "animator"):
        person, _ = await person_with_referral(session, world)
        await sign_in(world.users[role])
        assert (await client.delete(f"{PEOPLE}/{person.id}")).status_code == 204, role


def test_months_before_clamps_the_day():
    now = utcnow().replace(year=2026, month=3, day=31)
    assert months_before(now, 1).date().isoformat() == "2026-02-28"
    assert months_before(now, 24).date().isoformat() == "2024-03-31"
    assert months_before(now, 15).date().isoformat() == "2024-12-31"


async def test_retention_anonymises_only_the_inactive_per_network(session):
    now = utcnow()
    default, strict = await make_network(session), await make_network(session, settings={"anonymise_after_months": 12})
    people = {}
    for network, label in ((default, "default"), (strict, "strict")):
        structure = await make_structure(session, network)
        service = await make_service(session, structure)
        for age in (6, 18, 30):
            person = await make_person(session, network, last_activity_at=now - timedelta(days=age * 31),
                                       phone="0600000000", phone_key="0600000000")
            referral = await make_referral(session, person, service, structure, message="Très personnel")
            people[label, age] = (person, referral)
    count = await anonymise_inactive(session, now)
    assert count >= 3
    expected = {("default", 6): False, ("default", 18): False, ("default", 30): True,
                ("strict", 6): False, ("strict", 18): True, ("strict", 30): True}
    for key, (person, referral) in people.items():
        row = (await session.execute(
            select(Person.anonymised_at, Person.phone, Referral.message, Referral.id)
            .join(Referral, Referral.person_id == Person.id).where(Person.id == person.id))).one()
        assert (row.anonymised_at is not None) is expected[key], key
        assert (row.phone is None) is expected[key] and (row.message is None) is expected[key], key
    # Idempotent: a second run finds nothing to do.
    assert await anonymise_inactive(session, now) == 0
