"""Referrals through the API: the main journey, answers, contacts, messages, illegal
transitions (409), concurrent answers (one wins), and who may do what."""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from maillage.audit.models import AuditEvent
from maillage.db import make_engine, make_sessionmaker, utcnow
from maillage.errors import Conflict
from maillage.migrate import upgrade_async
from maillage.referrals import service as referrals
from maillage.referrals.models import Referral, ReferralEvent, ReferralStatus
from sqlalchemy import func, select

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_service, make_structure
from tests.referrals.factories import make_person, make_referral

API = "/api/v1/referrals"


@dataclass
class World:
    network: object
    mission: object
    receiver: object
    service: object
    unrelated: object
    far: object
    person: object
    users: dict = field(default_factory=dict)


async def build_world(session) -> World:
    """Mission Locale → Relais (receiving), an unrelated structure, another network."""
    network = await make_network(session)
    mission = await make_structure(session, network, nom="Mission Locale de Pantin")
    receiver = await make_structure(session, network, nom="Restaurant d'insertion Le Relais")
    target = await make_service(session, receiver, nom="Commis de cuisine", accepts_referrals=True,
                                referral_emails=["orientations@relais.example.org"])
    unrelated = await make_structure(session, network, nom="Association du quartier")
    far_network = await make_network(session)
    far = await make_structure(session, far_network, nom="Mission Locale de Lille")
    person = await make_person(session, network, first_name="Awa", last_name="Diallo", phone="06 01 02 03 04",
                               email="awa.diallo@exemple.fr", contact_preference="telephone",
                               created_by_structure_id=mission.id)
    w = World(network, mission, receiver, target, unrelated, far, person)
    w.users = {
        "counsellor": await make_user(session, member_of=[mission], email="conseillere@ml.example.org"),
        "member": await make_user(session, member_of=[receiver], email="membre@relais.example.org"),
        "admin": await make_user(session, admin_of=[receiver], email="admin@relais.example.org"),
        "other_structure": await make_user(session, member_of=[unrelated]),
        "other_network": await make_user(session, member_of=[far]),
        "animator": await make_user(session, animator_of=[network], email="animatrice@reseau.example.org"),
    }
    return w


@pytest.fixture
async def world(session) -> World:
    return await build_world(session)


def referral_body(w: World, **over) -> dict:
    body = {"person_id": w.person.id, "service_id": w.service.id,
            "motive": "Souhaite travailler en cuisine, CAP en cours de validation.",
            "needs": ["trouver-un-emploi--repondre-a-des-offres-demploi"], "message": "Disponible le matin."}
    body.update(over)
    return body


def acting_as(sign_in, world: World):
    async def _act_as(role: str):
        return await sign_in(world.users[role])

    return _act_as


@pytest.fixture
def act_as(sign_in, world):
    return acting_as(sign_in, world)


async def send(act_as, world, **over) -> dict:
    client = await act_as("counsellor")
    response = await client.post(API, json=referral_body(world, **over))
    assert response.status_code == 201, response.text
    return response.json()


# ---------------------------------------------------------------- the journey


async def test_main_journey(client, session, world, act_as):
    sent = await send(act_as, world)
    assert (sent["status"], sent["status_label"]) == ("sent", "envoyée")
    assert (sent["follow_up"], sent["follow_up_label"]) == ("awaiting_answer", "En attente de réponse")
    assert sent["sender_structure"]["nom"] == "Mission Locale de Pantin"
    assert sent["receiver_structure"]["id"] == world.receiver.id
    assert sent["allowed_actions"] == ["cancel", "attach", "book", "message"]
    await session.refresh(world.person)
    assert world.person.last_activity_at >= utcnow() - timedelta(minutes=1)

    await act_as("member")
    inbox = (await client.get(API, params={"structure_id": world.receiver.id, "direction": "received"})).json()
    assert [row["id"] for row in inbox["items"]] == [sent["id"]]
    row = inbox["items"][0]
    assert (row["person_first_name"], row["person_last_name"]) == ("Awa", "Diallo")
    assert row["other_structure"]["nom"] == "Mission Locale de Pantin"
    page = (await client.get(f"{API}/{sent['id']}")).json()
    assert page["allowed_actions"] == ["accept", "refuse", "reorient", "attach", "book", "message"]
    assert page["person"]["phone"] == "06 01 02 03 04"
    assert page["person"]["preferred_contact_label"] == "Téléphone"

    accepted = (await client.post(f"{API}/{sent['id']}/accept")).json()
    assert (accepted["status"], accepted["follow_up"]) == ("accepted", "never_contacted")
    assert accepted["allowed_actions"] == ["log_contact", "close", "reorient", "attach", "book", "message"]
    reached_at = utcnow()
    response = await client.post(f"{API}/{sent['id']}/contacts", json={
        "contacted_at": reached_at.isoformat(), "channel": "telephone", "reached": True, "note": "RDV fixé jeudi."})
    assert response.status_code == 201, response.text
    contacted = response.json()
    assert (contacted["follow_up"], contacted["follow_up_label"]) == ("in_progress", "Accompagnement en cours")
    referral = await session.get(Referral, sent["id"])
    await session.refresh(referral)
    assert abs(referral.last_reached_at - reached_at) < timedelta(seconds=1)

    await act_as("counsellor")
    mine = (await client.get(API, params={"structure_id": world.mission.id, "direction": "sent"})).json()
    assert [(r["id"], r["status"], r["follow_up"]) for r in mine["items"]] == [(sent["id"], "accepted", "in_progress")]
    assert mine["items"][0]["other_structure"]["nom"] == "Restaurant d'insertion Le Relais"
    page = (await client.get(f"{API}/{sent['id']}")).json()
    assert [(i["type"], i["kind"]) for i in page["timeline"]] == [("event", "sent"), ("event", "accept"),
                                                                  ("contact", "contact")]
    assert page["timeline"][2]["label"] == "Personne jointe" and page["timeline"][2]["note"] == "RDV fixé jeudi."
    assert page["timeline"][1]["structure_nom"] == "Restaurant d'insertion Le Relais"
    assert page["allowed_actions"] == ["attach", "book", "message"]


async def test_an_unreached_contact_keeps_never_contacted_and_reached_never_goes_back(client, session, world, act_as):
    sent = await send(act_as, world)
    client = await act_as("member")
    await client.post(f"{API}/{sent['id']}/accept")
    now = utcnow()
    missed = await client.post(f"{API}/{sent['id']}/contacts", json={
        "contacted_at": now.isoformat(), "channel": "sms", "reached": False})
    assert missed.json()["follow_up"] == "never_contacted"
    await client.post(f"{API}/{sent['id']}/contacts", json={
        "contacted_at": (now - timedelta(minutes=10)).isoformat(), "channel": "telephone", "reached": True})
    await client.post(f"{API}/{sent['id']}/contacts", json={
        "contacted_at": (now - timedelta(hours=2)).isoformat(), "channel": "telephone", "reached": True})
    page = (await client.get(f"{API}/{sent['id']}")).json()
    assert page["follow_up"] == "in_progress"
    assert abs(datetime.fromisoformat(page["last_reached_at"]) - (now - timedelta(minutes=10))) < timedelta(seconds=1)
    events = await session.scalar(select(func.count()).select_from(ReferralEvent)
                                  .where(ReferralEvent.referral_id == sent["id"], ReferralEvent.kind == "contact"))
    assert events == 3
    future = await client.post(f"{API}/{sent['id']}/contacts", json={
        "contacted_at": (now + timedelta(days=1)).isoformat(), "channel": "sms", "reached": True})
    assert future.status_code == 422 and "futur" in future.json()["detail"]


async def test_refusal_with_reason(client, world, act_as):
    sent = await send(act_as, world)
    client = await act_as("member")
    missing = await client.post(f"{API}/{sent['id']}/refuse", json={"reason": "autre"})
    assert missing.status_code == 422 and "Précisez le motif" in missing.json()["detail"]
    unknown = await client.post(f"{API}/{sent['id']}/refuse", json={"reason": "pas-un-motif"})
    assert unknown.status_code == 422
    refused = (await client.post(f"{API}/{sent['id']}/refuse", json={"reason": "plus-de-place"})).json()
    assert (refused["status"], refused["status_label"]) == ("refused", "refusée")
    assert (refused["refusal_reason"], refused["refusal_reason_label"]) == ("plus-de-place", "Plus de place")
    assert refused["follow_up"] == "closed" and refused["closed_at"] is not None
    assert refused["timeline"][-1]["reason_label"] == "Plus de place"


async def test_cancel_by_sender(client, world, act_as):
    sent = await send(act_as, world)
    client = await act_as("counsellor")
    cancelled = (await client.post(f"{API}/{sent['id']}/cancel", json={"reason": "La personne a trouvé un emploi."}))
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert (body["status"], body["status_label"], body["status_detail"]) == (
        "cancelled", "annulée", "La personne a trouvé un emploi.")
    again = await send(act_as, world)
    without_body = await client.post(f"{API}/{again['id']}/cancel")
    assert without_body.status_code == 200 and without_body.json()["status"] == "cancelled"


async def test_close_with_outcome(client, world, act_as):
    sent = await send(act_as, world)
    client = await act_as("admin")
    await client.post(f"{API}/{sent['id']}/accept")
    no_outcome = await client.post(f"{API}/{sent['id']}/close", json={"outcome": "autre"})
    assert no_outcome.status_code == 422 and "Précisez la sortie" in no_outcome.json()["detail"]
    closed = (await client.post(f"{API}/{sent['id']}/close", json={"outcome": "emploi-durable"})).json()
    assert (closed["status"], closed["outcome"], closed["outcome_label"]) == (
        "closed", "emploi-durable", "Emploi durable (CDI, CDD ≥ 6 mois)")
    assert closed["follow_up"] == "closed" and closed["allowed_actions"] == ["message"]


async def test_messages_both_ways(client, world, act_as):
    sent = await send(act_as, world)
    client = await act_as("member")
    first = await client.post(f"{API}/{sent['id']}/messages", json={"body": "Pouvez-vous confirmer son numéro ?"})
    assert first.status_code == 201, first.text
    client = await act_as("counsellor")
    second = await client.post(f"{API}/{sent['id']}/messages", json={"body": "Oui, c'est le bon."})
    assert second.status_code == 201
    empty = await client.post(f"{API}/{sent['id']}/messages", json={"body": "   "})
    assert empty.status_code == 422
    timeline = second.json()["timeline"]
    messages = [(i["body"], i["structure_nom"]) for i in timeline if i["type"] == "message"]
    assert messages == [("Pouvez-vous confirmer son numéro ?", "Restaurant d'insertion Le Relais"),
                        ("Oui, c'est le bon.", "Mission Locale de Pantin")]
    assert [i["kind"] for i in timeline if i["type"] == "event"] == ["sent"]


# ---------------------------------------------------------------- refusals to send


async def test_sending_is_refused_in_french(client, session, world, act_as):
    closed = await make_service(session, world.receiver, nom="Atelier", accepts_referrals=False)
    draft = await make_service(session, world.receiver, nom="Brouillon", accepts_referrals=True, status="draft")
    far_service = await make_service(session, world.far, accepts_referrals=True)
    stranger = await make_person(session, world.network, created_by_structure_id=world.unrelated.id)
    client = await act_as("counsellor")
    cases = [
        (referral_body(world, service_id=closed.id), 422, "ne reçoit pas d'orientations"),
        (referral_body(world, service_id=draft.id), 422, "n'est pas publié"),
        (referral_body(world, service_id=far_service.id), 422, "réseau de la personne"),
        (referral_body(world, service_id=999_999), 404, "Service introuvable"),
        (referral_body(world, person_id=stranger.id), 404, "Personne introuvable"),
        (referral_body(world, person_id=999_999), 404, "Personne introuvable"),
        (referral_body(world, structure_id=world.receiver.id), 403, "pas membre"),
        (referral_body(world, needs=["pas-une-thematique"]), 422, "besoin(s) inconnu(s)"),
        (referral_body(world, motive=""), 422, "motive"),
    ]
    for body, code, message in cases:
        response = await client.post(API, json=body)
        assert response.status_code == code, (body, response.text)
        assert message in response.json()["detail"]
    assert await session.scalar(select(func.count()).select_from(Referral)
                                .where(Referral.person_id.in_([world.person.id, stranger.id]))) == 0


async def test_a_person_with_a_referral_to_my_structure_may_be_oriented_on(client, session, world, act_as):
    """The receiving structure may re-orient a person it received, even to its own service."""
    sent = await send(act_as, world)
    client = await act_as("member")
    response = await client.post(API, json=referral_body(world))
    assert response.status_code == 201, response.text
    assert response.json()["sender_structure"]["id"] == world.receiver.id
    assert sent["id"] != response.json()["id"]


# ---------------------------------------------------------------- illegal transitions

ACTIONS = {
    "accept": None, "refuse": {"reason": "plus-de-place"}, "cancel": None,
    "close": {"outcome": "emploi-durable"},
    "contacts": {"contacted_at": "2020-01-01T10:00:00+00:00", "channel": "telephone", "reached": True},
}
LEGAL = {("sent", "accept"), ("sent", "refuse"), ("sent", "cancel"), ("accepted", "close"), ("accepted", "contacts")}


ILLEGAL = [(s.value, a) for s in ReferralStatus for a in ACTIONS if (s.value, a) not in LEGAL]


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
async def test_every_illegal_transition_is_a_409_in_french(client, session, world, act_as, status, action):
    referral = await make_referral(session, world.person, world.service, world.mission, status=status,
                                   sent_at=utcnow() - timedelta(days=3000))
    client = await act_as("animator")
    response = await client.post(f"{API}/{referral.id}/{action}", json=ACTIONS[action])
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["error"] == "conflit"
    assert ("ne peut pas être" in body["detail"]) or ("orientation acceptée" in body["detail"])
    await session.refresh(referral)
    assert referral.status == status


async def test_two_concurrent_accepts_one_wins(fresh_database_url):
    await upgrade_async(fresh_database_url)
    engines = [make_engine(fresh_database_url) for _ in range(2)]
    makers = [make_sessionmaker(e) for e in engines]
    try:
        async with makers[0]() as session:
            network = await make_network(session)
            sender = await make_structure(session, network, nom="Mission Locale")
            receiver = await make_structure(session, network, nom="Restaurant d'insertion")
            target = await make_service(session, receiver, accepts_referrals=True, referral_emails=["o@r.example.org"])
            person = await make_person(session, network)
            referral = await referrals.send_referral(
                session, person=person, service=target, sender_user_id=None, sender_structure_id=sender.id,
                motive="Recherche d'emploi", needs=[], message=None, preferred_contact=None)
            referral_id = referral.id
            await session.commit()

        async def accept(maker):
            async with maker() as session:
                referral = await session.get(Referral, referral_id)
                await asyncio.sleep(0.05)  # both have read "sent" before either writes
                try:
                    await referrals.transition(session, referral, "accept", actor_user_id=None,
                                               actor_structure_id=referral.receiver_structure_id)
                    await session.commit()
                    return "ok"
                except Conflict:
                    await session.rollback()
                    return "409"

        assert sorted(await asyncio.gather(*(accept(m) for m in makers))) == ["409", "ok"]
        async with makers[0]() as session:
            kinds = (await session.scalars(select(ReferralEvent.kind).where(ReferralEvent.referral_id == referral_id))).all()
            assert sorted(kinds) == ["accept", "sent"]
            assert (await session.get(Referral, referral_id)).status == "accepted"
    finally:
        for engine in engines:
            await engine.dispose()


# ---------------------------------------------------------------- permissions

ROLES = ("anonymous", "other_network", "other_structure", "member", "admin", "animator")
RECEIVER_SIDE = {"anonymous": 401, "other_network": 404, "other_structure": 404, "member": "ok", "admin": "ok",
                 "animator": "ok"}
SENDER_SIDE = {**RECEIVER_SIDE, "member": 403, "admin": 403}
# (method, path template, status the referral must have, body)
ROUTES = {
    ("GET", "/{id}"): ("sent", None, RECEIVER_SIDE),
    ("POST", "/{id}/accept"): ("sent", None, RECEIVER_SIDE),
    ("POST", "/{id}/refuse"): ("sent", {"reason": "doublon"}, RECEIVER_SIDE),
    ("POST", "/{id}/cancel"): ("sent", None, SENDER_SIDE),
    ("POST", "/{id}/close"): ("accepted", {"outcome": "abandon"}, RECEIVER_SIDE),
    ("POST", "/{id}/contacts"): ("accepted", {"contacted_at": "2030-01-01T00:00:00+00:00", "channel": "sms",
                                              "reached": False}, RECEIVER_SIDE),
    ("POST", "/{id}/messages"): ("sent", {"body": "Bonjour"}, RECEIVER_SIDE),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
async def test_referral_routes_permissions(client, session, world, sign_in, role, route):
    status, body, expected = ROUTES[route]
    referral = await make_referral(session, world.person, world.service, world.mission, status=status,
                                   sent_at=utcnow() - timedelta(days=1))
    if route[1] == "/{id}/contacts":
        body = {**body, "contacted_at": utcnow().isoformat()}
    if role != "anonymous":
        await sign_in(world.users[role])
    response = await client.request(route[0], API + route[1].format(id=referral.id), json=body)
    want = expected[role]
    if want == "ok":
        assert response.status_code in (200, 201), response.text
    else:
        assert response.status_code == want, response.text
        assert response.json()["detail"]
    if want == 404:
        assert response.json()["detail"] == "Orientation introuvable."
    audited = await session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "lecture_donnees_personnelles", AuditEvent.target_id == referral.id))
    assert audited == (1 if role == "animator" and route[0] == "GET" else 0)


@pytest.mark.parametrize("role", ROLES)
async def test_send_permissions(client, session, world, sign_in, role):
    """Sending for the receiving structure a person it already received (see the report)."""
    await make_referral(session, world.person, world.service, world.mission)
    if role != "anonymous":
        await sign_in(world.users[role])
    response = await client.post(API, json=referral_body(world))
    expected = {"anonymous": 401, "other_network": 404, "other_structure": 404, "member": 201, "admin": 201,
                "animator": 403}[role]
    assert response.status_code == expected, response.text


async def test_an_animator_acts_on_both_sides_and_reads_are_audited(client, session, world, act_as):
    sent = await send(act_as, world)
    client = await act_as("animator")
    page = (await client.get(f"{API}/{sent['id']}")).json()
    assert page["allowed_actions"] == ["accept", "refuse", "cancel", "reorient", "book", "message"]
    audit = await session.scalar(select(AuditEvent).where(AuditEvent.action == "lecture_donnees_personnelles",
                                                          AuditEvent.target_id == sent["id"]))
    assert audit.actor_id == world.users["animator"].id and audit.network_id == world.network.id
    accepted = (await client.post(f"{API}/{sent['id']}/accept")).json()
    assert accepted["timeline"][-1]["author"] == world.users["animator"].display_name
    assert accepted["timeline"][-1]["structure_nom"] is None
