"""A structure's team: members, invitations, requests to join, API tokens; and the
network views of its animators (people, structures without admin, audit log)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from maillage import permissions
from maillage.accounts import network_admin, team
from maillage.accounts.deps import PrincipalDep
from maillage.accounts.models import ApiToken, Invitation, JoinRequest, Membership, User
from maillage.accounts.routes import SettingsDep, sign_in
from maillage.accounts.schemas import (
    ApiTokenCreated,
    ApiTokenIn,
    ApiTokenOut,
    MeOut,
    Message,
    TokenIn,
)
from maillage.accounts.service import create_api_token
from maillage.accounts.team_schemas import (
    AuditEventOut,
    InvitationIn,
    InvitationOut,
    InvitationPreview,
    JoinDecisionIn,
    JoinRequestIn,
    JoinRequestOut,
    MemberOut,
    NetworkMemberOut,
    NetworkMembershipOut,
    PendingInvitationOut,
    PendingJoinRequestOut,
    RoleIn,
    StructureWithoutAdminOut,
    TeamOut,
    TeamReviewOut,
)
from maillage.audit.service import list_events
from maillage.db import SessionDep
from maillage.directory.models import Network, Structure
from maillage.directory.service import get_network
from maillage.pagination import Page, PageDep

router = APIRouter(prefix="/manage", tags=["équipe"])


def _member(membership: Membership, user: User) -> MemberOut:
    return MemberOut(
        membership_id=membership.id, user_id=user.id, email=user.email, first_name=user.first_name,
        last_name=user.last_name, display_name=user.display_name, role=membership.role, since=membership.created_at,
    )


def _join_request(join_request: JoinRequest, structure: Structure) -> JoinRequestOut:
    return JoinRequestOut(
        id=join_request.id, structure_id=structure.id, structure_nom=structure.nom, user_id=join_request.user_id,
        status=join_request.status, message=join_request.message, created_at=join_request.created_at,
        decided_at=join_request.decided_at,
    )


def _token(token: ApiToken) -> ApiTokenOut:
    return ApiTokenOut(id=token.id, name=token.name, prefix=token.prefix, created_at=token.created_at,
                       last_used_at=token.last_used_at, revoked_at=token.revoked_at)


async def _managed_structure(session, principal, structure_id: int) -> Structure:
    structure = await team.get_structure(session, structure_id)
    permissions.ensure_structure_admin(principal, structure)
    return structure


async def _animated_network(session, principal, slug: str) -> Network:
    network = await get_network(session, slug)
    permissions.ensure_animator(principal, network.id)
    return network


# ---------------------------------------------------------------- the team page


@router.get("/structures/{structure_id}/team", response_model=TeamOut, summary="Équipe d'une structure")
async def get_team(structure_id: int, principal: PrincipalDep, session: SessionDep) -> TeamOut:
    structure = await team.get_structure(session, structure_id)
    permissions.ensure_team_reader(principal, structure)
    view = await team.team(session, structure)
    return TeamOut(
        structure_id=structure.id, structure_nom=structure.nom, network_id=structure.network_id,
        members=[_member(m, u) for m, u in view.members],
        invitations=[
            PendingInvitationOut(id=i.id, email=i.email, role=i.role, created_at=i.created_at,
                                 expires_at=i.expires_at, invited_by=by)
            for i, by in view.invitations
        ],
        join_requests=[
            PendingJoinRequestOut(id=r.id, user_id=u.id, name=u.display_name, email=u.email, message=r.message,
                                  created_at=r.created_at)
            for r, u in view.join_requests
        ],
        reviewed_at=view.reviewed_at, review_due=view.review_due,
        can_manage=permissions.can_edit(principal, structure),
    )


@router.post("/structures/{structure_id}/team/review", response_model=TeamReviewOut,
             summary="Confirmer que l'équipe est à jour (revue trimestrielle)")
async def review_team(structure_id: int, principal: PrincipalDep, session: SessionDep) -> TeamReviewOut:
    structure = await _managed_structure(session, principal, structure_id)
    review = await team.review_team(session, structure, principal.user)
    return TeamReviewOut(structure_id=structure.id, reviewed_at=review.reviewed_at, review_due=False)


# ---------------------------------------------------------------- invitations


@router.post("/structures/{structure_id}/invitations", response_model=InvitationOut,
             status_code=status.HTTP_201_CREATED, summary="Inviter une personne dans l'équipe")
async def invite(structure_id: int, body: InvitationIn, principal: PrincipalDep, session: SessionDep,
                 settings: SettingsDep) -> InvitationOut:
    structure = await _managed_structure(session, principal, structure_id)
    invitation = await team.invite(session, structure, body.email, body.role, principal.user, settings)
    return _invitation(invitation)


def _invitation(invitation: Invitation) -> InvitationOut:
    return InvitationOut(id=invitation.id, email=invitation.email, role=invitation.role,
                         structure_id=invitation.structure_id, expires_at=invitation.expires_at)


@router.delete("/invitations/{invitation_id}", response_model=Message, summary="Annuler une invitation")
async def revoke_invitation(invitation_id: int, principal: PrincipalDep, session: SessionDep) -> Message:
    invitation = await team.get_invitation(session, invitation_id)
    permissions.ensure_structure_admin(principal, invitation.structure)
    await team.revoke_invitation(session, invitation, principal.user)
    return Message(detail=f"L'invitation de {invitation.email} est annulée.")


@router.post("/invitations/preview", response_model=InvitationPreview,
             summary="Voir une invitation reçue par courriel avant de l'accepter")
async def preview_invitation(body: TokenIn, session: SessionDep) -> InvitationPreview:
    invitation, structure = await team.preview_invitation(session, body.token)
    return InvitationPreview(email=invitation.email, role=invitation.role, structure_id=structure.id,
                             structure_nom=structure.nom, expires_at=invitation.expires_at)


@router.post("/invitations/accept", response_model=MeOut,
             summary="Accepter une invitation reçue par courriel (et se connecter)")
async def accept_invitation(body: TokenIn, response: Response, session: SessionDep, settings: SettingsDep) -> MeOut:
    user, _membership = await team.accept_invitation(session, body.token)
    return await sign_in(session, response, user, "invitation", settings)


# ---------------------------------------------------------------- memberships


@router.patch("/memberships/{membership_id}", response_model=MemberOut, summary="Changer le rôle d'un membre")
async def change_role(membership_id: int, body: RoleIn, principal: PrincipalDep, session: SessionDep) -> MemberOut:
    membership = await team.get_membership(session, membership_id)
    permissions.ensure_structure_admin(principal, membership.structure)
    membership = await team.change_role(session, membership, body.role, principal.user)
    return _member(membership, membership.user)


@router.delete("/memberships/{membership_id}", response_model=Message,
               summary="Retirer un membre de l'équipe (ou la quitter)")
async def remove_member(membership_id: int, principal: PrincipalDep, session: SessionDep) -> Message:
    membership = await team.get_membership(session, membership_id)
    permissions.ensure_self_or_structure_admin(principal, membership.structure, membership.user_id)
    structure, user = membership.structure, membership.user
    await team.remove_member(session, membership, principal.user)
    if user.id == principal.user_id:
        return Message(detail=f"Vous avez quitté l'équipe de {structure.nom}.")
    return Message(detail=f"{user.display_name} ne fait plus partie de l'équipe de {structure.nom}.")


# ---------------------------------------------------------------- requests to join


@router.post("/structures/{structure_id}/join-requests", response_model=JoinRequestOut,
             status_code=status.HTTP_201_CREATED, summary="Demander à rejoindre une structure")
async def request_to_join(structure_id: int, body: JoinRequestIn, principal: PrincipalDep, session: SessionDep,
                          settings: SettingsDep) -> JoinRequestOut:
    permissions.user_signed_in(principal)
    structure = await team.get_structure(session, structure_id)
    join_request = await team.request_to_join(session, structure, principal.user, body.message, settings)
    return _join_request(join_request, structure)


async def _decide(join_request_id: int, approve: bool, body: JoinDecisionIn | None, principal, session,
                  settings) -> JoinRequestOut:
    join_request, structure = await team.get_join_request(session, join_request_id)
    permissions.ensure_structure_admin(principal, structure)
    message = body.message if body else None
    join_request = await team.decide_join_request(session, join_request, structure, approve, principal.user,
                                                  message, settings)
    return _join_request(join_request, structure)


@router.post("/join-requests/{join_request_id}/approve", response_model=JoinRequestOut,
             summary="Accepter une demande d'adhésion")
async def approve_join_request(join_request_id: int, principal: PrincipalDep, session: SessionDep,
                               settings: SettingsDep, body: JoinDecisionIn | None = None) -> JoinRequestOut:
    return await _decide(join_request_id, True, body, principal, session, settings)


@router.post("/join-requests/{join_request_id}/reject", response_model=JoinRequestOut,
             summary="Refuser une demande d'adhésion")
async def reject_join_request(join_request_id: int, principal: PrincipalDep, session: SessionDep,
                              settings: SettingsDep, body: JoinDecisionIn | None = None) -> JoinRequestOut:
    return await _decide(join_request_id, False, body, principal, session, settings)


# ---------------------------------------------------------------- API tokens


@router.get("/structures/{structure_id}/api-tokens", response_model=Page[ApiTokenOut],
            summary="Jetons d'API de la structure")
async def list_api_tokens(structure_id: int, principal: PrincipalDep, session: SessionDep,
                          page: PageDep) -> Page[ApiTokenOut]:
    structure = await _managed_structure(session, principal, structure_id)
    tokens, total = await team.list_api_tokens(session, structure, page)
    return Page[ApiTokenOut].of([_token(t) for t in tokens], total, page)


@router.post("/structures/{structure_id}/api-tokens", response_model=ApiTokenCreated,
             status_code=status.HTTP_201_CREATED, summary="Créer un jeton d'API (affiché une seule fois)")
async def create_token(structure_id: int, body: ApiTokenIn, principal: PrincipalDep,
                       session: SessionDep) -> ApiTokenCreated:
    structure = await _managed_structure(session, principal, structure_id)
    secret, token = await create_api_token(session, structure, body.name, principal.user_id)
    return ApiTokenCreated(**_token(token).model_dump(), token=secret)


@router.delete("/api-tokens/{token_id}", response_model=ApiTokenOut, summary="Révoquer un jeton d'API")
async def revoke_token(token_id: int, principal: PrincipalDep, session: SessionDep) -> ApiTokenOut:
    token, structure = await team.get_api_token(session, token_id)
    permissions.ensure_structure_admin(principal, structure)
    return _token(await team.revoke_api_token(session, token, structure, principal.user))


# ---------------------------------------------------------------- a network, for its animators


@router.get("/networks/{slug}/members", response_model=Page[NetworkMemberOut], summary="Personnes du réseau")
async def network_members(
    slug: str, principal: PrincipalDep, session: SessionDep, page: PageDep,
    q: Annotated[str | None, Query(max_length=200, description="Partie du nom ou de l'adresse")] = None,
) -> Page[NetworkMemberOut]:
    network = await _animated_network(session, principal, slug)
    members, total = await network_admin.network_members(session, network, page, q)
    items = [
        NetworkMemberOut(
            id=m.user.id, email=m.user.email, first_name=m.user.first_name, last_name=m.user.last_name,
            display_name=m.user.display_name, is_active=m.user.is_active, last_login_at=m.user.last_login_at,
            is_animator=m.is_animator,
            memberships=[NetworkMembershipOut(membership_id=mid, structure_id=sid, structure_nom=nom, role=role)
                         for mid, sid, nom, role in m.memberships],
        )
        for m in members
    ]
    return Page[NetworkMemberOut].of(items, total, page)


@router.get("/networks/{slug}/structures-without-admin", response_model=Page[StructureWithoutAdminOut],
            summary="Structures publiées sans administrateur")
async def structures_without_admin(slug: str, principal: PrincipalDep, session: SessionDep,
                                   page: PageDep) -> Page[StructureWithoutAdminOut]:
    network = await _animated_network(session, principal, slug)
    rows, total = await network_admin.structures_without_admin(session, network, page)
    items = [StructureWithoutAdminOut(id=s.id, nom=s.nom, commune=s.commune, members_count=count)
             for s, count in rows]
    return Page[StructureWithoutAdminOut].of(items, total, page)


@router.get("/networks/{slug}/audit", response_model=Page[AuditEventOut], summary="Journal du réseau")
async def network_audit(
    slug: str, principal: PrincipalDep, session: SessionDep, page: PageDep,
    action: Annotated[str | None, Query(max_length=60, description="Type d'évènement (ex. « role_modifie »)")] = None,
) -> Page[AuditEventOut]:
    network = await _animated_network(session, principal, slug)
    rows, total = await list_events(session, network.id, page, action)
    items = [
        AuditEventOut(id=e.id, action=e.action, summary=e.summary, actor_email=email, target_type=e.target_type,
                      target_id=e.target_id, details=e.details or {}, created_at=e.created_at)
        for e, email in rows
    ]
    return Page[AuditEventOut].of(items, total, page)
