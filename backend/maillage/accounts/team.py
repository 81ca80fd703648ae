"""A structure's team: members, invitations, requests to join, API tokens (the network
views and platform administration are in ``network_admin``). Functions take the session
first, never commit and raise domain errors only."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload

from maillage.accounts.models import (
    ApiToken,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    MembershipRole,
    MembersReview,
    NetworkRole,
    NetworkRoleKind,
    User,
)
from maillage.accounts.service import add_member, normalise_email
from maillage.accounts.tokens import hash_secret, new_secret
from maillage.audit.service import record
from maillage.config import Settings
from maillage.db import utcnow
from maillage.directory.cards import add_months
from maillage.directory.models import Structure
from maillage.directory.reminders import REVIEW_MONTHS
from maillage.errors import Conflict, Forbidden, InvalidInput, NotFound
from maillage.notifications.emails import enqueue
from maillage.pagination import PageParams

INVITATION_TTL = timedelta(days=14)
ROLE_LABELS = {MembershipRole.MEMBER: "membre", MembershipRole.ADMIN: "administrateur·rice"}
LAST_ADMIN = ("{nom} n'aurait plus d'administrateur : nommez d'abord quelqu'un d'autre administrateur "
              "de la structure.")


def _base(settings: Settings) -> str:
    return settings.public_url.rstrip("/")


def _team_link(settings: Settings, structure_id: int) -> str:
    return f"{_base(settings)}/gestion/structures/{structure_id}/equipe"


def _french_date(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y")


async def get_structure(session: AsyncSession, structure_id: int) -> Structure:
    structure = await session.get(Structure, structure_id)
    if structure is None:
        raise NotFound("Cette structure n'existe pas.")
    return structure


# ---------------------------------------------------------------- the team page


@dataclass(frozen=True)
class Team:
    structure: Structure
    members: list[tuple[Membership, User]]
    invitations: list[tuple[Invitation, str | None]]
    join_requests: list[tuple[JoinRequest, User]]
    reviewed_at: datetime | None
    review_due: bool


def _review_due(reviewed_at: datetime | None, first_member_since: datetime | None, now: datetime) -> bool:
    """Same rule as the quarterly reminder: last review (or first member) over 3 months ago."""
    reference = reviewed_at or first_member_since
    return reference is not None and reference < add_months(now, -REVIEW_MONTHS)


async def team(session: AsyncSession, structure: Structure) -> Team:
    now = utcnow()
    members = (await session.execute(
        select(Membership, User).join(User, User.id == Membership.user_id)
        .where(Membership.structure_id == structure.id)
        .order_by(Membership.role, User.last_name, User.first_name, User.email)
    )).all()
    inviter = aliased(User)
    invitations = (await session.execute(
        select(Invitation, inviter).outerjoin(inviter, inviter.id == Invitation.invited_by_id)
        .where(Invitation.structure_id == structure.id, Invitation.accepted_at.is_(None),
               Invitation.revoked_at.is_(None), Invitation.expires_at > now)
        .order_by(Invitation.created_at.desc())
    )).all()
    requests = (await session.execute(
        select(JoinRequest, User).join(User, User.id == JoinRequest.user_id)
        .where(JoinRequest.structure_id == structure.id, JoinRequest.status == JoinRequestStatus.PENDING)
        .order_by(JoinRequest.created_at)
    )).all()
    reviewed_at = await session.scalar(
        select(MembersReview.reviewed_at).where(MembersReview.structure_id == structure.id))
    since = min((m.created_at for m, _u in members), default=None)
    return Team(
        structure=structure, members=list(members),
        invitations=[(i, u.display_name if u else None) for i, u in invitations],
        join_requests=list(requests), reviewed_at=reviewed_at, review_due=_review_due(reviewed_at, since, now),
    )


async def review_team(session: AsyncSession, structure: Structure, actor: User) -> MembersReview:
    """The admins confirm that the team is up to date (read by the quarterly reminder)."""
    review = await session.get(MembersReview, structure.id)
    if review is None:
        review = MembersReview(structure_id=structure.id, reminders_sent=0)
        session.add(review)
    review.reviewed_at = utcnow()
    await session.flush()
    await record(session, "equipe_revue", f"Équipe de {structure.nom} revue", actor_id=actor.id,
                 network_id=structure.network_id, target_type="structure", target_id=structure.id)
    return review


# ---------------------------------------------------------------- invitations


async def invite(
    session: AsyncSession, structure: Structure, email: str, role: MembershipRole, inviter: User, settings: Settings
) -> Invitation:
    """Invite an address to the team: 14 days, single use; only the token's hash is kept."""
    email = normalise_email(email)
    already = await session.scalar(
        select(Membership.id).join(User, User.id == Membership.user_id)
        .where(Membership.structure_id == structure.id, User.email == email)
    )
    if already is not None:
        raise Conflict(f"{email} fait déjà partie de l'équipe de {structure.nom}.")
    pending = await session.scalar(
        select(Invitation.id).where(
            Invitation.structure_id == structure.id, Invitation.email == email, Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow(),
        )
    )
    if pending is not None:
        raise Conflict(f"{email} a déjà une invitation en attente pour {structure.nom}.")
    token = new_secret()
    now = utcnow()
    invitation = Invitation(
        token_hash=hash_secret(token), email=email, structure_id=structure.id, role=role,
        invited_by_id=inviter.id, created_at=now, expires_at=now + INVITATION_TTL,
    )
    session.add(invitation)
    await session.flush()
    await enqueue(
        session, "invitation", email, network_id=structure.network_id,
        inviter_name=inviter.display_name, structure_nom=structure.nom, role_label=ROLE_LABELS[role],
        expires_on=_french_date(invitation.expires_at), link=f"{_base(settings)}/invitation?jeton={token}",
    )
    await record(session, "invitation_envoyee", f"{email} invité·e dans l'équipe de {structure.nom} ({role})",
                 actor_id=inviter.id, network_id=structure.network_id, target_type="structure",
                 target_id=structure.id, invitation_id=invitation.id, role=str(role))
    return invitation


async def get_invitation(session: AsyncSession, invitation_id: int) -> Invitation:
    invitation = await session.scalar(
        select(Invitation).options(joinedload(Invitation.structure)).where(Invitation.id == invitation_id))
    if invitation is None:
        raise NotFound("Cette invitation n'existe pas.")
    return invitation


async def revoke_invitation(session: AsyncSession, invitation: Invitation, actor: User) -> None:
    if invitation.accepted_at is not None:
        raise Conflict("Cette invitation a déjà été acceptée : retirez plutôt la personne de l'équipe.")
    if invitation.revoked_at is not None:
        return
    invitation.revoked_at = utcnow()
    structure = invitation.structure
    await record(session, "invitation_annulee", f"Invitation de {invitation.email} à {structure.nom} annulée",
                 actor_id=actor.id, network_id=structure.network_id, target_type="structure",
                 target_id=structure.id, invitation_id=invitation.id)


async def preview_invitation(session: AsyncSession, token: str) -> tuple[Invitation, Structure]:
    """What an invitation link offers, read before accepting it (the token is the right)."""
    invitation = await session.scalar(select(Invitation).where(
        Invitation.token_hash == hash_secret(token), Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow(),
    ))
    if invitation is None:
        raise InvalidInput("Cette invitation n'est plus valable (déjà utilisée, annulée ou expirée) : "
                           "demandez à un administrateur de la structure de vous inviter à nouveau.")
    return invitation, await get_structure(session, invitation.structure_id)


async def accept_invitation(session: AsyncSession, token: str) -> tuple[User, Membership]:
    """Consume an invitation (a conditional UPDATE: of two concurrent uses, one only
    succeeds) and make its address a member; the user is created if needed."""
    now = utcnow()
    row = (await session.execute(
        update(Invitation)
        .where(Invitation.token_hash == hash_secret(token), Invitation.accepted_at.is_(None),
               Invitation.revoked_at.is_(None), Invitation.expires_at > now)
        .values(accepted_at=now)
        .returning(Invitation.id, Invitation.email, Invitation.structure_id, Invitation.role)
        .execution_options(synchronize_session=False)
    )).first()
    if row is None:
        raise InvalidInput("Cette invitation n'est plus valable (déjà utilisée, annulée ou expirée) : "
                           "demandez à un administrateur de la structure de vous inviter à nouveau.")
    invitation_id, email, structure_id, role = row
    user = await session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email)
        session.add(user)
        await session.flush()
    if not user.is_active:
        raise Forbidden("Ce compte est désactivé.")
    membership = await add_member(session, user.id, structure_id, MembershipRole(role))
    structure = await get_structure(session, structure_id)
    await record(session, "invitation_acceptee", f"{email} a rejoint l'équipe de {structure.nom}",
                 actor_id=user.id, network_id=structure.network_id, target_type="structure",
                 target_id=structure.id, invitation_id=invitation_id, role=str(membership.role))
    return user, membership


# ---------------------------------------------------------------- memberships


async def get_membership(session: AsyncSession, membership_id: int) -> Membership:
    membership = await session.scalar(
        select(Membership).options(joinedload(Membership.structure), joinedload(Membership.user))
        .where(Membership.id == membership_id)
    )
    if membership is None:
        raise NotFound("Cette personne ne fait pas (ou plus) partie de l'équipe.")
    return membership


async def _ensure_another_admin(session: AsyncSession, membership: Membership) -> None:
    """Refuse to leave a structure without admin. The admins' rows are locked (on
    PostgreSQL) so that two admins demoting each other at once cannot both succeed."""
    admins = list(await session.scalars(
        select(Membership.id)
        .where(Membership.structure_id == membership.structure_id, Membership.role == MembershipRole.ADMIN)
        .with_for_update()
    ))
    if admins == [membership.id] or not admins:
        raise Conflict(LAST_ADMIN.format(nom=membership.structure.nom))


async def change_role(session: AsyncSession, membership: Membership, role: MembershipRole, actor: User) -> Membership:
    if membership.role == role:
        return membership
    if membership.role == MembershipRole.ADMIN:
        await _ensure_another_admin(session, membership)
    previous = membership.role
    membership.role = role
    await session.flush()
    structure = membership.structure
    await record(session, "role_modifie",
                 f"{membership.user.email} : {ROLE_LABELS[MembershipRole(previous)]} → {ROLE_LABELS[role]} "
                 f"({structure.nom})",
                 actor_id=actor.id, network_id=structure.network_id, target_type="user",
                 target_id=membership.user_id, structure_id=structure.id, previous=str(previous), role=str(role))
    return membership


async def remove_member(session: AsyncSession, membership: Membership, actor: User) -> None:
    if membership.role == MembershipRole.ADMIN:
        await _ensure_another_admin(session, membership)
    structure, user = membership.structure, membership.user
    await session.delete(membership)
    await session.flush()
    left = actor.id == user.id
    summary = f"{user.email} a quitté {structure.nom}" if left else f"{user.email} retiré·e de {structure.nom}"
    await record(session, "membre_retire", summary, actor_id=actor.id, network_id=structure.network_id,
                 target_type="user", target_id=user.id, structure_id=structure.id, departure=left)


# ---------------------------------------------------------------- requests to join


async def _recipients_for(session: AsyncSession, structure: Structure) -> tuple[list[str], bool]:
    """The structure's admins; when it has none, the network's animators (second value: True)."""
    admins = list(await session.scalars(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.structure_id == structure.id, Membership.role == MembershipRole.ADMIN,
               User.is_active.is_(True)).order_by(User.email)
    ))
    if admins:
        return admins, False
    return list(await session.scalars(
        select(User.email).join(NetworkRole, NetworkRole.user_id == User.id)
        .where(NetworkRole.network_id == structure.network_id, NetworkRole.role == NetworkRoleKind.ANIMATOR,
               User.is_active.is_(True)).order_by(User.email)
    )), True


async def request_to_join(
    session: AsyncSession, structure: Structure, user: User, message: str | None, settings: Settings
) -> JoinRequest:
    member = await session.scalar(
        select(Membership.id).where(Membership.structure_id == structure.id, Membership.user_id == user.id))
    if member is not None:
        raise Conflict(f"Vous faites déjà partie de l'équipe de {structure.nom}.")
    pending = await session.scalar(
        select(JoinRequest.id).where(JoinRequest.structure_id == structure.id, JoinRequest.user_id == user.id,
                                     JoinRequest.status == JoinRequestStatus.PENDING))
    if pending is not None:
        raise Conflict(f"Votre demande pour rejoindre {structure.nom} est déjà en attente.")
    message = (message or "").strip() or None
    join_request = JoinRequest(user_id=user.id, structure_id=structure.id, message=message,
                               status=JoinRequestStatus.PENDING)
    session.add(join_request)
    await session.flush()
    recipients, as_animator = await _recipients_for(session, structure)
    for address in recipients:
        await enqueue(
            session, "join_request_received", address, network_id=structure.network_id,
            requester_name=user.display_name, requester_email=user.email, structure_nom=structure.nom,
            message=message, as_animator=as_animator, link=_team_link(settings, structure.id),
        )
    await record(session, "demande_adhesion", f"{user.email} demande à rejoindre {structure.nom}",
                 actor_id=user.id, network_id=structure.network_id, target_type="structure",
                 target_id=structure.id, join_request_id=join_request.id)
    return join_request


async def get_join_request(session: AsyncSession, join_request_id: int) -> tuple[JoinRequest, Structure]:
    row = (await session.execute(
        select(JoinRequest, Structure).join(Structure, Structure.id == JoinRequest.structure_id)
        .options(joinedload(JoinRequest.user)).where(JoinRequest.id == join_request_id)
    )).first()
    if row is None:
        raise NotFound("Cette demande n'existe pas.")
    return row[0], row[1]


async def decide_join_request(
    session: AsyncSession, join_request: JoinRequest, structure: Structure, approve: bool, actor: User,
    message: str | None, settings: Settings,
) -> JoinRequest:
    """Approve (the requester becomes a member; the first one, admin) or reject. A
    conditional UPDATE makes two concurrent decisions impossible: one only wins."""
    status = JoinRequestStatus.APPROVED if approve else JoinRequestStatus.REJECTED
    decided = (await session.execute(
        update(JoinRequest)
        .where(JoinRequest.id == join_request.id, JoinRequest.status == JoinRequestStatus.PENDING)
        .values(status=status, decided_at=utcnow(), decided_by_id=actor.id)
        .returning(JoinRequest.id)
        .execution_options(synchronize_session=False)
    )).scalar()
    if decided is None:
        raise Conflict("Cette demande a déjà été traitée.")
    await session.refresh(join_request, ["status", "decided_at", "decided_by_id"])
    requester = join_request.user
    role = None
    if approve:
        role = (await add_member(session, requester.id, structure.id, MembershipRole.MEMBER)).role
    await enqueue(
        session, "join_request_decided", requester.email, network_id=structure.network_id,
        structure_nom=structure.nom, approved=approve, role_label=ROLE_LABELS[MembershipRole(role)] if role else None,
        decided_by=actor.display_name, message=(message or "").strip() or None, link=f"{_base(settings)}/connexion",
    )
    action = "demande_adhesion_acceptee" if approve else "demande_adhesion_refusee"
    verb = "acceptée" if approve else "refusée"
    await record(session, action, f"Demande de {requester.email} pour {structure.nom} {verb}",
                 actor_id=actor.id, network_id=structure.network_id, target_type="user", target_id=requester.id,
                 structure_id=structure.id, join_request_id=join_request.id)
    return join_request


# ---------------------------------------------------------------- API tokens


async def list_api_tokens(session: AsyncSession, structure: Structure, page: PageParams) -> tuple[list[ApiToken], int]:
    condition = ApiToken.structure_id == structure.id
    total = await session.scalar(select(func.count()).select_from(ApiToken).where(condition)) or 0
    tokens = await session.scalars(
        select(ApiToken).where(condition).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        .offset(page.offset).limit(page.page_size)
    )
    return list(tokens), total


async def get_api_token(session: AsyncSession, token_id: int) -> tuple[ApiToken, Structure]:
    row = (await session.execute(
        select(ApiToken, Structure).join(Structure, Structure.id == ApiToken.structure_id)
        .where(ApiToken.id == token_id)
    )).first()
    if row is None:
        raise NotFound("Ce jeton d'API n'existe pas.")
    return row[0], row[1]


async def revoke_api_token(session: AsyncSession, token: ApiToken, structure: Structure, actor: User) -> ApiToken:
    if token.revoked_at is not None:
        return token
    token.revoked_at = utcnow()
    await session.flush()
    await record(session, "jeton_api_revoque", f"Jeton d'API « {token.name} » de {structure.nom} révoqué",
                 actor_id=actor.id, network_id=structure.network_id, target_type="structure",
                 target_id=structure.id, api_token_id=token.id)
    return token
