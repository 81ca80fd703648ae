"""People and referrals for tests (rows written directly, until their services exist)."""

from itertools import count

from maillage.db import utcnow
from maillage.people.models import Person
from maillage.referrals.models import Referral
from sqlalchemy.ext.asyncio import AsyncSession

_ids = count(1)


async def make_person(session: AsyncSession, network, **fields) -> Person:
    n = next(_ids)
    data = dict(first_name="Awa", last_name=f"Diallo{n}", first_name_key="awa", last_name_key=f"diallo{n}",
                informed_at=utcnow())
    data.update(fields)
    person = Person(network_id=network.id, **data)
    session.add(person)
    await session.flush()
    return person


async def make_referral(session: AsyncSession, person: Person, service, sender_structure, **fields) -> Referral:
    referral = Referral(
        network_id=person.network_id, person_id=person.id, service_id=service.id,
        receiver_structure_id=service.structure_id, sender_structure_id=sender_structure.id,
        motive="Recherche d'un emploi durable après une formation.", **fields,
    )
    session.add(referral)
    await session.flush()
    return referral
