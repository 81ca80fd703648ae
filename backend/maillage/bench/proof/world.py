"""The network of a proof run, in a fresh database: the demo Pantin directory (52
structures and their services, full-text indexed), one counsellor per structure with a
signed-in session, and on a few services a handful of slots with 1 to 3 places each, so
that they fill up during the run and later bookings get a 409 « complet »."""

import random
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

import maillage.models  # noqa: F401 - every mapper registered
from maillage.accounts.models import Membership, MembershipRole, User, UserSession
from maillage.accounts.tokens import hash_secret, new_secret
from maillage.appointments.models import BookableBy, Place, Slot
from maillage.db import make_engine, make_sessionmaker, utcnow
from maillage.demo.seed import seed_network
from maillage.directory.models import Service, ServiceStatus, Structure

SLUG = "pantin"


@dataclass(frozen=True)
class Counsellor:
    token: str
    csrf: str
    structure_id: int


@dataclass
class World:
    slug: str = SLUG
    counsellors: list[Counsellor] = field(default_factory=list)
    targets: list[tuple[int, int]] = field(default_factory=list)        # (service, its structure) open to referrals
    slots: dict[int, list[int]] = field(default_factory=dict)          # service → its bookable slots
    capacity: int = 0


async def build(url: str, *, seed: int = 20261201, slot_services: int = 8, slots_per_service: int = 6) -> World:
    """Create the world in the (migrated, empty) database at ``url``."""
    rnd = random.Random(seed)
    engine = make_engine(url)
    world = World()
    try:
        async with make_sessionmaker(engine)() as session:
            network = await seed_network(session, SLUG)
            await session.flush()
            structures = list(await session.scalars(
                select(Structure).where(Structure.network_id == network.id).order_by(Structure.id)))
            services = (await session.execute(
                select(Service.id, Service.structure_id).where(
                    Service.network_id == network.id, Service.status == ServiceStatus.PUBLISHED,
                    Service.accepts_referrals.is_(True)).order_by(Service.id))).all()
            world.targets = [(s.id, s.structure_id) for s in services]
            now = utcnow()
            for n, structure in enumerate(structures, start=1):
                user = User(email=f"conseil{n}@preuve.example.org", first_name="Conseil", last_name=f"Preuve{n}")
                session.add(user)
                await session.flush()
                session.add(Membership(user_id=user.id, structure_id=structure.id, role=MembershipRole.MEMBER))
                token, csrf = new_secret(), new_secret()
                session.add(UserSession(token_hash=hash_secret(token), csrf_token=csrf, user_id=user.id,
                                        structure_id=structure.id, method="bench", created_at=now,
                                        expires_at=now + timedelta(days=2)))
                world.counsellors.append(Counsellor(token, csrf, structure.id))
            # Slots on services of distinct structures, from tomorrow on.
            chosen, seen = [], set()
            for service_id, structure_id in rnd.sample(world.targets, len(world.targets)):
                if structure_id not in seen:
                    chosen.append((service_id, structure_id))
                    seen.add(structure_id)
                if len(chosen) == slot_services:
                    break
            start = (now + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
            for service_id, structure_id in chosen:
                place = Place(network_id=network.id, structure_id=structure_id, name="Accueil (banc)",
                              kind="sur-place", adresse="1 rue du Banc", code_postal="93500", commune="Pantin")
                session.add(place)
                await session.flush()
                slots = []
                for k in range(slots_per_service):
                    begins = start + timedelta(days=k // 3, hours=2 * (k % 3))
                    capacity = rnd.randint(1, 3)
                    world.capacity += capacity
                    slots.append(Slot(network_id=network.id, structure_id=structure_id, service_id=service_id,
                                      place_id=place.id, starts_at=begins, ends_at=begins + timedelta(minutes=45),
                                      capacity=capacity, booked_count=0, bookable_by=BookableBy.NETWORK))
                session.add_all(slots)
                await session.flush()
                world.slots[service_id] = [s.id for s in slots]
                service = await session.get(Service, service_id)
                service.publishes_slots = True
            await session.commit()
    finally:
        await engine.dispose()
    return world
