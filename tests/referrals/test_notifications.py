"""Referral emails through the outbox: who gets which, and no personal data beyond the
first name and the last name's initial in any subject."""

import pytest
from maillage.notifications.models import OutboxEmail
from sqlalchemy import delete, select

from tests.accounts.factories import make_user
from tests.referrals.test_referrals_api import API, World, acting_as, build_world, send

RECEIVING_SIDE = {"orientations@relais.example.org", "membre@relais.example.org", "admin@relais.example.org"}


@pytest.fixture
async def world(session) -> World:
    return await build_world(session)


@pytest.fixture
def act_as(sign_in, world):
    return acting_as(sign_in, world)


async def _emails(session, world, kind: str | None = None) -> list[OutboxEmail]:
    query = select(OutboxEmail).where(OutboxEmail.network_id == world.network.id).order_by(OutboxEmail.id)
    if kind:
        query = query.where(OutboxEmail.kind == kind)
    return list(await session.scalars(query))


async def _forget(session, world) -> None:
    await session.execute(delete(OutboxEmail).where(OutboxEmail.network_id == world.network.id))


def _no_personal_data_in_subjects(emails: list[OutboxEmail]) -> None:
    for email in emails:
        for private in ("Diallo", "06 01 02 03 04", "awa.diallo", "cuisine, CAP"):
            assert private not in email.subject, email.subject


async def test_received_goes_to_the_service_address_and_the_team(client, session, world, act_as):
    sent = await send(act_as, world)
    emails = await _emails(session, world)
    assert {e.to_address for e in emails} == RECEIVING_SIDE and len(emails) == 3
    for email in emails:
        assert email.kind == "referral_received"
        assert email.subject == "Nouvelle orientation : Awa D."
        assert f"/orientations/{sent['id']}" in email.text_body and f"/orientations/{sent['id']}" in email.html_body
        assert "Mission Locale de Pantin" in email.text_body and "Commis de cuisine" in email.text_body
        assert "Diallo" not in email.text_body  # the body says no more than the subject
    _no_personal_data_in_subjects(emails)


async def test_answers_and_closing_go_to_the_sender(client, session, world, act_as):
    accepted = await send(act_as, world)
    refused = await send(act_as, world)
    await _forget(session, world)
    client = await act_as("member")
    await client.post(f"{API}/{accepted['id']}/accept")
    await client.post(f"{API}/{refused['id']}/refuse", json={"reason": "plus-de-place"})
    await client.post(f"{API}/{accepted['id']}/close", json={"outcome": "formation-qualifiante"})
    emails = await _emails(session, world)
    assert [(e.kind, e.to_address, e.subject) for e in emails] == [
        ("referral_answered", "conseillere@ml.example.org", "Orientation acceptée : Awa D."),
        ("referral_answered", "conseillere@ml.example.org", "Orientation refusée : Awa D."),
        ("referral_closed", "conseillere@ml.example.org", "Orientation clôturée : Awa D."),
    ]
    assert "Motif : Plus de place" in emails[1].text_body and "Motif" not in emails[0].text_body
    assert "Sortie : Formation qualifiante" in emails[2].text_body
    assert "Formation qualifiante" in emails[2].html_body
    _no_personal_data_in_subjects(emails)


async def test_cancelling_tells_the_receiving_side(client, session, world, act_as):
    sent = await send(act_as, world)
    await _forget(session, world)
    client = await act_as("counsellor")
    await client.post(f"{API}/{sent['id']}/cancel", json={"reason": "Déménagement à Lyon."})
    emails = await _emails(session, world)
    assert {e.to_address for e in emails} == RECEIVING_SIDE
    assert {e.subject for e in emails} == {"Orientation annulée : Awa D."}
    assert "Déménagement à Lyon." in emails[0].text_body


async def test_messages_go_to_the_other_side_never_to_their_author(client, session, world, act_as):
    sent = await send(act_as, world)
    await _forget(session, world)
    client = await act_as("member")
    await client.post(f"{API}/{sent['id']}/messages", json={"body": "Son numéro ne répond pas, Mme Diallo a-t-elle un autre numéro ?"})
    from_receiver = await _emails(session, world, "referral_message")
    assert [e.to_address for e in from_receiver] == ["conseillere@ml.example.org"]
    assert from_receiver[0].subject == "Nouveau message sur l'orientation de Awa D."
    assert "Restaurant d'insertion Le Relais vous a écrit" in from_receiver[0].text_body
    assert "autre numéro" not in from_receiver[0].text_body  # read in the app, not in the mailbox

    await _forget(session, world)
    client = await act_as("counsellor")
    await client.post(f"{API}/{sent['id']}/messages", json={"body": "Essayez le 07 00 00 00 00."})
    from_sender = await _emails(session, world, "referral_message")
    assert {e.to_address for e in from_sender} == RECEIVING_SIDE

    await _forget(session, world)
    client = await act_as("member")
    await client.post(f"{API}/{sent['id']}/messages", json={"body": "Merci."})
    # The receiving member writes: the sender is told; the author's own address is skipped.
    assert {e.to_address for e in await _emails(session, world)} == {"conseillere@ml.example.org"}

    await _forget(session, world)
    client = await act_as("animator")
    await client.post(f"{API}/{sent['id']}/messages", json={"body": "Je fais le lien avec vous deux."})
    from_animator = await _emails(session, world)
    assert {e.to_address for e in from_animator} == RECEIVING_SIDE | {"conseillere@ml.example.org"}
    assert "l'animation du réseau vous a écrit" in from_animator[0].text_body
    _no_personal_data_in_subjects(from_animator)


async def test_a_counsellor_who_left_is_replaced_by_their_structure(client, session, world, act_as):
    sent = await send(act_as, world)
    world.users["counsellor"].is_active = False
    colleague_email = "collegue@ml.example.org"
    await make_user(session, member_of=[world.mission], email=colleague_email)
    await _forget(session, world)
    client = await act_as("member")
    await client.post(f"{API}/{sent['id']}/accept")
    assert [e.to_address for e in await _emails(session, world)] == [colleague_email]
