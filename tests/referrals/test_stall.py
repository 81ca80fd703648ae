"""Stall rules and their jobs (DESIGN.md "Stall rules"): the seeds' case end to end,
reminders at 10 and 20 days, expiry at 30 with the sender told, never contacted at 15,
dormant at 90, per-network delays, the weekly digest — each email once, even with two
runners at once."""

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from maillage.db import make_engine, make_sessionmaker, utcnow
from maillage.migrate import upgrade_async
from maillage.notifications.models import OutboxEmail
from maillage.referrals import stall
from maillage.referrals.models import Referral, ReferralContact, ReferralEvent
from sqlalchemy import func, or_, select, update

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_service, make_structure
from tests.referrals.factories import make_person, make_referral

RECEIVER_INBOX = "orientations@restaurant.example.org"


@dataclass
class World:
    network: object
    other_network: object
    sender: object
    receiver: object
    bystander: object
    service: object
    person: object
    counsellor: object
    receiver_member: object
    receiver_admin: object
    bystander_member: object
    animator: object
    other_animator: object


async def make_world(session, **network_fields) -> World:
    network = await make_network(session, **network_fields)
    other_network = await make_network(session)
    sender = await make_structure(session, network, nom="Mission Locale de Pantin")
    receiver = await make_structure(session, network, nom="Restaurant d'insertion")
    bystander = await make_structure(session, network, nom="Association du quartier")
    service = await make_service(session, receiver, nom="Commis de cuisine", accepts_referrals=True,
                                 referral_emails=[RECEIVER_INBOX])
    person = await make_person(session, network, first_name="Awa", last_name="Diallo")
    return World(
        network=network, other_network=other_network, sender=sender, receiver=receiver, bystander=bystander,
        service=service, person=person,
        counsellor=await make_user(session, member_of=[sender]),
        receiver_member=await make_user(session, member_of=[receiver]),
        receiver_admin=await make_user(session, admin_of=[receiver]),
        bystander_member=await make_user(session, member_of=[bystander]),
        animator=await make_user(session, animator_of=[network]),
        other_animator=await make_user(session, animator_of=[other_network]),
    )


async def sent(session, w: World, days_ago: float, now=None, person=None) -> Referral:
    at = (now or utcnow()) - timedelta(days=days_ago)
    return await make_referral(session, person or w.person, w.service, w.sender, sender_user_id=w.counsellor.id,
                               status="sent", sent_at=at, last_event_at=at)


async def accepted(session, w: World, days_ago: float, now=None, person=None, **fields) -> Referral:
    now = now or utcnow()
    at = now - timedelta(days=days_ago)
    values = {"sender_user_id": w.counsellor.id, "status": "accepted", "sent_at": at - timedelta(days=2),
                  "answered_at": at, "last_event_at": at}
    values.update(fields)
    return await make_referral(session, person or w.person, w.service, w.sender, **values)


async def emails(session, key: str) -> list[OutboxEmail]:
    """The emails queued under a dedupe key (the guard ``key`` and ``key:n``)."""
    return list(await session.scalars(
        select(OutboxEmail).where(or_(OutboxEmail.dedupe_key == key, OutboxEmail.dedupe_key.like(f"{key}:%")))
        .order_by(OutboxEmail.to_address)
    ))


def receiver_addresses(w: World) -> list[str]:
    return sorted([w.receiver_member.email, w.receiver_admin.email, RECEIVER_INBOX])


async def test_seeds_case_end_to_end(client, session, sign_in):
    """Accepted, never contacted: not stalled at day 14; at day 15 in the animator's queue
    with one reminder queued (however many runs); the animator reconnects: it leaves."""
    w = await make_world(session)
    now = utcnow()
    referral = await accepted(session, w, days_ago=14)
    key = f"stall:never_contacted:{referral.id}"

    await stall.run_stall_rules(session, now)
    assert await emails(session, key) == []
    await sign_in(w.animator)
    queue = (await client.get(f"/api/v1/manage/networks/{w.network.slug}/stalled")).json()
    assert queue["total"] == 0 and queue["counts"]["never_contacted"] == 0

    # Day 15 (the acceptance moved back one day).
    await session.execute(update(Referral).where(Referral.id == referral.id)
                          .values(answered_at=now - timedelta(days=15, hours=1)))
    first = await stall.run_stall_rules(session)
    second = await stall.run_stall_rules(session)
    assert first[stall.NEVER_CONTACTED_REMINDERS] >= 3 and second[stall.NEVER_CONTACTED_REMINDERS] == 0
    queued = await emails(session, key)
    assert [e.to_address for e in queued] == receiver_addresses(w)
    assert sum(e.dedupe_key == key for e in queued) == 1
    assert "Awa D." in queued[0].subject and "Diallo" not in queued[0].subject
    assert "Commis de cuisine" in queued[0].text_body

    queue = (await client.get(f"/api/v1/manage/networks/{w.network.slug}/stalled")).json()
    assert queue["total"] == 1 and queue["counts"] == {"no_answer": 0, "never_contacted": 1, "dormant": 0,
                                                       "appointment_to_confirm": 0, "missed_not_rebooked": 0}
    item = queue["items"][0]
    assert (item["referral_id"], item["rule"], item["age_days"]) == (referral.id, "never_contacted", 15)
    assert item["person"]["display_name"] == "Awa D."
    assert item["sender_structure"]["nom"] == "Mission Locale de Pantin"
    assert item["receiver_structure"]["nom"] == "Restaurant d'insertion"
    assert item["service"]["nom"] == "Commis de cuisine"

    response = await client.post(
        f"/api/v1/manage/networks/{w.network.slug}/stalled/{referral.id}/reconnected",
        json={"contacted_at": (now - timedelta(hours=2)).isoformat(), "channel": "telephone",
              "note": "Joint par téléphone, RDV pris mardi."},
    )
    assert response.status_code == 200, response.text
    assert response.json()["in_queue"] is False and response.json()["last_reached_at"] is not None
    contact = await session.scalar(select(ReferralContact).where(ReferralContact.referral_id == referral.id))
    assert (contact.reached, contact.author_id, contact.channel) == (True, w.animator.id, "telephone")
    kinds = list(await session.scalars(select(ReferralEvent.kind).where(ReferralEvent.referral_id == referral.id)))
    assert "contact" in kinds and "relance" in kinds
    queue = (await client.get(f"/api/v1/manage/networks/{w.network.slug}/stalled")).json()
    assert queue["total"] == 0
    await stall.run_stall_rules(session)
    assert len(await emails(session, key)) == 3


async def test_day_14_and_15_with_injected_time(session):
    w = await make_world(session)
    now = utcnow()
    referral = await accepted(session, w, days_ago=0, now=now)
    key = f"stall:never_contacted:{referral.id}"
    await stall.run_stall_rules(session, now + timedelta(days=14, hours=23))
    assert await emails(session, key) == []
    await stall.run_stall_rules(session, now + timedelta(days=15))
    assert len(await emails(session, key)) == 3


async def test_two_concurrent_runners_queue_each_email_once(fresh_database_url):
    """Two runners (two connections) at the same moment on a committed database."""
    await upgrade_async(fresh_database_url)
    engines = [make_engine(fresh_database_url) for _ in range(2)]
    makers = [make_sessionmaker(e) for e in engines]
    now = utcnow()
    try:
        async with makers[0]() as session:
            w = await make_world(session)
            ids = {
                "never": (await accepted(session, w, days_ago=15, now=now)).id,
                "day10": (await sent(session, w, days_ago=10, now=now)).id,
                "expired": (await sent(session, w, days_ago=30, now=now)).id,
            }
            await session.commit()

        async def runner(maker):
            async with maker() as session:
                counts = await stall.run_stall_rules(session, now)
                await session.commit()
                return counts

        results = await asyncio.gather(runner(makers[0]), runner(makers[1]))
        assert sorted(r[stall.EXPIRED] for r in results) == [0, 1]
        async with makers[0]() as session:
            assert len(await emails(session, f"stall:never_contacted:{ids['never']}")) == 3
            assert len(await emails(session, f"stall:no_answer:{ids['day10']}:10")) == 3
            notice = await emails(session, f"stall:expired:{ids['expired']}")
            assert [e.to_address for e in notice] == [w.counsellor.email]
            assert await session.scalar(select(func.count()).select_from(ReferralEvent).where(
                ReferralEvent.referral_id == ids["expired"], ReferralEvent.kind == "expire")) == 1
            assert await session.scalar(select(func.count()).select_from(ReferralEvent).where(
                ReferralEvent.referral_id == ids["never"], ReferralEvent.kind == "relance")) == 1
            assert await session.scalar(select(func.count()).select_from(OutboxEmail)) == 7
            # A third run later the same day adds nothing.
            counts = await stall.run_stall_rules(session, now + timedelta(hours=3))
            await session.commit()
            assert counts[stall.NEVER_CONTACTED_REMINDERS] == counts[stall.NO_ANSWER_REMINDERS] == 0
            assert await session.scalar(select(func.count()).select_from(OutboxEmail)) == 7
    finally:
        for engine in engines:
            await engine.dispose()


async def test_no_answer_reminders_at_day_10_and_20_once_each(session):
    w = await make_world(session)
    t = utcnow()
    referral = await sent(session, w, days_ago=0, now=t)
    day10, day20 = f"stall:no_answer:{referral.id}:10", f"stall:no_answer:{referral.id}:20"
    await stall.run_stall_rules(session, t + timedelta(days=9, hours=23))
    assert await emails(session, day10) == []
    for _ in range(2):
        await stall.run_stall_rules(session, t + timedelta(days=10))
    reminders = await emails(session, day10)
    assert [e.to_address for e in reminders] == receiver_addresses(w)
    assert "10 jours" in reminders[0].subject and "Awa D." in reminders[0].subject
    await stall.run_stall_rules(session, t + timedelta(days=19))
    assert await emails(session, day20) == []
    for _ in range(2):
        await stall.run_stall_rules(session, t + timedelta(days=20))
    assert len(await emails(session, day20)) == 3
    await stall.run_stall_rules(session, t + timedelta(days=25))
    assert len(await emails(session, day10)) == len(await emails(session, day20)) == 3
    events = list(await session.scalars(select(ReferralEvent.data).where(
        ReferralEvent.referral_id == referral.id, ReferralEvent.kind == "relance")))
    assert sorted(e["jour"] for e in events) == [10, 20]


async def test_a_late_runner_sends_only_the_latest_reminder(session):
    w = await make_world(session)
    t = utcnow()
    referral = await sent(session, w, days_ago=0, now=t)
    await stall.run_stall_rules(session, t + timedelta(days=21))
    assert await emails(session, f"stall:no_answer:{referral.id}:10") == []
    assert len(await emails(session, f"stall:no_answer:{referral.id}:20")) == 3


async def test_expiry_at_day_30_sender_told_once(session):
    w = await make_world(session)
    t = utcnow()
    referral = await sent(session, w, days_ago=0, now=t)
    await stall.run_stall_rules(session, t + timedelta(days=29, hours=23))
    await session.refresh(referral)
    assert referral.status == "sent"
    first = await stall.run_stall_rules(session, t + timedelta(days=30))
    second = await stall.run_stall_rules(session, t + timedelta(days=30, hours=1))
    assert first[stall.EXPIRED] >= 1 and second[stall.EXPIRED] == 0
    await session.refresh(referral)
    assert referral.status == "expired" and referral.closed_at == t + timedelta(days=30)
    notice = await emails(session, f"stall:expired:{referral.id}")
    assert [e.to_address for e in notice] == [w.counsellor.email]
    assert "expirée" in notice[0].subject and "Restaurant d'insertion" in notice[0].text_body
    event = await session.scalar(select(ReferralEvent).where(ReferralEvent.referral_id == referral.id,
                                                             ReferralEvent.kind == "expire"))
    assert event.actor_user_id is None


async def test_expiry_tells_the_sender_structure_when_the_sender_left(session):
    w = await make_world(session)
    t = utcnow()
    referral = await make_referral(session, w.person, w.service, w.sender, status="sent", sent_at=t,
                                   last_event_at=t)
    await stall.run_stall_rules(session, t + timedelta(days=31))
    assert [e.to_address for e in await emails(session, f"stall:expired:{referral.id}")] == [w.counsellor.email]


async def test_dormant_after_90_days_without_event(session):
    from maillage.pagination import PageParams
    from maillage.referrals.queue import list_stalled

    w = await make_world(session)
    t = utcnow()
    referral = await accepted(session, w, days_ago=0, now=t, last_reached_at=t)
    page = PageParams(1, 20)
    assert (await list_stalled(session, w.network, page, now=t + timedelta(days=89))).total == 0
    found = await list_stalled(session, w.network, page, now=t + timedelta(days=90))
    assert (found.total, found.rows[0].rule, found.rows[0].referral.id) == (1, "dormant", referral.id)
    counts = await stall.run_stall_rules(session, t + timedelta(days=90))
    assert counts[stall.DORMANT] >= 1
    assert await emails(session, f"stall:never_contacted:{referral.id}") == []


async def test_per_network_delay_override(session):
    w = await make_world(session, settings={"never_contacted_days": 7})
    t = utcnow()
    referral = await accepted(session, w, days_ago=0, now=t)
    await stall.run_stall_rules(session, t + timedelta(days=6))
    assert await emails(session, f"stall:never_contacted:{referral.id}") == []
    await stall.run_stall_rules(session, t + timedelta(days=7))
    assert len(await emails(session, f"stall:never_contacted:{referral.id}")) == 3


async def test_a_structure_without_anybody_gets_its_public_address(session):
    w = await make_world(session)
    lonely = await make_structure(session, w.network, nom="Chantier d'insertion", courriel="accueil@chantier.example.org")
    service = await make_service(session, lonely, accepts_referrals=True)
    t = utcnow()
    referral = await make_referral(session, w.person, service, w.sender, status="sent", sent_at=t, last_event_at=t)
    await stall.run_stall_rules(session, t + timedelta(days=10))
    assert [e.to_address for e in await emails(session, f"stall:no_answer:{referral.id}:10")] == [
        "accueil@chantier.example.org"]


async def test_weekly_digest_once_per_week(session):
    w = await make_world(session)
    t = utcnow()
    await sent(session, w, days_ago=3, now=t)
    await sent(session, w, days_ago=12, now=t)
    await accepted(session, w, days_ago=2, now=t)
    await accepted(session, w, days_ago=2, now=t, last_reached_at=t)  # contacted: not in the digest
    key = f"digest:{w.receiver.id}:{stall.iso_week(t)}"
    first = await stall.weekly_digest(session, t)
    again = await stall.weekly_digest(session, t + timedelta(hours=1))
    assert first[stall.DIGESTS] >= 2 and again[stall.DIGESTS] == 0
    digest = await emails(session, key)
    assert [e.to_address for e in digest] == sorted([w.receiver_member.email, w.receiver_admin.email])
    body = digest[0].text_body
    assert "2 orientations reçues sans réponse (la plus ancienne depuis 12 jours)" in body
    assert "1 orientation acceptée dont la personne n'a pas encore été contactée" in body
    assert await emails(session, f"digest:{w.sender.id}:{stall.iso_week(t)}") == []
    next_week = t + timedelta(days=7)
    await stall.weekly_digest(session, next_week)
    assert len(await emails(session, f"digest:{w.receiver.id}:{stall.iso_week(next_week)}")) == 2


async def test_a_run_handles_a_bounded_batch_and_the_next_run_the_rest(session, monkeypatch):
    monkeypatch.setattr(stall, "BATCH", 2)
    w = await make_world(session)
    t = utcnow()
    referrals = [await sent(session, w, days_ago=0, now=t) for _ in range(3)]
    keys = [f"stall:no_answer:{r.id}:10" for r in referrals]
    await stall.run_stall_rules(session, t + timedelta(days=10))
    assert [bool(await emails(session, k)) for k in keys] == [True, True, False]
    await stall.run_stall_rules(session, t + timedelta(days=10, minutes=1))
    assert [len(await emails(session, k)) for k in keys] == [3, 3, 3]
