"""What a network's animators see of its people and structures, and the platform's
networks with their first animators. Functions take the session first and never commit."""

from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.accounts.models import (
    Membership,
    MembershipRole,
    NetworkRole,
    NetworkRoleKind,
    User,
)
from maillage.accounts.service import normalise_email
from maillage.audit.service import record
from maillage.config import Settings
from maillage.directory.models import Network, Structure, StructureStatus
from maillage.errors import Conflict
from maillage.notifications.emails import enqueue
from maillage.pagination import PageParams

# ---------------------------------------------------------------- a network, for its animators


@dataclass(frozen=True)
class NetworkMember:
    user: User
    is_animator: bool
    memberships: list[tuple[int, int, str, MembershipRole]]  # membership id, structure id and name, role


async def network_members(
    session: AsyncSession, network: Network, page: PageParams, q: str | None = None
) -> tuple[list[NetworkMember], int]:
    """People of a network (members of its structures, its animators): three queries
    whatever the page size."""
    in_structures = (
        select(Membership.user_id).join(Structure, Structure.id == Membership.structure_id)
        .where(Structure.network_id == network.id)
    )
    animators = select(NetworkRole.user_id).where(NetworkRole.network_id == network.id)
    conditions = [or_(User.id.in_(in_structures), User.id.in_(animators))]
    if q and q.strip():
        needle = q.strip().lower()
        conditions.append(or_(
            func.lower(User.email).contains(needle, autoescape=True),
            func.lower(User.first_name + " " + User.last_name).contains(needle, autoescape=True),
            func.lower(User.last_name + " " + User.first_name).contains(needle, autoescape=True),
        ))
    total = await session.scalar(select(func.count()).select_from(User).where(*conditions)) or 0
    is_animator = exists().where(NetworkRole.user_id == User.id, NetworkRole.network_id == network.id)
    rows = (await session.execute(
        select(User, is_animator.label("is_animator")).where(*conditions)
        .order_by(User.last_name, User.first_name, User.email, User.id)
        .offset(page.offset).limit(page.page_size)
    )).all()
    memberships: dict[int, list[tuple[int, int, str, MembershipRole]]] = {}
    if rows:
        for membership_id, user_id, structure_id, nom, role in (await session.execute(
            select(Membership.id, Membership.user_id, Structure.id, Structure.nom, Membership.role)
            .join(Structure, Structure.id == Membership.structure_id)
            .where(Structure.network_id == network.id, Membership.user_id.in_([u.id for u, _a in rows]))
            .order_by(Structure.nom)
        )).all():
            memberships.setdefault(user_id, []).append((membership_id, structure_id, nom, MembershipRole(role)))
    items = [NetworkMember(user=u, is_animator=bool(a), memberships=memberships.get(u.id, [])) for u, a in rows]
    return items, total


async def structures_without_admin(
    session: AsyncSession, network: Network, page: PageParams
) -> tuple[list[tuple[Structure, int]], int]:
    """Published structures of the network that nobody administers (with their member count)."""
    has_admin = exists().where(Membership.structure_id == Structure.id, Membership.role == MembershipRole.ADMIN)
    conditions = [Structure.network_id == network.id, Structure.status == StructureStatus.PUBLISHED, ~has_admin]
    total = await session.scalar(select(func.count()).select_from(Structure).where(*conditions)) or 0
    members = (select(func.count()).select_from(Membership)
               .where(Membership.structure_id == Structure.id).scalar_subquery())
    rows = (await session.execute(
        select(Structure, members).where(*conditions).order_by(Structure.nom, Structure.id)
        .offset(page.offset).limit(page.page_size)
    )).all()
    return list(rows), total


# ---------------------------------------------------------------- platform administration


async def list_networks(
    session: AsyncSession, page: PageParams
) -> tuple[list[tuple[Network, int, int, int]], int]:
    """Networks with their structures, members and animators counted (four queries)."""
    total = await session.scalar(select(func.count()).select_from(Network)) or 0
    networks = list(await session.scalars(
        select(Network).order_by(Network.name, Network.id).offset(page.offset).limit(page.page_size)))
    ids = [n.id for n in networks]
    structures = dict((await session.execute(
        select(Structure.network_id, func.count()).where(Structure.network_id.in_(ids))
        .group_by(Structure.network_id))).all())
    members = dict((await session.execute(
        select(Structure.network_id, func.count(func.distinct(Membership.user_id)))
        .join(Membership, Membership.structure_id == Structure.id)
        .where(Structure.network_id.in_(ids)).group_by(Structure.network_id))).all())
    animators = dict((await session.execute(
        select(NetworkRole.network_id, func.count()).where(NetworkRole.network_id.in_(ids))
        .group_by(NetworkRole.network_id))).all())
    return [(n, structures.get(n.id, 0), members.get(n.id, 0), animators.get(n.id, 0)) for n in networks], total


async def create_network(session: AsyncSession, actor: User, **fields) -> Network:
    slug = fields["slug"]
    if await session.scalar(select(Network.id).where(Network.slug == slug)) is not None:
        raise Conflict(f"Un réseau « {slug} » existe déjà : choisissez un autre identifiant.")
    network = Network(**fields)
    session.add(network)
    await session.flush()
    await record(session, "reseau_cree", f"Réseau « {network.name} » créé", actor_id=actor.id,
                 network_id=network.id, target_type="network", target_id=network.id)
    return network


async def _user_for(session: AsyncSession, email: str, first_name: str | None,
                    last_name: str | None) -> tuple[User, bool]:
    """The account of a normalised address, created if needed; names fill only what is
    empty. Returns the user and whether it was created."""
    user = await session.scalar(select(User).where(User.email == email))
    created = user is None
    if user is None:
        user = User(email=email)
        session.add(user)
    user.first_name = user.first_name or (first_name or "").strip()
    user.last_name = user.last_name or (last_name or "").strip()
    await session.flush()
    return user, created


async def add_animator(
    session: AsyncSession, network: Network, email: str, first_name: str | None, last_name: str | None,
    actor: User, settings: Settings,
) -> tuple[User, bool]:
    """Make an address an animator of the network (creating its account if needed) and
    welcome it by email. Returns the user and whether the account was created."""
    email = normalise_email(email)
    user, created = await _user_for(session, email, first_name, last_name)
    already = await session.scalar(select(NetworkRole.id).where(
        NetworkRole.user_id == user.id, NetworkRole.network_id == network.id,
        NetworkRole.role == NetworkRoleKind.ANIMATOR))
    if already is not None:
        raise Conflict(f"{email} anime déjà le réseau « {network.name} ».")
    session.add(NetworkRole(user_id=user.id, network_id=network.id, role=NetworkRoleKind.ANIMATOR))
    await session.flush()
    await enqueue(
        session, "animator_welcome", email, network_id=network.id, network_name=network.name,
        territory=network.territory, added_by=actor.display_name, email_address=email,
        oidc_label=settings.oidc_label if settings.oidc_enabled else None, link=f"{settings.public_url.rstrip('/')}/connexion",
    )
    await record(session, "animateur_ajoute", f"{email} anime désormais le réseau « {network.name} »",
                 actor_id=actor.id, network_id=network.id, target_type="user", target_id=user.id,
                 user_created=created)
    return user, created


# ---------------------------------------------------------------- platform administrators


async def grant_platform_admin(
    session: AsyncSession, email: str, first_name: str | None = None, last_name: str | None = None,
) -> tuple[User, bool]:
    """Make an address a platform administrator, creating its account if needed (the
    operator's first step on a new server, from the command line). Returns the user and
    whether the account was created; granting twice changes nothing (and is not audited
    twice)."""
    email = normalise_email(email)
    user, created = await _user_for(session, email, first_name, last_name)
    if user.is_platform_admin and user.is_active:
        return user, created
    user.is_platform_admin = True
    user.is_active = True
    await session.flush()
    await record(session, "admin_plateforme_nomme", f"{email} administre la plateforme",
                 actor_id=None, network_id=None, target_type="user", target_id=user.id, user_created=created)
    return user, created


async def revoke_platform_admin(session: AsyncSession, email: str) -> User:
    """Withdraw the platform administration from an address; the last active administrator
    cannot be withdrawn, so the platform always keeps one."""
    email = normalise_email(email)
    user = await session.scalar(select(User).where(User.email == email))
    if user is None or not user.is_platform_admin:
        raise Conflict(f"{email} n'administre pas la plateforme.")
    others = await session.scalar(select(func.count()).select_from(User).where(
        User.is_platform_admin, User.is_active, User.id != user.id))
    if not others:
        raise Conflict(f"{email} est le dernier administrateur de la plateforme : nommez-en un autre d'abord.")
    user.is_platform_admin = False
    await session.flush()
    await record(session, "admin_plateforme_retire", f"{email} n'administre plus la plateforme",
                 actor_id=None, network_id=None, target_type="user", target_id=user.id)
    return user


async def list_platform_admins(session: AsyncSession) -> list[User]:
    return list(await session.scalars(
        select(User).where(User.is_platform_admin).order_by(User.email)))
