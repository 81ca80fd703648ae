"""Who may see a person (DESIGN.md, Privacy): members of the structures that sent or
received one of their referrals, members of the structure that created the record, and
the animators of the person's network. Nobody else, and never across networks.

``visible_people`` is that rule as one SQL condition (for lists and searches);
``ensure_can_see`` is the same rule for one person (404 otherwise: existence itself is
private). Reads by an animator who is not a member of a concerned structure are audited.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from maillage import permissions
from maillage.accounts.principal import Principal
from maillage.audit.service import record
from maillage.errors import NotFound
from maillage.people.models import Person
from maillage.referrals.models import Referral

NOT_FOUND = "Personne introuvable."
READ_ACTION = "lecture_donnees_personnelles"
_CreatedBy = aliased(Person)


def _structure_ids(principal: Principal) -> list[int]:
    return sorted(principal.memberships)


def concerned_member(principal: Principal) -> ColumnElement[bool]:
    """The principal is a member of a structure concerned by the person: the one that
    created the record, or one that sent or received one of their referrals.

    Written as ``person.id IN (… UNION ALL …)`` rather than ``OR EXISTS (…)``: each branch
    uses its index (referral by sender, by receiver), PostgreSQL can drive the query from
    the structure's referrals instead of scanning the network's people, and its estimate
    stays sane (an OR'ed EXISTS is costed so high that JIT compilation kicks in)."""
    ids = _structure_ids(principal)
    networks = sorted({m.network_id for m in principal.memberships.values()})
    if not ids:
        return false()
    concerned = union_all(
        select(Referral.person_id).where(Referral.sender_structure_id.in_(ids)),
        select(Referral.person_id).where(Referral.receiver_structure_id.in_(ids)),
        select(_CreatedBy.id).where(_CreatedBy.created_by_structure_id.in_(ids)),
    )
    return and_(Person.network_id.in_(networks), Person.id.in_(concerned))


def visible_people(principal: Principal) -> ColumnElement[bool]:
    """The privacy rule as a WHERE condition on ``Person``."""
    conditions = []
    if principal.animator_of:
        conditions.append(Person.network_id.in_(sorted(principal.animator_of)))
    if principal.memberships:
        conditions.append(concerned_member(principal))
    return or_(*conditions) if conditions else false()


def visible_referrals(principal: Principal) -> ColumnElement[bool]:
    """Which of a visible person's referrals the viewer sees on the person's page: those
    their structures sent or received, and all of them for the network's animators."""
    conditions = []
    if principal.animator_of:
        conditions.append(Referral.network_id.in_(sorted(principal.animator_of)))
    ids = _structure_ids(principal)
    if ids:
        conditions.append(or_(Referral.sender_structure_id.in_(ids), Referral.receiver_structure_id.in_(ids)))
    return or_(*conditions) if conditions else false()


@dataclass(frozen=True)
class Access:
    """How the principal sees the person: as a member of a concerned structure (and which
    of those structures they administer), or only as the network's animator."""

    concerned: bool
    animator: bool
    admin_of_concerned: bool

    @property
    def audited(self) -> bool:
        """Reads that must be recorded: by an animator outside the concerned structures."""
        return not self.concerned


async def concerned_structure_ids(session: AsyncSession, principal: Principal, person: Person) -> set[int]:
    """The principal's structures concerned by ``person`` (one query at most)."""
    ids = [
        sid for sid, role in principal.memberships.items() if role.network_id == person.network_id
    ]
    if not ids:
        return set()
    found = {person.created_by_structure_id} & set(ids)
    rows = await session.execute(
        select(Referral.sender_structure_id, Referral.receiver_structure_id)
        .where(Referral.person_id == person.id,
               or_(Referral.sender_structure_id.in_(ids), Referral.receiver_structure_id.in_(ids)))
        .distinct()
    )
    for sender, receiver in rows.all():
        found |= {sender, receiver} & set(ids)
    return found


async def access_to(session: AsyncSession, principal: Principal, person: Person) -> Access | None:
    concerned = await concerned_structure_ids(session, principal, person)
    animator = principal.is_animator(person.network_id)
    if not concerned and not animator:
        return None
    return Access(
        concerned=bool(concerned), animator=animator,
        admin_of_concerned=any(principal.is_admin(sid) for sid in concerned),
    )


async def ensure_can_see(
    session: AsyncSession, principal: Principal, person: Person, *, audit: str | None = READ_ACTION
) -> Access:
    """401 when not signed in, 404 when the person is not visible. A read by an animator
    who is not a member of a concerned structure is recorded with the action ``audit``
    (``None`` when the caller records its own, more precise event)."""
    permissions.signed_in(principal)
    access = await access_to(session, principal, person)
    if access is None:
        raise NotFound(NOT_FOUND)
    if audit and access.audited:
        await record(
            session, audit, f"Consultation de la fiche de la personne n° {person.id} par un animateur",
            actor_id=principal.user_id, network_id=person.network_id, target_type="person", target_id=person.id,
        )
    return access
