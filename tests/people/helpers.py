"""A small network for the people tests: who created, sent, received, and outsiders."""

from dataclasses import dataclass, field

from maillage.audit.models import AuditEvent
from sqlalchemy import func, select

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_service, make_structure
from tests.referrals.factories import make_person, make_referral

PEOPLE = "/api/v1/people"


def new_person(**fields) -> dict:
    body = {
        "first_name": "Awa", "last_name": "Diallo", "birth_date": "1994-03-12", "phone": "06 12 34 56 78",
        "email": "Awa.Diallo@Example.org", "contact_preference": "telephone", "commune": "Pantin",
        "code_insee": "93055", "quartier": "Les Courtillières",
        "situation": ["beneficiaires-des-minimas-sociaux", "femmes"],
        "needs": ["mobilite--etre-accompagne-dans-son-parcours-mobilite"],
        "heard_via": "cafe-emploi", "informed": True,
    }
    body.update(fields)
    return body


@dataclass
class World:
    network: object
    elsewhere: object
    creator: object          # the structure that created the person and sent their referral
    receiver: object         # the structure whose service received it
    unrelated: object        # a structure of the same network with nothing to do with the person
    service: object
    users: dict = field(default_factory=dict)


async def make_world(session) -> World:
    network, elsewhere = await make_network(session), await make_network(session)
    creator = await make_structure(session, network, nom="Mission Locale test")
    receiver = await make_structure(session, network, nom="Chantier d'insertion test")
    unrelated = await make_structure(session, network, nom="Association voisine")
    service = await make_service(session, receiver, nom="Agent d'entretien des espaces verts",
                                 accepts_referrals=True)
    world = World(network, elsewhere, creator, receiver, unrelated, service)
    world.users = {
        "member": await make_user(session, member_of=[creator]),
        "admin": await make_user(session, admin_of=[creator]),
        "receiver": await make_user(session, member_of=[receiver]),
        "receiver_admin": await make_user(session, admin_of=[receiver]),
        "other_structure": await make_user(session, admin_of=[unrelated]),
        "animator": await make_user(session, animator_of=[network]),
        "other_network": await make_user(session, admin_of=[await make_structure(session, elsewhere)],
                                         animator_of=[elsewhere]),
    }
    return world


async def person_with_referral(session, world: World, **fields):
    """A person created by ``world.creator``, who sent them to ``world.service``."""
    data = {"created_by_structure_id": world.creator.id, "phone": "06 12 34 56 78", "phone_key": "0612345678",
            "email": "awa@example.org", "email_key": "awa@example.org"}
    data.update(fields)
    person = await make_person(session, world.network, **data)
    referral = await make_referral(session, person, world.service, world.creator)
    return person, referral


async def audit_count(session, action: str, person_id: int | None = None, actor_id: int | None = None) -> int:
    conditions = [AuditEvent.action == action]
    if person_id is not None:
        conditions.append(AuditEvent.target_id == person_id)
    if actor_id is not None:
        conditions.append(AuditEvent.actor_id == actor_id)
    return await session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions))
