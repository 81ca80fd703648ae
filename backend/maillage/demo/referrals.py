"""Demo people and referrals for the Pantin network, in every state and at every age the
stall rules care about, so that inboxes, the follow-up badges and the animators' queue
show something on the first visit. Idempotent: nothing is added once the network has people."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.accounts.models import User
from maillage.db import utcnow
from maillage.demo.personas import PERSONAS_BY_KEY
from maillage.directory.models import Network, Service, ServiceStatus, Structure
from maillage.directory.text import unaccent
from maillage.people.models import Person
from maillage.referrals.models import Referral, ReferralContact, ReferralEvent


@dataclass(frozen=True)
class DemoReferral:
    first_name: str
    last_name: str
    sender: str          # persona key
    receiver: str        # structure key in demo/data/pantin.json
    days_ago: int
    status: str
    answered_days_ago: int | None = None
    reached_days_ago: int | None = None
    outcome: str | None = None
    refusal_reason: str | None = None


ML, RSA = "conseillere-mission-locale", "referent-rsa"
TABLE, GARAGE, EPICERIE = "table-de-l-ourcq", "garage-solidaire-canal", "epicerie-du-pont"
CREPES, AUTO_ECOLE, CIDFF = "creche-petits-pas", "auto-ecole-cle-de-contact", "cidff"
DEMO_REFERRALS = (
    DemoReferral("Yanis", "Belkacem", ML, TABLE, 12, "sent"),
    DemoReferral("Fatoumata", "Keïta", RSA, TABLE, 22, "sent"),
    DemoReferral("Lucas", "Petitjean", ML, AUTO_ECOLE, 11, "sent"),
    DemoReferral("Nadia", "Haddad", RSA, TABLE, 3, "sent"),
    DemoReferral("Océane", "Lefort", ML, CREPES, 1, "sent"),
    DemoReferral("Mamadou", "Sylla", RSA, TABLE, 40, "accepted", answered_days_ago=20),
    DemoReferral("Sabrina", "Mokrani", ML, TABLE, 30, "accepted", answered_days_ago=17),
    DemoReferral("Kevin", "Marchand", RSA, GARAGE, 25, "accepted", answered_days_ago=18),
    DemoReferral("Aïcha", "Traoré", ML, TABLE, 15, "accepted", answered_days_ago=10, reached_days_ago=9),
    DemoReferral("Julie", "Ferreira", RSA, EPICERIE, 9, "accepted", answered_days_ago=8, reached_days_ago=7),
    DemoReferral("Samir", "Ouali", RSA, CIDFF, 150, "accepted", answered_days_ago=140, reached_days_ago=120),
    DemoReferral("Ibrahima", "Camara", ML, TABLE, 120, "closed", answered_days_ago=115, reached_days_ago=110,
                 outcome="emploi-durable"),
    DemoReferral("Laura", "Nguyen", RSA, AUTO_ECOLE, 90, "closed", answered_days_ago=88, reached_days_ago=85,
                 outcome="frein-leve"),
    DemoReferral("Djibril", "Kanté", ML, GARAGE, 60, "refused", answered_days_ago=57, refusal_reason="plus-de-place"),
    DemoReferral("Céline", "Roux", RSA, TABLE, 45, "expired"),
)


def _key(text: str) -> str:
    return unaccent(text).lower()


@dataclass(frozen=True)
class DemoContext:
    """Ids the demo rows point to: structures by key, their referral-accepting services,
    the personas' users."""
    slug: str
    structures: dict[str, int]
    services: dict[int, list[int]]
    users: dict[str, int]

    def structure(self, key: str) -> int:
        return self.structures[f"maillage--{self.slug}-{key}"]

    def services_of(self, structure_id: int) -> list[int]:
        return self.services[structure_id]


async def demo_context(session: AsyncSession, network: Network) -> DemoContext:
    structures = dict((await session.execute(
        select(Structure.external_id, Structure.id).where(Structure.network_id == network.id)
    )).all())
    services: dict[int, list[int]] = {}
    for structure_id, service_id in (await session.execute(
        select(Service.structure_id, Service.id)
        .where(Service.network_id == network.id, Service.status == ServiceStatus.PUBLISHED,
               Service.accepts_referrals.is_(True))
        .order_by(Service.id)
    )).all():
        services.setdefault(structure_id, []).append(service_id)
    users = dict((await session.execute(
        select(User.email, User.id).where(User.email.in_([p.email for p in PERSONAS_BY_KEY.values()]))
    )).all())
    return DemoContext(network.slug, structures, services, users)


async def add_referral(session: AsyncSession, network: Network, ctx: DemoContext, item: DemoReferral,
                       now) -> Referral:
    """One demo person and their referral, with its timeline and contact."""
    persona = PERSONAS_BY_KEY[item.sender]
    sender_id = ctx.structure(persona.structure_key)
    receiver_id = ctx.structure(item.receiver)
    sent_at = now - timedelta(days=item.days_ago)
    answered_at = now - timedelta(days=item.answered_days_ago) if item.answered_days_ago is not None else None
    reached_at = now - timedelta(days=item.reached_days_ago) if item.reached_days_ago is not None else None
    closed_at = answered_at if item.status in ("closed", "refused") else None
    if item.status == "expired":
        closed_at = sent_at + timedelta(days=30)
    person = Person(
        network_id=network.id, first_name=item.first_name, last_name=item.last_name,
        first_name_key=_key(item.first_name), last_name_key=_key(item.last_name), commune="Pantin",
        code_insee="93055", contact_preference="telephone", heard_via="prescripteur",
        informed_at=sent_at, informed_by_id=ctx.users.get(persona.email), created_by_structure_id=sender_id,
        created_at=sent_at, updated_at=sent_at, last_activity_at=reached_at or answered_at or sent_at,
    )
    session.add(person)
    await session.flush()
    referral = Referral(
        network_id=network.id, person_id=person.id, service_id=ctx.services_of(receiver_id)[0],
        receiver_structure_id=receiver_id, sender_structure_id=sender_id, sender_user_id=ctx.users.get(persona.email),
        motive="Recherche d'un emploi ou d'une solution adaptée, orientée lors d'un entretien.",
        status=item.status, sent_at=sent_at, answered_at=answered_at, closed_at=closed_at,
        last_reached_at=reached_at, last_event_at=max(filter(None, (sent_at, answered_at, reached_at, closed_at))),
        outcome=item.outcome, refusal_reason=item.refusal_reason,
    )
    session.add(referral)
    await session.flush()
    events = [("sent", sent_at, sender_id)]
    if answered_at and item.status != "refused":
        events.append(("accept", answered_at, receiver_id))
    if item.status == "refused":
        events.append(("refuse", answered_at, receiver_id))
    if reached_at:
        session.add(ReferralContact(referral_id=referral.id, contacted_at=reached_at, channel="telephone",
                                    reached=True, note="Premier échange, rendez-vous proposé."))
        events.append(("contact", reached_at, receiver_id))
    if item.status == "closed":
        events.append(("close", closed_at, receiver_id))
    if item.status == "expired":
        events.append(("expire", closed_at, None))
    for kind, moment, structure_id in events:
        session.add(ReferralEvent(referral_id=referral.id, kind=kind, actor_structure_id=structure_id,
                                  created_at=moment))
    await session.flush()
    return referral


async def seed_referrals(session: AsyncSession, network: Network) -> int:
    if await session.scalar(select(func.count()).select_from(Person).where(Person.network_id == network.id)):
        return 0
    ctx = await demo_context(session, network)
    now = utcnow()
    for item in DEMO_REFERRALS:
        await add_referral(session, network, ctx, item, now)
    return len(DEMO_REFERRALS)
