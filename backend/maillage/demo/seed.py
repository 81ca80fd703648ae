"""Demo data: the Pantin network (modelled on the seeds' "Réseau local des acteurs de
l'insertion") and a smaller Lille network, from the JSON files in ``demo/data``."""

import json
from datetime import timedelta
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.db import utcnow
from maillage.demo.personas import seed_personas
from maillage.demo.appointments import seed_appointments
from maillage.demo.history import seed_history
from maillage.demo.referrals import seed_referrals
from maillage.directory.models import Network, Structure
from maillage.directory.service import upsert_service, upsert_structure

DEMO_NETWORKS = ("pantin", "lille")
_MAILLAGE_ONLY = {"key", "services", "updated_months_ago"}


def load(slug: str) -> dict:
    return json.loads(resources.files("maillage.demo.data").joinpath(f"{slug}.json").read_text("utf-8"))


async def is_empty(session: AsyncSession) -> bool:
    return not await session.scalar(select(func.count()).select_from(Structure))


async def seed_network(session: AsyncSession, slug: str) -> Network:
    """Create or refresh one demo network (idempotent: keyed on external ids)."""
    data = load(slug)
    network = await session.scalar(select(Network).where(Network.slug == slug))
    if network is None:
        network = Network(**data["network"])
        session.add(network)
        await session.flush()
    now = utcnow()
    for item in data["structures"]:
        structure = await upsert_structure(
            session, network, f"maillage--{slug}-{item['key']}",
            {k: v for k, v in item.items() if k not in _MAILLAGE_ONLY},
        )
        address = {k: item.get(k) for k in (
            "adresse", "complement_adresse", "code_postal", "commune", "code_insee", "latitude", "longitude"
        )}
        for svc in item.get("services", []):
            fields = {k: v for k, v in svc.items() if k not in _MAILLAGE_ONLY}
            if "en-presentiel" in (svc.get("modes_accueil") or []) and not svc.get("adresse"):
                fields.update(address)
            age = timedelta(days=30.5 * svc.get("updated_months_ago", 0))
            await upsert_service(
                session, structure, f"maillage--{slug}-{item['key']}-{svc['key']}", fields,
                updated_at=now - age,
            )
    return network


async def seed(session: AsyncSession) -> list[Network]:
    networks = [await seed_network(session, slug) for slug in DEMO_NETWORKS]
    await seed_personas(session)
    await seed_referrals(session, networks[0])
    await seed_appointments(session, networks[0])
    # Last: a year of finished referrals (it adds places, which seed_appointments checks for).
    await seed_history(session, networks[0])
    return networks
