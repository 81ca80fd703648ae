"""Users and roles for tests."""

from itertools import count

from maillage.accounts.models import Membership, MembershipRole, NetworkRole, User
from sqlalchemy.ext.asyncio import AsyncSession

_ids = count(1)


async def make_user(
    session: AsyncSession,
    *,
    member_of=(),
    admin_of=(),
    animator_of=(),
    platform_admin: bool = False,
    email: str | None = None,
) -> User:
    n = next(_ids)
    user = User(email=email or f"utilisateur{n}@test.example.org", first_name="Prénom", last_name=f"Nom{n}",
                is_platform_admin=platform_admin)
    session.add(user)
    await session.flush()
    for structure in member_of:
        session.add(Membership(user_id=user.id, structure_id=structure.id, role=MembershipRole.MEMBER))
    for structure in admin_of:
        session.add(Membership(user_id=user.id, structure_id=structure.id, role=MembershipRole.ADMIN))
    for network in animator_of:
        session.add(NetworkRole(user_id=user.id, network_id=network.id))
    await session.flush()
    return user
