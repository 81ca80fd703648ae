"""Who is making the request: a signed-in user (cookie session), an integration (API
token scoped to one structure), or an anonymous visitor."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.accounts.models import Membership, MembershipRole, NetworkRole, User
from maillage.directory.models import Structure


@dataclass(frozen=True)
class StructureRole:
    structure_id: int
    network_id: int
    role: MembershipRole
    structure_nom: str
    membership_id: int | None = None


@dataclass(frozen=True)
class Principal:
    user: User | None = None
    session_id: int | None = None
    api_token_id: int | None = None
    memberships: dict[int, StructureRole] = field(default_factory=dict)
    animator_of: frozenset[int] = frozenset()
    is_platform_admin: bool = False
    current_structure_id: int | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None or self.api_token_id is not None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None

    def is_member(self, structure_id: int) -> bool:
        return structure_id in self.memberships

    def is_admin(self, structure_id: int) -> bool:
        m = self.memberships.get(structure_id)
        return m is not None and m.role == MembershipRole.ADMIN

    def is_animator(self, network_id: int) -> bool:
        return network_id in self.animator_of

    @property
    def network_ids(self) -> set[int]:
        """Networks the principal acts in (as member of one of their structures or animator)."""
        return {m.network_id for m in self.memberships.values()} | set(self.animator_of)


ANONYMOUS = Principal()


async def load_roles(session: AsyncSession, user_id: int) -> tuple[dict[int, StructureRole], frozenset[int]]:
    """A user's memberships and animator networks, in two queries."""
    rows = await session.execute(
        select(Membership.structure_id, Structure.network_id, Membership.role, Structure.nom, Membership.id)
        .join(Structure, Structure.id == Membership.structure_id)
        .where(Membership.user_id == user_id)
    )
    memberships = {
        sid: StructureRole(sid, nid, MembershipRole(role), nom, mid) for sid, nid, role, nom, mid in rows.all()
    }
    networks = frozenset(await session.scalars(select(NetworkRole.network_id).where(NetworkRole.user_id == user_id)))
    return memberships, networks
