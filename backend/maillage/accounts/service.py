"""Sign-in and sessions: cookie sessions, one-time email links, API tokens, and what
happens on every sign-in (pending invitations become memberships). No HTTP here."""

import math
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.accounts.models import (
    ApiToken,
    Invitation,
    LoginLink,
    Membership,
    MembershipRole,
    RateLimitHit,
    User,
    UserSession,
)
from maillage.accounts.principal import Principal, StructureRole, load_roles
from maillage.accounts.tokens import hash_secret, new_secret
from maillage.audit.service import record
from maillage.config import Settings
from maillage.db import utcnow
from maillage.directory.models import Structure
from maillage.errors import Forbidden, InvalidInput, RateLimited
from maillage.notifications.emails import enqueue

LOGIN_LINK_TTL = timedelta(minutes=15)
LOGIN_LINK_LIMITS = {"email": (3, timedelta(minutes=15)), "ip": (10, timedelta(minutes=15))}
API_TOKEN_PREFIX = "mlg_"


def normalise_email(email: str) -> str:
    return email.strip().lower()


# ---------------------------------------------------------------- sessions


async def open_session(session: AsyncSession, user: User, method: str, settings: Settings) -> tuple[str, UserSession]:
    """Start a browser session; returns the cookie value (the only copy of the secret)."""
    token = new_secret()
    now = utcnow()
    row = UserSession(
        token_hash=hash_secret(token), csrf_token=new_secret(), user_id=user.id, method=method,
        created_at=now, expires_at=now + timedelta(hours=settings.session_hours),
    )
    session.add(row)
    user.last_login_at = now
    await accept_pending_invitations(session, user)
    memberships, _networks = await load_roles(session, user.id)
    row.structure_id = next(iter(sorted(memberships)), None)
    await session.flush()
    network_ids = {m.network_id for m in memberships.values()} or {None}
    for network_id in network_ids:
        await record(session, "connexion", f"Connexion de {user.email} ({method})",
                     actor_id=user.id, network_id=network_id, target_type="user", target_id=user.id)
    return token, row


async def principal_from_session(session: AsyncSession, token: str) -> tuple[Principal, UserSession] | None:
    row = (
        await session.execute(
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(
                UserSession.token_hash == hash_secret(token),
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > utcnow(),
                User.is_active.is_(True),
            )
        )
    ).first()
    if row is None:
        return None
    user_session, user = row
    memberships, networks = await load_roles(session, user.id)
    current = user_session.structure_id if user_session.structure_id in memberships else None
    principal = Principal(
        user=user, session_id=user_session.id, memberships=memberships, animator_of=networks,
        is_platform_admin=user.is_platform_admin,
        current_structure_id=current or next(iter(sorted(memberships)), None),
    )
    return principal, user_session


async def revoke_session(session: AsyncSession, session_id: int) -> None:
    await session.execute(
        update(UserSession).where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def switch_structure(session: AsyncSession, principal: Principal, structure_id: int) -> None:
    if not principal.is_member(structure_id):
        raise Forbidden("Vous n'êtes pas membre de cette structure.")
    await session.execute(
        update(UserSession).where(UserSession.id == principal.session_id).values(structure_id=structure_id)
    )


# ---------------------------------------------------------------- API tokens


async def principal_from_api_token(session: AsyncSession, token: str) -> Principal | None:
    row = (
        await session.execute(
            select(ApiToken, Structure.network_id, Structure.nom)
            .join(Structure, Structure.id == ApiToken.structure_id)
            .where(ApiToken.token_hash == hash_secret(token), ApiToken.revoked_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    api_token, network_id, nom = row
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=1):
        api_token.last_used_at = now
    role = StructureRole(api_token.structure_id, network_id, MembershipRole.MEMBER, nom)
    return Principal(
        api_token_id=api_token.id, memberships={api_token.structure_id: role},
        current_structure_id=api_token.structure_id,
    )


async def create_api_token(
    session: AsyncSession, structure: Structure, name: str, created_by: int | None
) -> tuple[str, ApiToken]:
    secret = new_secret(API_TOKEN_PREFIX)
    token = ApiToken(
        token_hash=hash_secret(secret), prefix=secret[:10], name=name.strip(),
        structure_id=structure.id, created_by_id=created_by,
    )
    session.add(token)
    await session.flush()
    await record(session, "jeton_api_cree", f"Jeton d'API « {token.name} » créé pour {structure.nom}",
                 actor_id=created_by, network_id=structure.network_id, target_type="structure",
                 target_id=structure.id)
    return secret, token


# ---------------------------------------------------------------- rate limits


async def rate_limit(session: AsyncSession, key: str, limit: int, window: timedelta) -> None:
    """Count one attempt under ``key``; refuse past ``limit`` attempts in ``window``."""
    now = utcnow()
    count, oldest = (await session.execute(
        select(func.count(), func.min(RateLimitHit.created_at))
        .where(RateLimitHit.key == key, RateLimitHit.created_at > now - window)
    )).one()
    if count >= limit:
        minutes = int(window.total_seconds() // 60)
        wait = (oldest + window - now).total_seconds() if oldest is not None else window.total_seconds()
        raise RateLimited(f"Trop de demandes : réessayez dans {minutes} minutes.", math.ceil(wait))
    session.add(RateLimitHit(key=key))
    await session.flush()


# ---------------------------------------------------------------- one-time links


async def request_login_link(session: AsyncSession, email: str, ip: str, settings: Settings) -> None:
    """Send a sign-in link if the address belongs to a user or has a pending invitation.
    The caller answers the same whatever happens here (no account enumeration)."""
    email = normalise_email(email)
    for kind, value in (("email", email), ("ip", ip)):
        limit, window = LOGIN_LINK_LIMITS[kind]
        await rate_limit(session, f"login_link:{kind}:{value}", limit, window)
    known = await session.scalar(select(User.id).where(User.email == email, User.is_active.is_(True)))
    if known is None and not await _pending_invitations(session, email):
        return
    token = new_secret()
    now = utcnow()
    session.add(LoginLink(token_hash=hash_secret(token), email=email, created_at=now, expires_at=now + LOGIN_LINK_TTL))
    await enqueue(session, "login_link", email, link=f"{settings.public_url.rstrip('/')}/connexion/lien?jeton={token}")


async def consume_login_link(session: AsyncSession, token: str) -> User:
    now = utcnow()
    result = await session.execute(
        update(LoginLink)
        .where(LoginLink.token_hash == hash_secret(token), LoginLink.used_at.is_(None), LoginLink.expires_at > now)
        .values(used_at=now)
        .returning(LoginLink.email)
    )
    email = result.scalar()
    if email is None:
        raise InvalidInput("Ce lien de connexion n'est plus valable (déjà utilisé ou expiré) : demandez-en un nouveau.")
    user = await session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email)
        session.add(user)
        await session.flush()
    if not user.is_active:
        raise Forbidden("Ce compte est désactivé.")
    return user


# ---------------------------------------------------------------- invitations


async def _pending_invitations(session: AsyncSession, email: str) -> list[Invitation]:
    return list(await session.scalars(
        select(Invitation).where(
            Invitation.email == email, Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow(),
        )
    ))


async def add_member(session: AsyncSession, user_id: int, structure_id: int, role: MembershipRole) -> Membership:
    """Add a membership; the first member of a structure becomes its admin."""
    existing = await session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.structure_id == structure_id)
    )
    if existing is not None:
        return existing
    has_members = await session.scalar(select(Membership.id).where(Membership.structure_id == structure_id).limit(1))
    membership = Membership(user_id=user_id, structure_id=structure_id,
                            role=role if has_members else MembershipRole.ADMIN)
    session.add(membership)
    await session.flush()
    return membership


async def accept_pending_invitations(session: AsyncSession, user: User) -> list[int]:
    """Every valid invitation sent to the user's address becomes a membership."""
    accepted = []
    for invitation in await _pending_invitations(session, user.email):
        await add_member(session, user.id, invitation.structure_id, MembershipRole(invitation.role))
        invitation.accepted_at = utcnow()
        accepted.append(invitation.structure_id)
    return accepted
