"""Bookings feed the follow-up status (in Python and in SQL alike) and the stall rules:
an appointment past by 2 days with no attendance is "RDV à préciser" in the animators'
queue, a no-show with nothing new for 15 days is "RDV manqué, non reprogrammé", an
upcoming appointment is not "never contacted"; acting takes the referral out."""

from datetime import timedelta

from maillage.appointments import booking as bookings
from maillage.appointments.models import BookableBy, Place, Slot
from maillage.db import utcnow
from maillage.pagination import PageParams
from maillage.referrals.followup_sql import follow_up_expression
from maillage.referrals.models import Referral
from maillage.referrals.queue import list_stalled
from maillage.referrals.service import current_follow_up
from sqlalchemy import select

from tests.referrals.factories import make_person
from tests.referrals.test_stall import accepted, make_world

PAGE = PageParams(1, 50)


async def _slot(session, w, starts) -> Slot:
    place = Place(network_id=w.network.id, structure_id=w.receiver.id, name="Accueil", kind="sur-place",
                  adresse="1 rue Hoche")
    session.add(place)
    await session.flush()
    slot = Slot(network_id=w.network.id, structure_id=w.receiver.id, service_id=w.service.id, place_id=place.id,
                starts_at=starts, ends_at=starts + timedelta(hours=1), capacity=5, booked_count=0,
                bookable_by=BookableBy.NETWORK)
    session.add(slot)
    await session.flush()
    return slot


async def _rules(session, w, now) -> dict[int, str]:
    found = await list_stalled(session, w.network, PAGE, now=now)
    return {row.referral.id: row.rule for row in found.rows}


async def _sql_follow_up(session, referral_id, now) -> str:
    return await session.scalar(select(follow_up_expression(now)).where(Referral.id == referral_id))


async def test_appointment_rules_in_the_queue_and_out_again(session):
    w = await make_world(session)
    t0 = utcnow()
    slot = await _slot(session, w, t0 + timedelta(days=1))
    # Accepted 20 days ago, never reached: "never contacted"… unless an appointment is booked.
    referral = await accepted(session, w, days_ago=20, now=t0)
    assert (await _rules(session, w, t0)) == {referral.id: "never_contacted"}
    booking = await bookings.book(session, referral, slot, by_user_id=None, by_structure_id=w.sender.id,
                                  by_receiver=False, notify_person=False, now=t0, send_emails=False)
    await session.refresh(referral)
    assert (await _rules(session, w, t0)) == {}
    assert current_follow_up(referral, t0) == await _sql_follow_up(session, referral.id, t0) == "appointment_upcoming"

    # Ended one day ago: to confirm, not yet in the queue; after 2 days it is.
    day_after = slot.ends_at + timedelta(days=1)
    assert current_follow_up(referral, day_after) == "appointment_to_confirm"
    assert await _sql_follow_up(session, referral.id, day_after) == "appointment_to_confirm"
    assert (await _rules(session, w, day_after)) == {}
    later = slot.ends_at + timedelta(days=2, minutes=5)
    assert (await _rules(session, w, later)) == {referral.id: "appointment_to_confirm"}

    # Marked missed: out of the queue, back as "missed, not rebooked" 15 days later.
    await bookings.mark_attendance(session, booking, referral, "missed", by_user_id=None,
                                   by_structure_id=w.receiver.id, now=later)
    await session.refresh(referral)
    assert current_follow_up(referral, later) == await _sql_follow_up(session, referral.id, later) == \
        "appointment_missed"
    assert (await _rules(session, w, later + timedelta(days=14))) == {}
    stalled_at = later + timedelta(days=15, minutes=1)
    assert (await _rules(session, w, stalled_at)) == {referral.id: "missed_not_rebooked"}

    # Rebooked: upcoming again, out of the queue.
    again = await _slot(session, w, stalled_at + timedelta(days=2))
    await bookings.book(session, referral, again, by_user_id=None, by_structure_id=w.receiver.id, by_receiver=True,
                        notify_person=False, now=stalled_at, send_emails=False)
    await session.refresh(referral)
    assert (await _rules(session, w, stalled_at)) == {}
    assert current_follow_up(referral, stalled_at) == "appointment_upcoming"


async def test_honoured_appointment_accepts_an_unanswered_referral(session):
    w = await make_world(session)
    t0 = utcnow()
    slot = await _slot(session, w, t0 + timedelta(hours=2))
    person = await make_person(session, w.network)
    from tests.referrals.test_stall import sent

    referral = await sent(session, w, days_ago=3, now=t0, person=person)
    booking = await bookings.book(session, referral, slot, by_user_id=None, by_structure_id=w.sender.id,
                                  by_receiver=False, notify_person=False, now=t0, send_emails=False)
    after = slot.ends_at + timedelta(minutes=10)
    await bookings.mark_attendance(session, booking, referral, "honoured", by_user_id=w.receiver_member.id,
                                   by_structure_id=w.receiver.id, now=after)
    await session.refresh(referral)
    assert referral.status == "accepted" and referral.honoured_at == slot.starts_at
    assert current_follow_up(referral, after) == await _sql_follow_up(session, referral.id, after) == "in_progress"
    # Even 200 days later and never "reached" by phone, a person who came is not "never contacted".
    far = after + timedelta(days=200)
    assert (await _rules(session, w, far)) == {referral.id: "dormant"}
