"""Plain functions that create directory rows inside the test's transaction."""

from itertools import count

from maillage.directory.models import Network, ServiceStatus, Structure
from maillage.directory.service import upsert_service, upsert_structure
from sqlalchemy.ext.asyncio import AsyncSession

_ids = count(1)


async def make_network(session: AsyncSession, slug: str | None = None, **fields) -> Network:
    n = next(_ids)
    network = Network(slug=slug or f"reseau-test-{n}", name=f"Réseau test {n}", territory="Testville", **fields)
    session.add(network)
    await session.flush()
    return network


async def make_structure(session: AsyncSession, network: Network, **fields) -> Structure:
    n = next(_ids)
    data = {"nom": f"Structure test {n}", "commune": "Pantin", "code_insee": "93055", "code_postal": "93500"}
    data.update(fields)
    return await upsert_structure(session, network, f"test--structure-{n}", data)


async def make_service(session: AsyncSession, structure: Structure, **fields):
    n = next(_ids)
    data = {
        "nom": f"Service test {n}",
        "description": "Un service de test pour vérifier la recherche de l'annuaire.",
        "thematiques": ["trouver-un-emploi--repondre-a-des-offres-demploi"],
        "publics": ["tous-publics"],
        "frais": "gratuit",
        "modes_accueil": ["en-presentiel"],
        "status": ServiceStatus.PUBLISHED,
        "commune": structure.commune,
        "code_insee": structure.code_insee,
        "latitude": structure.latitude,
        "longitude": structure.longitude,
    }
    data.update(fields)
    return await upsert_service(session, structure, f"test--service-{n}", data)
