"""Reorientation by the receiving structure and by the animator (queue): a new referral
to another service for the same person, the old one closed as « réorientation », both
timelines pointing to each other; 409 from a finished referral, 422 to a service that
does not receive referrals."""

import pytest
from maillage.audit.models import AuditEvent
from maillage.notifications.models import OutboxEmail
from maillage.referrals.models import Referral, ReferralEvent
from sqlalchemy import func, select

from tests.directory.factories import make_service, make_structure
from tests.referrals.factories import make_referral
from tests.referrals.test_referrals_api import API, acting_as, build_world, send


@pytest.fixture
async def world(session):
    w = await build_world(session)
    housing = await make_structure(session, w.network, nom="Résidence sociale Les Lilas")
    w.other_service = await make_service(session, housing, nom="Hébergement temporaire", accepts_referrals=True,
                                         referral_emails=["accueil@lilas.example.org"])
    w.closed_service = await make_service(session, housing, nom="Logement adapté", accepts_referrals=False)
    return w


@pytest.fixture
def act_as(sign_in, world):
    return acting_as(sign_in, world)


def queue(w) -> str:
    return f"/api/v1/manage/networks/{w.network.slug}/stalled"


async def _events(session, referral_id: int) -> list[ReferralEvent]:
    return list(await session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == referral_id)
                                      .order_by(ReferralEvent.id)))


@pytest.mark.parametrize("accept_first", [False, True])
async def test_the_receiver_reorients_a_sent_or_accepted_referral(client, session, act_as, world, accept_first):
    old = await send(act_as, world)
    receiver = await act_as("member")
    if accept_first:
        assert (await receiver.post(f"{API}/{old['id']}/accept")).status_code == 200
    response = await receiver.post(f"{API}/{old['id']}/reorient", json={
        "service_id": world.other_service.id, "message": "Besoin d'un hébergement d'abord."})
    assert response.status_code == 200, response.text
    page = response.json()
    assert (page["status"], page["outcome"], page["outcome_label"]) == (
        "closed", "reorientation", "Réorientation vers une autre structure")
    assert page["status_detail"] == "Réorientée vers « Hébergement temporaire » (Résidence sociale Les Lilas)."
    assert page["allowed_actions"] == ["message"]

    new = await session.scalar(select(Referral).where(Referral.reoriented_from_id == old["id"]))
    assert (new.status, new.person_id, new.service_id) == ("sent", world.person.id, world.other_service.id)
    assert new.sender_structure_id == world.mission.id and new.sender_user_id == world.users["member"].id
    assert new.motive == old["motive"] and new.needs == old["needs"]
    assert new.message == "Besoin d'un hébergement d'abord."

    # History on both sides, each pointing to the other.
    closing = (await _events(session, old["id"]))[-1]
    assert (closing.kind, closing.data["reoriented_to_id"], closing.actor_structure_id) == (
        "reorient", new.id, world.receiver.id)
    sent_event = (await _events(session, new.id))[0]
    assert (sent_event.kind, sent_event.data["reoriented_from_id"]) == ("sent", old["id"])
    last = page["timeline"][-1]
    assert (last["kind"], last["related_referral_id"], last["outcome"]) == ("reorient", new.id, "reorientation")

    # The sender sees both; the new service's address got the referral, the sender was told.
    counsellor = await act_as("counsellor")
    new_page = (await counsellor.get(f"{API}/{new.id}")).json()
    assert new_page["reoriented_from_id"] == old["id"]
    assert new_page["timeline"][0]["related_referral_id"] == old["id"]
    assert "réorientation" in new_page["timeline"][0]["label"]
    assert (await counsellor.get(f"{API}/{old['id']}")).json()["status"] == "closed"
    recipients = set(await session.scalars(select(OutboxEmail.to_address)))
    assert {"accueil@lilas.example.org", "conseillere@ml.example.org"} <= recipients
    # The old receiver does not see the new referral (it is not theirs).
    receiver = await act_as("member")
    assert (await receiver.get(f"{API}/{new.id}")).status_code == 404


@pytest.mark.parametrize("status", ["refused", "cancelled", "expired", "closed"])
async def test_reorienting_a_finished_referral_is_a_409(client, session, act_as, world, status):
    referral = await make_referral(session, world.person, world.service, world.mission, status=status)
    for role, url in (("member", f"{API}/{referral.id}/reorient"),
                      ("animator", f"{queue(world)}/{referral.id}/reorient")):
        client = await act_as(role)
        response = await client.post(url, json={"service_id": world.other_service.id})
        assert response.status_code == 409, (role, response.text)
        assert "ne peut pas être réorientée" in response.json()["detail"]
    assert await session.scalar(select(func.count()).select_from(Referral)
                                .where(Referral.reoriented_from_id == referral.id)) == 0


async def test_a_service_that_does_not_receive_referrals_is_a_422(client, session, act_as, world):
    old = await send(act_as, world)
    client = await act_as("member")
    for service_id, message in ((world.closed_service.id, "ne reçoit pas d'orientations"),
                                (world.service.id, "autre service")):
        response = await client.post(f"{API}/{old['id']}/reorient", json={"service_id": service_id})
        assert response.status_code == 422, response.text
        assert message in response.json()["detail"]
    assert (await client.post(f"{API}/{old['id']}/reorient", json={"service_id": 999_999})).status_code == 404
    assert (await client.get(f"{API}/{old['id']}")).json()["status"] == "sent"


async def test_only_the_receiving_side_or_an_animator_reorients(client, session, act_as, world):
    old = await send(act_as, world)
    body = {"service_id": world.other_service.id}
    for role, expected in (("counsellor", 403), ("other_structure", 404), ("other_network", 404)):
        client = await act_as(role)
        assert (await client.post(f"{API}/{old['id']}/reorient", json=body)).status_code == expected, role
    client = await act_as("counsellor")
    assert (await client.post(f"{queue(world)}/{old['id']}/reorient", json=body)).status_code == 403


async def test_the_animator_reorients_from_the_queue(client, session, act_as, world):
    old = await send(act_as, world)
    client = await act_as("animator")
    response = await client.post(f"{queue(world)}/{old['id']}/reorient", json={
        "service_id": world.other_service.id, "motive": "Hébergement d'urgence nécessaire avant l'emploi."})
    assert response.status_code == 200, response.text
    state = response.json()
    assert (state["status"], state["outcome"], state["in_queue"]) == ("closed", "reorientation", False)
    new = await session.get(Referral, state["new_referral_id"])
    assert (new.reoriented_from_id, new.sender_structure_id, new.sender_user_id) == (
        old["id"], world.mission.id, world.users["animator"].id)
    assert new.motive == "Hébergement d'urgence nécessaire avant l'emploi."
    closing = (await _events(session, old["id"]))[-1]
    assert (closing.kind, closing.actor_structure_id, closing.data["reoriented_to_id"]) == ("reorient", None, new.id)
    assert await session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "orientation_reorientee", AuditEvent.target_id == old["id"])) == 1
    # Twice: the old one is closed now.
    again = await client.post(f"{queue(world)}/{old['id']}/reorient", json={"service_id": world.other_service.id})
    assert again.status_code == 409
