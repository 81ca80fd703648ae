"""Capacity under concurrent bookers, each in its own connection and transaction (as
separate requests are): a slot with one place gives exactly one success and clear
refusals for the others; a collective slot of 12 never holds 13; two job runners at once
send each reminder once. Runs on SQLite and on PostgreSQL (CI runs both)."""

import asyncio
from datetime import timedelta

import pytest
from maillage.appointments import booking as bookings
from maillage.appointments import jobs
from maillage.appointments.models import Booking, BookableBy, Place, Slot
from maillage.db import make_engine, make_sessionmaker, utcnow
from maillage.errors import Conflict
from maillage.migrate import upgrade_async
from maillage.notifications.models import OutboxEmail
from maillage.people.models import Person
from maillage.referrals.models import Referral
from sqlalchemy import func, select

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_service, make_structure
from tests.referrals.factories import make_person, make_referral


async def _setup(maker, capacity: int, people: int) -> tuple[int, list[int]]:
    async with maker() as session:
        network = await make_network(session)
        sender = await make_structure(session, network, nom="Mission Locale")
        receiver = await make_structure(session, network, nom="Plateforme mobilité")
        service = await make_service(session, receiver, accepts_referrals=True)
        place = Place(network_id=network.id, structure_id=receiver.id, name="Accueil", kind="sur-place",
                      adresse="1 rue de la Gare")
        session.add(place)
        await session.flush()
        starts = utcnow() + timedelta(days=3)
        slot = Slot(network_id=network.id, structure_id=receiver.id, service_id=service.id, place_id=place.id,
                    starts_at=starts, ends_at=starts + timedelta(hours=1), capacity=capacity, booked_count=0,
                    bookable_by=BookableBy.NETWORK)
        session.add(slot)
        referral_ids = []
        for _ in range(people):
            person = await make_person(session, network)
            referral_ids.append((await make_referral(session, person, service, sender, status="sent")).id)
        await session.commit()
        return slot.id, referral_ids


async def _race(url: str, capacity: int, people: int) -> tuple[list[str], int, int]:
    await upgrade_async(url)
    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    try:
        slot_id, referral_ids = await _setup(maker, capacity, people)
        start = asyncio.Event()

        async def book(referral_id: int) -> str:
            async with maker() as session:
                referral = await session.get(Referral, referral_id)
                slot = await session.get(Slot, slot_id)
                await start.wait()  # everyone has read the slot (places left) before anyone writes
                try:
                    await bookings.book(session, referral, slot, by_user_id=None, by_structure_id=None,
                                        by_receiver=False, notify_person=False, send_emails=False)
                    await session.commit()
                    return "ok"
                except Conflict as refused:
                    await session.rollback()
                    return refused.detail

        tasks = [asyncio.create_task(book(rid)) for rid in referral_ids]
        await asyncio.sleep(0.2)
        start.set()
        results = await asyncio.gather(*tasks)
        async with maker() as session:
            booked = await session.scalar(select(Slot.booked_count).where(Slot.id == slot_id))
            rows = await session.scalar(select(func.count()).select_from(Booking).where(Booking.slot_id == slot_id))
        return results, booked, rows
    finally:
        await engine.dispose()


async def test_twenty_bookers_for_one_place_one_wins(fresh_database_url):
    results, booked, rows = await _race(fresh_database_url, capacity=1, people=20)
    assert results.count("ok") == 1
    refusals = [r for r in results if r != "ok"]
    assert len(refusals) == 19 and all("complet" in r for r in refusals)
    assert (booked, rows) == (1, 1)


@pytest.mark.parametrize("capacity,people", [(12, 16)])
async def test_a_collective_slot_never_holds_more_than_its_capacity(fresh_database_url, capacity, people):
    results, booked, rows = await _race(fresh_database_url, capacity=capacity, people=people)
    assert results.count("ok") == capacity
    assert (booked, rows) == (capacity, capacity)


async def test_two_concurrent_runners_send_each_reminder_once(fresh_database_url):
    await upgrade_async(fresh_database_url)
    engines = [make_engine(fresh_database_url) for _ in range(2)]
    makers = [make_sessionmaker(e) for e in engines]
    try:
        slot_id, (referral_id,) = await _setup(makers[0], capacity=1, people=1)
        async with makers[0]() as session:
            counsellor = await make_user(session, email="conseillere@ml.example.org")
            referral = await session.get(Referral, referral_id)
            person = await session.get(Person, referral.person_id)
            person.email = "personne@exemple.fr"
            slot = await session.get(Slot, slot_id)
            booked_at = slot.starts_at - timedelta(days=5)
            booking = await bookings.book(session, referral, slot, by_user_id=counsellor.id, by_structure_id=None,
                                          by_receiver=False, notify_person=True, now=booked_at)
            booking_id = booking.id
            await session.commit()
        at = slot.starts_at - timedelta(days=1)

        async def runner(maker):
            async with maker() as session:
                counts = await jobs.run(session, at)
                await session.commit()
                return counts[jobs.REMINDERS]

        assert sorted(await asyncio.gather(runner(makers[0]), runner(makers[1]))) in ([0, 2], [1, 1])
        async with makers[0]() as session:
            sent = (await session.scalars(select(OutboxEmail.to_address).where(
                OutboxEmail.dedupe_key.like(f"booking:reminder:{booking_id}%")))).all()
            assert sorted(sent) == ["conseillere@ml.example.org", "personne@exemple.fr"]
    finally:
        for engine in engines:
            await engine.dispose()
