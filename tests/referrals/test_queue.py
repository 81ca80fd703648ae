"""The animators' queue: stalled referrals by urgency with filters and counts, people
without solution, the actions (remind, reconnected, snooze, close), and who may do what."""

from datetime import date, timedelta

import pytest
from maillage.db import utcnow
from maillage.notifications.models import OutboxEmail
from maillage.pagination import PageParams
from maillage.referrals.models import Referral, ReferralEvent
from maillage.referrals.queue import list_stalled, snooze_instant
from sqlalchemy import event, select

from tests.referrals.factories import make_person
from tests.referrals.test_stall import RECEIVER_INBOX, accepted, make_world, sent


def base(w) -> str:
    return f"/api/v1/manage/networks/{w.network.slug}"


async def test_queue_sorted_by_urgency_with_filters_and_counts(client, session, sign_in):
    w = await make_world(session)
    other_receiver_service = w.service
    dormant = await accepted(session, w, days_ago=120, last_reached_at=utcnow() - timedelta(days=119))
    no_answer_old = await sent(session, w, days_ago=25)
    no_answer = await sent(session, w, days_ago=11)
    never = await accepted(session, w, days_ago=16)
    never_old = await accepted(session, w, days_ago=40)
    await sent(session, w, days_ago=5)  # not stalled yet
    await accepted(session, w, days_ago=20, last_reached_at=utcnow())  # in progress
    await sign_in(w.animator)

    body = (await client.get(f"{base(w)}/stalled")).json()
    assert [i["referral_id"] for i in body["items"]] == [
        never_old.id, never.id, no_answer_old.id, no_answer.id, dormant.id]
    assert [i["rule"] for i in body["items"]] == [
        "never_contacted", "never_contacted", "no_answer", "no_answer", "dormant"]
    assert [i["age_days"] for i in body["items"]] == [40, 16, 25, 11, 120]
    assert body["counts"] == {"no_answer": 2, "never_contacted": 2, "appointment_to_confirm": 0,
                              "missed_not_rebooked": 0, "dormant": 1}
    assert body["total"] == 5 and body["items"][2]["rule_label"] == "Sans réponse"

    body = (await client.get(f"{base(w)}/stalled", params={"rule": "no_answer"})).json()
    assert [i["referral_id"] for i in body["items"]] == [no_answer_old.id, no_answer.id] and body["total"] == 2
    assert body["counts"]["never_contacted"] == 2

    body = (await client.get(f"{base(w)}/stalled", params={"min_age_days": 20})).json()
    assert [i["referral_id"] for i in body["items"]] == [never_old.id, no_answer_old.id, dormant.id]

    body = (await client.get(f"{base(w)}/stalled", params={"structure_id": w.bystander.id})).json()
    assert body["total"] == 0
    body = (await client.get(f"{base(w)}/stalled", params={"structure_id": w.receiver.id})).json()
    assert body["total"] == 5 and other_receiver_service.structure_id == w.receiver.id

    body = (await client.get(f"{base(w)}/stalled", params={"page": 2, "page_size": 2})).json()
    assert [i["referral_id"] for i in body["items"]] == [no_answer_old.id, no_answer.id]
    assert (body["pages"], body["page"]) == (3, 2)

    response = await client.get(f"{base(w)}/stalled", params={"rule": "perdue"})
    assert response.status_code == 422 and "valeur inconnue" in response.json()["detail"]


async def test_counts_stop_at_the_limit_and_say_so(client, session, sign_in, monkeypatch):
    """Beyond COUNT_LIMIT stalled referrals of a rule the queue says "more than N"
    (and pages stop there) instead of counting every row on each page load."""
    from maillage.referrals import queue

    monkeypatch.setattr(queue, "COUNT_LIMIT", 2)
    w = await make_world(session)
    never = [await accepted(session, w, days_ago=days) for days in (30, 20, 16)]
    no_answer = await sent(session, w, days_ago=12)
    await sign_in(w.animator)

    body = (await client.get(f"{base(w)}/stalled", params={"page_size": 2})).json()
    assert body["counts"] == {"no_answer": 1, "never_contacted": 2, "appointment_to_confirm": 0,
                              "missed_not_rebooked": 0, "dormant": 0}
    assert (body["count_limit"], body["capped"], body["total_capped"]) == (2, ["never_contacted"], True)
    assert (body["total"], body["pages"]) == (3, 2)
    assert [i["referral_id"] for i in body["items"]] == [never[0].id, never[1].id]
    body = (await client.get(f"{base(w)}/stalled", params={"page_size": 2, "page": 2})).json()
    assert [i["referral_id"] for i in body["items"]] == [no_answer.id]

    body = (await client.get(f"{base(w)}/stalled", params={"rule": "no_answer"})).json()
    assert (body["total"], body["total_capped"], body["capped"]) == (1, False, ["never_contacted"])


async def test_queue_query_count_does_not_grow_with_the_page(client, session, sign_in, engine):
    w = await make_world(session)
    await sign_in(w.animator)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    async def queries() -> int:
        statements.clear()
        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            assert (await client.get(f"{base(w)}/stalled")).status_code == 200
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
        return len(statements)

    await accepted(session, w, days_ago=16)
    few = await queries()
    for days in range(11, 25):
        await sent(session, w, days_ago=days)
        await accepted(session, w, days_ago=days + 5)
    assert await queries() == few <= 6


async def test_snooze_hides_until_the_date(client, session, sign_in):
    w = await make_world(session)
    referral = await accepted(session, w, days_ago=16)
    await sign_in(w.animator)
    today = date.today()
    response = await client.post(f"{base(w)}/stalled/{referral.id}/snooze", json={"until": str(today)})
    assert response.status_code == 422 and "futur" in response.json()["detail"]

    until = today + timedelta(days=3)
    response = await client.post(f"{base(w)}/stalled/{referral.id}/snooze", json={"until": str(until)})
    assert response.status_code == 200, response.text
    assert response.json()["in_queue"] is False
    assert (await client.get(f"{base(w)}/stalled")).json()["total"] == 0
    page = PageParams(1, 20)
    back = snooze_instant(until)
    assert (await list_stalled(session, w.network, page, now=back - timedelta(minutes=1))).total == 0
    found = await list_stalled(session, w.network, page, now=back)
    assert found.total == 1 and found.rows[0].referral.id == referral.id
    kinds = list(await session.scalars(select(ReferralEvent.kind).where(ReferralEvent.referral_id == referral.id)))
    assert kinds == ["mise-en-attente"]


async def test_remind_emails_the_receiving_structure(client, session, sign_in):
    w = await make_world(session)
    referral = await sent(session, w, days_ago=12)
    await sign_in(w.animator)
    response = await client.post(f"{base(w)}/stalled/{referral.id}/remind",
                                 json={"message": "Pouvez-vous répondre à cette orientation cette semaine ?"})
    assert response.status_code == 200, response.text
    assert response.json()["in_queue"] is True
    queued = list(await session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "stall_animator_remind")))
    assert sorted(e.to_address for e in queued) == sorted(
        [w.receiver_member.email, w.receiver_admin.email, RECEIVER_INBOX])
    assert "cette semaine" in queued[0].text_body and "Awa D." in queued[0].subject
    event_row = await session.scalar(select(ReferralEvent).where(ReferralEvent.referral_id == referral.id))
    assert (event_row.kind, event_row.actor_user_id) == ("relance", w.animator.id)
    detail = (await client.get(f"/api/v1/referrals/{referral.id}")).json()
    assert "Relance de l'animation du réseau envoyée à la structure" in [i["label"] for i in detail["timeline"]]
    response = await client.post(f"{base(w)}/stalled/{referral.id}/remind", json={"message": ""})
    assert response.status_code == 422


async def test_close_accepted_and_refuse_closing_a_sent_one(client, session, sign_in):
    w = await make_world(session)
    waiting = await sent(session, w, days_ago=12)
    dormant = await accepted(session, w, days_ago=100, last_reached_at=utcnow() - timedelta(days=99))
    await sign_in(w.animator)
    response = await client.post(f"{base(w)}/stalled/{waiting.id}/close", json={"outcome": "abandon"})
    assert response.status_code == 409 and "ne peut pas être clôturée" in response.json()["detail"]
    response = await client.post(f"{base(w)}/stalled/{dormant.id}/close", json={"outcome": "autre"})
    assert response.status_code == 422 and "Précisez" in response.json()["detail"]
    response = await client.post(f"{base(w)}/stalled/{dormant.id}/close",
                                 json={"outcome": "abandon", "detail": "Injoignable depuis trois mois."})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "closed" and response.json()["in_queue"] is False
    again = await client.post(f"{base(w)}/stalled/{dormant.id}/close", json={"outcome": "abandon"})
    assert again.status_code == 409
    event_row = await session.scalar(select(ReferralEvent).where(ReferralEvent.referral_id == dormant.id))
    assert (event_row.kind, event_row.actor_user_id) == ("close", w.animator.id)


async def test_reconnected_is_for_accepted_referrals_with_a_past_date(client, session, sign_in):
    w = await make_world(session)
    waiting = await sent(session, w, days_ago=12)
    never = await accepted(session, w, days_ago=16)
    await sign_in(w.animator)
    now = utcnow()
    response = await client.post(f"{base(w)}/stalled/{waiting.id}/reconnected",
                                 json={"contacted_at": now.isoformat(), "channel": "telephone"})
    assert response.status_code == 409 and "relancez" in response.json()["detail"]
    response = await client.post(f"{base(w)}/stalled/{never.id}/reconnected",
                                 json={"contacted_at": (now + timedelta(days=1)).isoformat(), "channel": "sms"})
    assert response.status_code == 422 and "futur" in response.json()["detail"]
    response = await client.post(f"{base(w)}/stalled/{never.id}/reconnected",
                                 json={"contacted_at": now.isoformat(), "channel": "pigeon"})
    assert response.status_code == 422
    assert (await session.get(Referral, never.id)).last_reached_at is None


async def test_without_solution(client, session, sign_in):
    w = await make_world(session)
    stuck = await make_person(session, w.network, first_name="Karim", last_name="Benali")
    r1 = await sent(session, w, days_ago=40, person=stuck)
    r1.status = "refused"
    await sent(session, w, days_ago=5, person=stuck)
    recent = await make_person(session, w.network, first_name="Lina", last_name="Morel")
    await sent(session, w, days_ago=29, person=recent)
    helped = await make_person(session, w.network, first_name="Paul", last_name="Durand")
    await sent(session, w, days_ago=60, person=helped)
    await accepted(session, w, days_ago=50, person=helped)
    old = await make_person(session, w.network, first_name="Zoé", last_name="Petit")
    await sent(session, w, days_ago=200, person=old)
    await session.flush()
    await sign_in(w.animator)
    body = (await client.get(f"{base(w)}/without-solution")).json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["person"] == {"id": stuck.id, "display_name": "Karim B."}
    assert (item["referrals"], item["awaiting"], item["days_since_first"]) == (2, 1, 40)
    assert item["first_sent_at"] < item["last_sent_at"]


async def test_per_network_override_in_the_queue(client, session, sign_in):
    w = await make_world(session, settings={"never_contacted_days": 7})
    referral = await accepted(session, w, days_ago=7.1)
    await sign_in(w.animator)
    body = (await client.get(f"{base(w)}/stalled")).json()
    assert [(i["referral_id"], i["rule"]) for i in body["items"]] == [(referral.id, "never_contacted")]


async def test_a_referral_of_another_network_is_not_found(client, session, sign_in):
    w = await make_world(session)
    other = await make_world(session)
    referral = await accepted(session, other, days_ago=16)
    await sign_in(w.animator)
    response = await client.post(f"{base(w)}/stalled/{referral.id}/snooze",
                                 json={"until": str(date.today() + timedelta(days=3))})
    assert response.status_code == 404 and response.json()["error"] == "introuvable"
    response = await client.get("/api/v1/manage/networks/pas-un-reseau/stalled")
    assert response.status_code == 404


ROLES = {
    "anonymous": 401, "other_network": 403, "other_structure": 403, "member": 403, "admin": 403, "animator": 200,
}
USERS = {"other_network": "other_animator", "other_structure": "bystander_member", "member": "receiver_member",
         "admin": "receiver_admin", "animator": "animator"}


def _requests(w, referrals):
    later = str(date.today() + timedelta(days=3))
    return {
        "stalled": ("GET", f"{base(w)}/stalled", None),
        "without-solution": ("GET", f"{base(w)}/without-solution", None),
        "remind": ("POST", f"{base(w)}/stalled/{referrals['sent'].id}/remind", {"message": "Où en êtes-vous ?"}),
        "reconnected": ("POST", f"{base(w)}/stalled/{referrals['accepted'].id}/reconnected",
                        {"contacted_at": utcnow().isoformat(), "channel": "telephone"}),
        "snooze": ("POST", f"{base(w)}/stalled/{referrals['accepted'].id}/snooze", {"until": later}),
        "close": ("POST", f"{base(w)}/stalled/{referrals['accepted'].id}/close", {"outcome": "emploi-durable"}),
    }


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("route", ["stalled", "without-solution", "remind", "reconnected", "snooze", "close"])
async def test_permissions(client, session, sign_in, role, route):
    w = await make_world(session)
    referrals = {"sent": await sent(session, w, days_ago=12), "accepted": await accepted(session, w, days_ago=16)}
    if role != "anonymous":
        await sign_in(getattr(w, USERS[role]))
    method, path, body = _requests(w, referrals)[route]
    response = await client.request(method, path, json=body)
    assert response.status_code == ROLES[role], response.text
    if response.status_code != 200:
        assert set(response.json()) == {"error", "detail"}
        changed = await session.scalar(select(ReferralEvent.id).where(
            ReferralEvent.referral_id.in_([r.id for r in referrals.values()])))
        assert changed is None
