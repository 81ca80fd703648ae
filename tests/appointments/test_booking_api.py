"""Appointments through the API: a structure publishes slots, a counsellor orients and
books in one go, the person and the counsellor are told (with an .ics file), the
structure sees the booking in its agenda and marks it, and the follow-up status moves."""

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from maillage.appointments import booking as bookings
from maillage.appointments import jobs
from maillage.appointments.models import Booking, Slot
from maillage.appointments.schedule import PARIS, local_instant
from maillage.db import utcnow
from maillage.notifications.models import OutboxEmail
from maillage.referrals.models import Referral
from sqlalchemy import select

from tests.referrals.factories import make_person
from tests.referrals.test_referrals_api import World, acting_as, build_world, referral_body

API = "/api/v1"


@pytest.fixture
async def world(session) -> World:
    return await build_world(session)


@pytest.fixture
def act_as(sign_in, world):
    return acting_as(sign_in, world)


def body_for(world: World):
    """``referral_body`` with the ids read once: a refused « orienter et prendre RDV »
    rolls back its savepoint, which expires the test session's objects."""
    base = referral_body(world)
    return lambda **over: {**base, **over}


def next_weekday(weekday: int, weeks: int = 1) -> date:
    today = utcnow().astimezone(PARIS).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


async def publish(act_as, world: World, *, capacity: int = 1, bookable_by: str = "network", weeks: int = 1) -> dict:
    """A place (by the admin) and a one-off slot next week (by a member)."""
    admin = await act_as("admin")
    place = await admin.post(f"{API}/structures/{world.receiver.id}/places", json={
        "name": "Accueil du restaurant", "kind": "sur-place", "adresse": "12 rue Hoche", "code_postal": "93500",
        "commune": "Pantin", "instructions": "Sonnez à l'interphone « Relais »."})
    assert place.status_code == 201, place.text
    member = await act_as("member")
    starts = local_instant(next_weekday(1, weeks), datetime.min.time().replace(hour=9, minute=30))
    slot = await member.post(f"{API}/services/{world.service.id}/slots", json={
        "place_id": place.json()["id"], "starts_at": starts.isoformat(), "duration_minutes": 45,
        "capacity": capacity, "bookable_by": bookable_by, "title": "Entretien d'accueil"})
    assert slot.status_code == 201, slot.text
    return slot.json()


async def test_orient_and_book_in_one_go_then_attendance_moves_the_follow_up(client, session, world, act_as):
    slot = await publish(act_as, world)
    counsellor = await act_as("counsellor")
    free = (await counsellor.get(f"{API}/services/{world.service.id}/slots")).json()
    assert [s["id"] for s in free["items"]] == [slot["id"]] and free["items"][0]["remaining"] == 1
    assert free["items"][0]["place"]["adresse"] == "12 rue Hoche"

    response = await counsellor.post(f"{API}/referrals", json=referral_body(world, slot_id=slot["id"],
                                                                             notify_person=True))
    assert response.status_code == 201, response.text
    referral = response.json()
    assert referral["follow_up"] == "awaiting_answer"
    booked = (await counsellor.get(f"{API}/referrals/{referral['id']}/bookings")).json()
    assert [(b["slot_id"], b["status"], b["status_label"]) for b in booked] == [(slot["id"], "booked", "RDV pris")]
    assert (await counsellor.get(f"{API}/services/{world.service.id}/slots")).json()["total"] == 0
    labels = [i["label"] for i in referral["timeline"]]
    assert labels[-1].startswith("Rendez-vous pris pour le mardi ") and "à 09 h 30" in labels[-1]

    # The person gets a confirmation with an .ics file; the counsellor too (first name + initial).
    emails = (await session.scalars(select(OutboxEmail).where(OutboxEmail.kind.like("booking_%"))
                                    .order_by(OutboxEmail.id))).all()
    assert [(e.kind, e.to_address) for e in emails] == [("booking_confirmation", "awa.diallo@exemple.fr"),
                                                         ("booking_booked", "conseillere@ml.example.org")]
    assert "Sonnez à l'interphone" in emails[0].text_body and "Diallo" not in emails[1].subject
    import base64

    cal = Calendar.from_ical(base64.b64decode(emails[0].attachments[0]["content_b64"]))
    event = next(iter(cal.walk("VEVENT")))
    assert event.decoded("dtstart") == datetime.fromisoformat(slot["starts_at"])
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)
    assert "Entretien d'accueil" in str(event.get("summary")) and "12 rue Hoche" in str(event.get("location"))
    assert str(cal.get("method")) == "PUBLISH"

    # The structure accepts and sees the booking in its agenda (week of the slot).
    member = await act_as("member")
    assert (await member.post(f"{API}/referrals/{referral['id']}/accept")).status_code == 200
    start = datetime.fromisoformat(slot["starts_at"]) - timedelta(days=1)
    agenda = (await member.get(f"{API}/structures/{world.receiver.id}/agenda",
                               params={"from": start.isoformat(), "to": (start + timedelta(days=7)).isoformat()})).json()
    assert [(s["id"], s["remaining"]) for s in agenda["slots"]] == [(slot["id"], 0)]
    assert [b["person"]["last_name"] for b in agenda["slots"][0]["bookings"]] == ["Diallo"]
    assert agenda["slots"][0]["bookings"][0]["booked_by"].endswith("(Mission Locale de Pantin)")
    page = (await member.get(f"{API}/referrals/{referral['id']}")).json()
    assert page["follow_up"] == "appointment_upcoming"

    # Too early to mark attendance.
    booking_id = booked[0]["id"]
    early = await member.post(f"{API}/bookings/{booking_id}/attendance", json={"status": "honoured"})
    assert early.status_code == 409 and "pas encore eu lieu" in early.json()["detail"]

    # After the appointment (time moved on for the service layer): to confirm, then honoured.
    row = await session.get(Booking, booking_id)
    ref = await session.get(Referral, referral["id"])
    later = row.ends_at + timedelta(hours=1)
    from maillage.referrals.service import current_follow_up

    assert current_follow_up(ref, later) == "appointment_to_confirm"
    await bookings.mark_attendance(session, row, ref, "missed", by_user_id=None, by_structure_id=world.receiver.id,
                                   now=later)
    await session.refresh(ref)
    assert current_follow_up(ref, later) == "appointment_missed"
    await bookings.mark_attendance(session, row, ref, "honoured", by_user_id=None, by_structure_id=world.receiver.id,
                                   now=later)
    await session.refresh(ref)
    assert (ref.appointment_status, current_follow_up(ref, later)) == ("honoured", "in_progress")
    assert ref.honoured_at == row.starts_at


async def test_a_full_slot_refuses_the_whole_referral_and_keeps_nothing(client, session, world, act_as):
    slot = await publish(act_as, world)
    body = body_for(world)
    other = (await make_person(session, world.network, created_by_structure_id=world.mission.id)).id
    counsellor = await act_as("counsellor")
    first = await counsellor.post(f"{API}/referrals", json=body(slot_id=slot["id"]))
    assert first.status_code == 201
    before = await session.scalar(select(Referral.id).order_by(Referral.id.desc()).limit(1))
    second = await counsellor.post(f"{API}/referrals", json=body(slot_id=slot["id"], person_id=other))
    assert second.status_code == 409 and "complet" in second.json()["detail"]
    assert await session.scalar(select(Referral.id).order_by(Referral.id.desc()).limit(1)) == before


async def test_collective_slot_capacity_move_cancel_and_refusal_free_places(client, session, world, act_as):
    slot = await publish(act_as, world, capacity=2)
    other = await publish(act_as, world, weeks=2)
    people = [world.person.id] + [
        (await make_person(session, world.network, created_by_structure_id=world.mission.id)).id for _ in range(2)]
    body = body_for(world)
    counsellor = await act_as("counsellor")
    ids = []
    for person_id in people[:2]:
        response = await counsellor.post(f"{API}/referrals", json=body(slot_id=slot["id"], person_id=person_id))
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    same = await counsellor.post(f"{API}/referrals", json=body(slot_id=slot["id"]))
    assert same.status_code == 409 and "déjà une place" in same.json()["detail"]
    third = await counsellor.post(f"{API}/referrals", json=body(person_id=people[2]))
    full = await counsellor.post(f"{API}/referrals/{third.json()['id']}/bookings", json={"slot_id": slot["id"]})
    assert full.status_code == 409
    assert (await session.get(Slot, slot["id"])).booked_count == 2

    # A second upcoming booking on one referral: move instead.
    again = await counsellor.post(f"{API}/referrals/{ids[0]}/bookings", json={"slot_id": other["id"]})
    assert again.status_code == 409 and "déplacez-le" in again.json()["detail"]
    first = (await counsellor.get(f"{API}/referrals/{ids[0]}/bookings")).json()[0]
    moved = await counsellor.post(f"{API}/bookings/{first['id']}/move", json={"slot_id": other["id"]})
    assert moved.status_code == 200, moved.text
    history = (await counsellor.get(f"{API}/referrals/{ids[0]}/bookings")).json()
    assert [(b["slot_id"], b["status"]) for b in history] == [(other["id"], "booked"), (slot["id"], "cancelled")]
    assert history[1]["moved_to_id"] == history[0]["id"]
    assert (await session.get(Slot, slot["id"])).booked_count == 1

    # Cancelling needs a reason and frees the place; refusing the referral cancels its booking.
    second = (await counsellor.get(f"{API}/referrals/{ids[1]}/bookings")).json()[0]
    assert (await counsellor.post(f"{API}/bookings/{second['id']}/cancel", json={"reason": ""})).status_code == 422
    assert (await counsellor.post(f"{API}/bookings/{second['id']}/cancel",
                                  json={"reason": "La personne a trouvé un emploi"})).status_code == 200
    assert (await session.get(Slot, slot["id"])).booked_count == 0
    member = await act_as("member")
    refused = await member.post(f"{API}/referrals/{ids[0]}/refuse", json={"reason": "plus-de-place"})
    assert refused.status_code == 200, refused.text
    assert (await session.get(Slot, other["id"])).booked_count == 0
    assert (await member.get(f"{API}/referrals/{ids[0]}/bookings")).json()[0]["status"] == "cancelled"


async def test_structure_only_slots_are_hidden_from_other_structures(client, session, world, act_as):
    slot = await publish(act_as, world, bookable_by="structure")
    counsellor = await act_as("counsellor")
    assert (await counsellor.get(f"{API}/services/{world.service.id}/slots")).json()["total"] == 0
    referral = (await counsellor.post(f"{API}/referrals", json=referral_body(world))).json()
    refused = await counsellor.post(f"{API}/referrals/{referral['id']}/bookings", json={"slot_id": slot["id"]})
    assert refused.status_code == 409 and "réservé par la structure" in refused.json()["detail"]
    member = await act_as("member")
    assert (await member.get(f"{API}/services/{world.service.id}/slots")).json()["total"] == 1
    booked = await member.post(f"{API}/referrals/{referral['id']}/bookings", json={"slot_id": slot["id"]})
    assert booked.status_code == 201, booked.text
    far = await act_as("other_network")
    assert (await far.get(f"{API}/services/{world.service.id}/slots")).status_code == 403


async def test_weekly_series_with_exceptions_and_stop(client, session, world, act_as):
    admin = await act_as("admin")
    place = (await admin.post(f"{API}/structures/{world.receiver.id}/places", json={
        "name": "Permanence téléphonique", "kind": "telephone"})).json()
    on_site = await admin.patch(f"{API}/places/{place['id']}", json={"kind": "sur-place"})
    assert on_site.status_code == 422 and "adresse" in on_site.json()["detail"]
    monday = next_weekday(0)
    body = {"place_id": place["id"], "weekdays": [0, 3], "start_time": "14:00", "duration_minutes": 30,
            "capacity": 1, "starts_on": monday.isoformat(), "ends_on": (monday + timedelta(days=27)).isoformat(),
            "exceptions": [(monday + timedelta(days=7)).isoformat()]}
    member = await act_as("member")
    created = await member.post(f"{API}/services/{world.service.id}/slot-series", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["slots_created"] == 7   # 8 Mondays and Thursdays, one Monday off
    read = (await member.get(f"{API}/slot-series/{created.json()['id']}")).json()
    assert (read["weekdays"], read["start_time"], read["stopped"]) == ([0, 3], "14:00", False)
    bad = await member.post(f"{API}/services/{world.service.id}/slot-series", json={**body, "start_time": "25:00"})
    assert bad.status_code == 422 and "HH:MM" in bad.json()["detail"]
    series_id = created.json()["id"]
    off = await member.post(f"{API}/slot-series/{series_id}/exceptions",
                            json={"dates": [(monday + timedelta(days=3)).isoformat()], "reason": "Formation"})
    assert off.status_code == 200 and len(off.json()["exceptions"]) == 2
    counsellor = await act_as("counsellor")
    window = {"to": local_instant(monday + timedelta(days=30), datetime.min.time()).isoformat()}
    free = (await counsellor.get(f"{API}/services/{world.service.id}/slots", params=window)).json()
    assert free["total"] == 6
    assert all(datetime.fromisoformat(s["starts_at"]).astimezone(PARIS).hour == 14 for s in free["items"])
    member = await act_as("member")
    stopped = await member.post(f"{API}/slot-series/{series_id}/stop", json={})
    assert stopped.json() == {"cancelled": 6, "kept": 0}
    assert (await member.get(f"{API}/services/{world.service.id}/slots", params=window)).json()["total"] == 0


async def test_reminder_and_attendance_request_are_sent_once(client, session, world, act_as):
    slot = await publish(act_as, world)
    counsellor = await act_as("counsellor")
    referral = (await counsellor.post(f"{API}/referrals", json=referral_body(world, slot_id=slot["id"],
                                                                             notify_person=True))).json()
    booking = await session.scalar(select(Booking).where(Booking.referral_id == referral["id"]))
    booking.created_at = booking.starts_at - timedelta(days=6)
    await session.flush()
    two_days_before = booking.starts_at - timedelta(days=1, hours=23)
    for _ in range(2):
        await jobs.run(session, two_days_before)
    reminders = (await session.scalars(select(OutboxEmail).where(
        OutboxEmail.kind == "booking_reminder", OutboxEmail.dedupe_key.like(f"booking:reminder:{booking.id}%")))).all()
    assert sorted(e.to_address for e in reminders) == ["awa.diallo@exemple.fr", "conseillere@ml.example.org"]

    after = booking.ends_at + timedelta(days=2, minutes=1)
    for _ in range(2):
        await jobs.run(session, after)
    asked = (await session.scalars(select(OutboxEmail).where(
        OutboxEmail.dedupe_key.like(f"booking:to_confirm:{booking.id}%")))).all()
    assert sorted(e.to_address for e in asked) == ["admin@relais.example.org", "membre@relais.example.org"]
    assert "RDV à préciser" in asked[0].subject


async def test_calendar_feed_is_secret_and_revocable(client, session, world, act_as):
    slot = await publish(act_as, world)
    counsellor = await act_as("counsellor")
    await counsellor.post(f"{API}/referrals", json=referral_body(world, slot_id=slot["id"]))
    admin = await act_as("admin")
    created = await admin.post(f"{API}/structures/{world.receiver.id}/calendar-feeds", json={"label": "Accueil"})
    assert created.status_code == 201, created.text
    url = created.json()["url"]
    path = url[url.index("/api/v1/"):]
    client.cookies.clear()
    feed = await client.get(path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = list(Calendar.from_ical(feed.content).walk("VEVENT"))
    assert [str(e.get("summary")) for e in events] == ["Awa D. — Entretien d'accueil"]
    assert events[0].decoded("dtstart") == datetime.fromisoformat(slot["starts_at"]).astimezone(UTC)
    assert (await client.get(path.replace(".ics", "x.ics"))).status_code == 404
    admin = await act_as("admin")
    assert (await admin.delete(f"{API}/calendar-feeds/{created.json()['id']}")).json()["revoked"] is True
    client.cookies.clear()
    assert (await client.get(path)).status_code == 404


async def test_my_bookings_lists_what_the_counsellor_booked(client, session, world, act_as):
    slot = await publish(act_as, world)
    counsellor = await act_as("counsellor")
    await counsellor.post(f"{API}/referrals", json=referral_body(world, slot_id=slot["id"]))
    mine = (await counsellor.get(f"{API}/bookings/mine")).json()
    assert [(b["slot_id"], b["person"]["first_name"]) for b in mine["items"]] == [(slot["id"], "Awa")]
    member = await act_as("member")
    assert (await member.get(f"{API}/bookings/mine")).json()["total"] == 0


async def test_export_lists_bookings_and_erasure_frees_the_place(client, session, world, act_as):
    slot = await publish(act_as, world)
    counsellor = await act_as("counsellor")
    referral = (await counsellor.post(f"{API}/referrals", json=referral_body(world, slot_id=slot["id"]))).json()
    booking = (await counsellor.get(f"{API}/referrals/{referral['id']}/bookings")).json()[0]
    await session.execute(Booking.__table__.update().where(Booking.id == booking["id"])
                          .values(note="Vient avec sa fille"))
    exported = (await counsellor.get(f"{API}/people/{world.person.id}/export")).json()
    [item] = [r for r in exported["referrals"] if r["id"] == referral["id"]]
    assert [(b["slot_id"], b["status"], b["note"]) for b in item["bookings"]] == [
        (slot["id"], "booked", "Vient avec sa fille")]

    animator = await act_as("animator")
    assert (await animator.delete(f"{API}/people/{world.person.id}")).status_code == 204
    row = await session.get(Booking, booking["id"], populate_existing=True)
    assert (row.status, row.note, row.cancel_reason) == ("cancelled", None, "Données de la personne effacées")
    assert (await session.get(Slot, slot["id"], populate_existing=True)).booked_count == 0


async def test_free_slots_and_agenda_take_a_bounded_number_of_queries(client, session, world, act_as):
    """Whatever the number of slots and bookings shown: no query per row."""
    from sqlalchemy import event

    async def count(path: str, params: dict | None = None) -> tuple[int, dict]:
        statements = []

        def _count(_conn, _cursor, statement, *_args):
            statements.append(statement)

        await session.flush()
        engine = session.bind.sync_engine
        event.listen(engine, "before_cursor_execute", _count)
        try:
            response = await client.get(path, params=params)
        finally:
            event.remove(engine, "before_cursor_execute", _count)
        assert response.status_code == 200, response.text
        return len(statements), response.json()

    first = await publish(act_as, world, capacity=3)
    starts = datetime.fromisoformat(first["starts_at"])
    window = {"from": (starts - timedelta(days=1)).isoformat(), "to": (starts + timedelta(days=6)).isoformat()}
    await act_as("counsellor")
    few, body = await count(f"{API}/services/{world.service.id}/slots")
    assert body["total"] == 1
    await act_as("member")
    agenda_few, _ = await count(f"{API}/structures/{world.receiver.id}/agenda", window)

    for hour in range(10, 16):
        slot = Slot(network_id=world.network.id, structure_id=world.receiver.id, service_id=world.service.id,
                    place_id=first["place"]["id"], starts_at=starts.replace(hour=hour),
                    ends_at=starts.replace(hour=hour) + timedelta(minutes=30), capacity=2, booked_count=0)
        session.add(slot)
    people = [await make_person(session, world.network, created_by_structure_id=world.mission.id) for _ in range(3)]
    await session.flush()
    counsellor = await act_as("counsellor")
    for person in people:
        assert (await counsellor.post(f"{API}/referrals", json=referral_body(
            world, person_id=person.id, slot_id=first["id"]))).status_code == 201
    many, body = await count(f"{API}/services/{world.service.id}/slots")
    assert body["total"] == 6 and many == few
    await act_as("member")
    agenda_many, body = await count(f"{API}/structures/{world.receiver.id}/agenda", window)
    assert sum(len(s["bookings"]) for s in body["slots"]) == 3 and agenda_many == agenda_few
    assert few <= 4 and agenda_few <= 5, (few, agenda_few)
