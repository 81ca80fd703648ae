"""A structure's inboxes (received / sent): filters by status and follow-up status in
SQL, counts for the whole structure and direction, pagination, a bounded number of
queries, and who may read them."""

from datetime import timedelta

import pytest
from maillage.audit.models import AuditEvent
from maillage.db import utcnow
from maillage.referrals.followup import FollowUp, follow_up
from maillage.referrals.models import Referral, ReferralStatus
from maillage.referrals.followup_sql import follow_up_condition, follow_up_expression
from sqlalchemy import event, func, select

from tests.directory.factories import make_service
from tests.referrals.factories import make_person, make_referral
from tests.referrals.test_referrals_api import World, acting_as, build_world

API = "/api/v1/referrals"


@pytest.fixture
async def world(session) -> World:
    return await build_world(session)


@pytest.fixture
def act_as(sign_in, world):
    return acting_as(sign_in, world)


async def _fill(session, w: World) -> dict[str, Referral]:
    """Referrals received by the Relais in every follow-up state, and others around."""
    now = utcnow()
    made = {}
    specs = {
        "sent": {"status": "sent"},
        "sent_old": {"status": "sent"},
        "never": {"status": "accepted"},
        "reached": {"status": "accepted", "last_reached_at": now - timedelta(days=2)},
        "refused": {"status": "refused", "refusal_reason": "doublon"},
        "closed": {"status": "closed", "outcome": "emploi-durable"},
        "expired": {"status": "expired"},
    }
    for i, (name, fields) in enumerate(specs.items()):
        person = await make_person(session, w.network, first_name=f"Prénom{i}")
        made[name] = await make_referral(session, person, w.service, w.mission, sent_at=now - timedelta(days=i),
                                         **fields)
    # Sent by the Relais, and between two other structures: not in its received inbox.
    elsewhere = await make_service(session, w.unrelated, accepts_referrals=True)
    made["outgoing"] = await make_referral(session, w.person, elsewhere, w.receiver)
    made["others"] = await make_referral(session, w.person, elsewhere, w.mission)
    return made


async def test_received_inbox_counts_filters_and_pages(client, session, world, act_as):
    made = await _fill(session, world)
    client = await act_as("member")
    everything = (await client.get(API, params={"structure_id": world.receiver.id})).json()
    assert everything["direction"] == "received" and everything["total"] == 7
    assert [r["id"] for r in everything["items"]] == [made[n].id for n in
                                                     ("sent", "sent_old", "never", "reached", "refused", "closed",
                                                      "expired")]
    by_status = {c["code"]: c["count"] for c in everything["counts_by_status"]}
    assert by_status == {"sent": 2, "accepted": 2, "refused": 1, "cancelled": 0, "expired": 1, "closed": 1}
    by_follow_up = {c["code"]: c["count"] for c in everything["counts_by_follow_up"]}
    assert by_follow_up == {"awaiting_answer": 2, "never_contacted": 1, "appointment_upcoming": 0,
                            "appointment_to_confirm": 0, "appointment_missed": 0, "in_progress": 1, "closed": 3}
    labels = {c["code"]: c["label"] for c in everything["counts_by_follow_up"]}
    assert labels["never_contacted"] == "Jamais contactée"

    never = (await client.get(API, params={"structure_id": world.receiver.id, "follow_up": "never_contacted"})).json()
    assert [r["id"] for r in never["items"]] == [made["never"].id] and never["total"] == 1
    assert never["items"][0]["follow_up_label"] == "Jamais contactée"
    assert never["counts_by_status"] == everything["counts_by_status"]  # counts ignore the filters
    closed = (await client.get(API, params={"structure_id": world.receiver.id, "follow_up": "closed"})).json()
    assert {r["id"] for r in closed["items"]} == {made[n].id for n in ("refused", "closed", "expired")}
    accepted = (await client.get(API, params={"structure_id": world.receiver.id, "status": "accepted",
                                              "follow_up": "in_progress"})).json()
    assert [r["id"] for r in accepted["items"]] == [made["reached"].id]
    upcoming = (await client.get(API, params={"structure_id": world.receiver.id,
                                              "follow_up": "appointment_upcoming"})).json()
    assert (upcoming["total"], upcoming["items"]) == (0, [])

    paged = (await client.get(API, params={"structure_id": world.receiver.id, "page": 2, "page_size": 3})).json()
    assert (paged["total"], paged["pages"], paged["page"]) == (7, 3, 2)
    assert [r["id"] for r in paged["items"]] == [made[n].id for n in ("reached", "refused", "closed")]
    beyond = (await client.get(API, params={"structure_id": world.receiver.id, "page": 9})).json()
    assert beyond["items"] == [] and beyond["total"] == 7

    sent = (await client.get(API, params={"structure_id": world.receiver.id, "direction": "sent"})).json()
    assert [r["id"] for r in sent["items"]] == [made["outgoing"].id]
    assert sent["items"][0]["other_structure"]["nom"] == "Association du quartier"

    bad = await client.get(API, params={"structure_id": world.receiver.id, "follow_up": "perdu"})
    assert bad.status_code == 422 and bad.json()["error"] == "donnees_invalides"


async def test_counts_and_list_stop_at_the_limit_and_say_so(client, session, world, act_as, monkeypatch):
    """A structure with more referrals than COUNT_LIMIT in a status sees "more than N"
    and a list of the N newest, instead of a count of its whole history on each load."""
    from maillage.referrals import service

    monkeypatch.setattr(service, "COUNT_LIMIT", 2)
    made = await _fill(session, world)
    client = await act_as("member")
    body = (await client.get(API, params={"structure_id": world.receiver.id, "page_size": 1})).json()
    assert (body["count_limit"], body["total"], body["total_capped"], body["pages"]) == (2, 2, True, 2)
    by_status = {c["code"]: (c["count"], c["capped"]) for c in body["counts_by_status"]}
    assert by_status["sent"] == (2, False) and by_status["refused"] == (1, False)
    closed = {c["code"]: (c["count"], c["capped"]) for c in body["counts_by_follow_up"]}["closed"]
    assert closed == (2, True)  # refused + closed + expired = 3
    page2 = (await client.get(API, params={"structure_id": world.receiver.id, "page_size": 1, "page": 2})).json()
    assert [r["id"] for r in page2["items"]] == [made["sent_old"].id]
    assert (await client.get(API, params={"structure_id": world.receiver.id, "page_size": 1,
                                          "page": 3})).json()["items"] == []

    body = (await client.get(API, params={"structure_id": world.receiver.id, "follow_up": "closed"})).json()
    assert (body["total"], body["total_capped"]) == (2, True)
    assert [r["id"] for r in body["items"]] == [made["refused"].id, made["closed"].id]
    body = (await client.get(API, params={"structure_id": world.receiver.id, "status": "accepted"})).json()
    assert (body["total"], body["total_capped"]) == (2, False)



async def test_current_structure_is_the_default(client, session, world, act_as):
    made = await _fill(session, world)
    client = await act_as("member")
    default = (await client.get(API)).json()
    assert default["structure_id"] == world.receiver.id and default["total"] == 7
    assert made["sent"].id in {r["id"] for r in default["items"]}


async def test_sql_follow_up_mirrors_the_derivation(session, world):
    await _fill(session, world)
    now = utcnow()
    rows = (await session.execute(
        select(Referral, follow_up_expression()).where(Referral.network_id == world.network.id))).all()
    assert len(rows) == 9
    for referral, in_sql in rows:
        assert in_sql == follow_up(ReferralStatus(referral.status), referral.last_reached_at, [], now)
    for value in FollowUp:
        by_case = set(await session.scalars(select(Referral.id).where(
            Referral.network_id == world.network.id, follow_up_expression() == value.value)))
        by_condition = set(await session.scalars(select(Referral.id).where(
            Referral.network_id == world.network.id, follow_up_condition(value))))
        assert by_case == by_condition, value


async def test_the_inbox_takes_a_bounded_number_of_queries(client, session, world, act_as):
    await act_as("member")

    async def count_queries(page_size: int) -> int:
        statements = []

        def _count(_conn, _cursor, statement, *_args):
            statements.append(statement)

        await session.flush()
        engine = session.bind.sync_engine
        event.listen(engine, "before_cursor_execute", _count)
        try:
            response = await client.get(API, params={"structure_id": world.receiver.id, "page_size": page_size})
        finally:
            event.remove(engine, "before_cursor_execute", _count)
        assert response.status_code == 200
        assert len(response.json()["items"]) == min(page_size, response.json()["total"])
        return len(statements)

    await _fill(session, world)
    small = await count_queries(1)
    for i in range(30):
        person = await make_person(session, world.network)
        await make_referral(session, person, world.service, world.mission,
                            status="accepted" if i % 2 else "sent", sent_at=utcnow() - timedelta(hours=i))
    assert await count_queries(50) == small
    assert small <= 6


@pytest.mark.parametrize(("role", "expected"), [
    ("anonymous", 401), ("other_network", 403), ("other_structure", 403), ("counsellor", 403),
    ("member", 200), ("admin", 200), ("animator", 200),
])
async def test_who_reads_an_inbox(client, session, world, sign_in, role, expected):
    await make_referral(session, world.person, world.service, world.mission)
    if role != "anonymous":
        await sign_in(world.users[role])
    response = await client.get(API, params={"structure_id": world.receiver.id, "direction": "received"})
    assert response.status_code == expected, response.text
    if expected != 200:
        assert response.json()["detail"]
    audited = await session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "lecture_donnees_personnelles", AuditEvent.target_type == "structure",
        AuditEvent.target_id == world.receiver.id))
    assert audited == (1 if role == "animator" else 0)


async def test_unknown_structure_or_none(client, world, act_as):
    client = await act_as("member")
    assert (await client.get(API, params={"structure_id": 999_999})).status_code == 404
    client = await act_as("animator")
    missing = await client.get(API)
    assert missing.status_code == 422 and "structure" in missing.json()["detail"]


async def test_other_networks_referrals_never_show(client, session, world, act_as):
    await _fill(session, world)
    client = await act_as("other_network")
    mine = (await client.get(API, params={"structure_id": world.far.id})).json()
    assert mine["total"] == 0 and all(c["count"] == 0 for c in mine["counts_by_status"])
