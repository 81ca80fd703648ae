"""A structure's team (invitations, members, requests to join, review, API tokens) and the
network views of its animators, through the API."""

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import pytest
from maillage.accounts import team
from maillage.accounts.deps import CSRF_COOKIE, SESSION_COOKIE
from maillage.accounts.models import (
    ApiToken,
    Invitation,
    JoinRequest,
    Membership,
    MembershipRole,
    MembersReview,
    User,
)
from maillage.accounts.service import create_api_token
from maillage.accounts.tokens import hash_secret, new_secret
from maillage.audit.models import AuditEvent
from maillage.audit.service import record
from maillage.db import utcnow
from maillage.directory.models import Network, StructureStatus
from maillage.errors import InvalidInput
from maillage.notifications.models import OutboxEmail
from sqlalchemy import delete, event, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_structure

API = "/api/v1/manage"


# ---------------------------------------------------------------- a small network and its people


@dataclass
class World:
    network: Network
    structure: object
    sibling: object
    admin: User
    member: User
    sibling_member: User
    outsider: User
    animator: User
    other_animator: User
    platform: User
    plain: User
    membership: Membership
    invitation: Invitation
    join_request: JoinRequest
    api_token: ApiToken
    api_secret: str


@pytest.fixture
async def world(session) -> World:
    network = await make_network(session)
    other_network = await make_network(session)
    structure = await make_structure(session, network, nom="Mission Locale test")
    sibling = await make_structure(session, network, nom="PLIE test")
    elsewhere = await make_structure(session, other_network, nom="Ailleurs")
    admin = await make_user(session, admin_of=[structure])
    member = await make_user(session, member_of=[structure])
    membership = await session.scalar(select(Membership).where(Membership.user_id == member.id))
    invitation = Invitation(
        token_hash=hash_secret(new_secret()), email="en-attente@test.example.org", structure_id=structure.id,
        invited_by_id=admin.id, expires_at=utcnow() + timedelta(days=14),
    )
    plain = await make_user(session)
    join_request = JoinRequest(user_id=plain.id, structure_id=structure.id, message="Bonjour")
    session.add_all([invitation, join_request])
    secret, api_token = await create_api_token(session, structure, "Logiciel métier", admin.id)
    await session.flush()
    return World(
        network=network, structure=structure, sibling=sibling, admin=admin, member=member,
        sibling_member=await make_user(session, member_of=[sibling]),
        outsider=await make_user(session, admin_of=[elsewhere]),
        animator=await make_user(session, animator_of=[network]),
        other_animator=await make_user(session, animator_of=[other_network]),
        platform=await make_user(session, platform_admin=True),
        plain=plain, membership=membership, invitation=invitation, join_request=join_request,
        api_token=api_token, api_secret=secret,
    )


@pytest.fixture
def act_as(client, sign_in, world):
    """Make the next requests as ``who``: anonymous, the structure's API token, or a user of the world."""

    async def _act_as(who: str):
        client.headers.pop("authorization", None)
        client.cookies.clear()  # responses may have set cookies of their own
        client.cookies.set(CSRF_COOKIE, "jeton-csrf-anonyme")
        client.headers["x-csrf-token"] = "jeton-csrf-anonyme"
        if who == "token":
            client.headers["authorization"] = f"Bearer {world.api_secret}"
        elif who != "anonymous":
            await sign_in(getattr(world, who))
        return client

    return _act_as


async def _mail(session, to: str, kind: str) -> OutboxEmail | None:
    return await session.scalar(
        select(OutboxEmail).where(OutboxEmail.to_address == to, OutboxEmail.kind == kind)
        .order_by(OutboxEmail.id.desc())
    )


def _token_in(mail: OutboxEmail) -> str:
    return mail.text_body.split("jeton=")[1].split()[0]


async def _audit(session, action: str, network_id: int) -> list[AuditEvent]:
    return list(await session.scalars(
        select(AuditEvent).where(AuditEvent.action == action, AuditEvent.network_id == network_id)))


# ---------------------------------------------------------------- who may call what

EVERYONE = {"anonymous", "token", "member", "admin", "sibling_member", "outsider", "animator", "other_animator",
            "platform"}
TEAM_MANAGERS = {"admin", "animator", "platform"}

ENDPOINTS = {
    # name: (method, path, body, success status, who is allowed)
    "voir l'équipe": (
        "GET", lambda w: f"{API}/structures/{w.structure.id}/team", None, 200,
        {"member", "admin", "animator", "platform"}),
    "revoir l'équipe": (
        "POST", lambda w: f"{API}/structures/{w.structure.id}/team/review", None, 200, TEAM_MANAGERS),
    "inviter": (
        "POST", lambda w: f"{API}/structures/{w.structure.id}/invitations",
        {"email": "nouvelle@test.example.org", "role": "member"}, 201, TEAM_MANAGERS),
    "annuler une invitation": (
        "DELETE", lambda w: f"{API}/invitations/{w.invitation.id}", None, 200, TEAM_MANAGERS),
    "changer un rôle": (
        "PATCH", lambda w: f"{API}/memberships/{w.membership.id}", {"role": "admin"}, 200, TEAM_MANAGERS),
    "retirer un membre": (
        "DELETE", lambda w: f"{API}/memberships/{w.membership.id}", None, 200, TEAM_MANAGERS | {"member"}),
    "accepter une demande": (
        "POST", lambda w: f"{API}/join-requests/{w.join_request.id}/approve", None, 200, TEAM_MANAGERS),
    "refuser une demande": (
        "POST", lambda w: f"{API}/join-requests/{w.join_request.id}/reject", None, 200, TEAM_MANAGERS),
    "lister les jetons": (
        "GET", lambda w: f"{API}/structures/{w.structure.id}/api-tokens", None, 200, TEAM_MANAGERS),
    "créer un jeton": (
        "POST", lambda w: f"{API}/structures/{w.structure.id}/api-tokens", {"name": "Export"}, 201, TEAM_MANAGERS),
    "révoquer un jeton": (
        "DELETE", lambda w: f"{API}/api-tokens/{w.api_token.id}", None, 200, TEAM_MANAGERS),
    "personnes du réseau": (
        "GET", lambda w: f"{API}/networks/{w.network.slug}/members", None, 200, {"animator", "platform"}),
    "structures sans administrateur": (
        "GET", lambda w: f"{API}/networks/{w.network.slug}/structures-without-admin", None, 200,
        {"animator", "platform"}),
    "journal du réseau": (
        "GET", lambda w: f"{API}/networks/{w.network.slug}/audit", None, 200, {"animator", "platform"}),
}


@pytest.mark.parametrize("name", list(ENDPOINTS))
async def test_refusals(name, world, act_as):
    method, path, body, _ok, allowed = ENDPOINTS[name]
    for who in sorted(EVERYONE - allowed):
        client = await act_as(who)
        response = await client.request(method, path(world), json=body)
        expected = 401 if who == "anonymous" else 403
        assert response.status_code == expected, (who, response.text)
        assert response.json()["error"] in ("non_connecte", "interdit")
        assert response.json()["detail"].endswith(".")  # a French sentence, not a code


@pytest.mark.parametrize(
    "name,who", [(name, who) for name, spec in ENDPOINTS.items() for who in sorted(spec[4])])
async def test_allowed(name, who, world, act_as):
    method, path, body, ok, _allowed = ENDPOINTS[name]
    client = await act_as(who)
    response = await client.request(method, path(world), json=body)
    assert response.status_code == ok, response.text


@pytest.mark.parametrize("method,path", [
    ("GET", "/structures/999999/team"),
    ("POST", "/structures/999999/invitations"),
    ("DELETE", "/invitations/999999"),
    ("PATCH", "/memberships/999999"),
    ("DELETE", "/memberships/999999"),
    ("POST", "/join-requests/999999/approve"),
    ("DELETE", "/api-tokens/999999"),
    ("GET", "/networks/inconnu/members"),
    ("GET", "/networks/inconnu/audit"),
])
async def test_unknown_things_are_a_french_404(method, path, world, act_as):
    client = await act_as("platform")
    body = {"email": "x@test.example.org", "role": "member"} if "invitations" in path and method == "POST" else (
        {"role": "admin"} if method == "PATCH" else None)
    response = await client.request(method, f"{API}{path}", json=body)
    assert response.status_code == 404, response.text
    assert response.json()["error"] == "introuvable"
    assert "n'existe pas" in response.json()["detail"] or "partie de l'équipe" in response.json()["detail"]


# ---------------------------------------------------------------- invitations


async def test_invitation_by_email_then_accepted_signs_in_as_member(client, session, world, act_as):
    await act_as("admin")
    response = await client.post(f"{API}/structures/{world.structure.id}/invitations",
                                 json={"email": " Nouvelle.Recrue@Test.example.org", "role": "member"})
    assert response.status_code == 201, response.text
    invitation = await session.get(Invitation, response.json()["id"])
    assert invitation.email == "nouvelle.recrue@test.example.org"
    assert timedelta(days=13, hours=23) < invitation.expires_at - invitation.created_at <= timedelta(days=14)

    mail = await _mail(session, "nouvelle.recrue@test.example.org", "invitation")
    assert "Mission Locale test" in mail.subject and world.admin.display_name in mail.text_body
    assert "http://127.0.0.1:8000/invitation?jeton=" in mail.text_body and "Accepter" in mail.html_body
    token = _token_in(mail)
    assert invitation.token_hash == hash_secret(token) and token not in invitation.token_hash
    [event_] = await _audit(session, "invitation_envoyee", world.network.id)
    assert event_.actor_id == world.admin.id

    team_page = (await client.get(f"{API}/structures/{world.structure.id}/team")).json()
    pending = {i["email"]: i for i in team_page["invitations"]}
    assert pending["nouvelle.recrue@test.example.org"]["invited_by"] == world.admin.display_name

    await act_as("anonymous")
    preview = (await client.post(f"{API}/invitations/preview", json={"token": token})).json()
    assert (preview["structure_nom"], preview["email"], preview["role"]) == (
        "Mission Locale test", "nouvelle.recrue@test.example.org", "member")
    accepted = await client.post(f"{API}/invitations/accept", json={"token": token})
    assert accepted.status_code == 200, accepted.text
    me = accepted.json()
    assert me["user"]["email"] == "nouvelle.recrue@test.example.org"
    assert [(m["structure_id"], m["role"]) for m in me["memberships"]] == [(world.structure.id, "member")]
    assert any(c.startswith(f"{SESSION_COOKIE}=") for c in accepted.headers.get_list("set-cookie"))
    assert (await client.get("/api/v1/auth/me")).json()["user"]["email"] == "nouvelle.recrue@test.example.org"
    assert await _audit(session, "invitation_acceptee", world.network.id)

    # Single use: the same link does not work twice.
    client.headers["x-csrf-token"] = me["csrf_token"]
    again = await client.post(f"{API}/invitations/accept", json={"token": token})
    assert again.status_code == 422
    assert again.json()["detail"].startswith("Cette invitation n'est plus valable")


async def test_invitation_expires_after_14_days(client, session, world, act_as):
    await act_as("admin")
    await client.post(f"{API}/structures/{world.structure.id}/invitations", json={"email": "tard@test.example.org"})
    token = _token_in(await _mail(session, "tard@test.example.org", "invitation"))
    invitation = await session.scalar(select(Invitation).where(Invitation.email == "tard@test.example.org"))
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    await session.flush()
    await act_as("anonymous")
    response = await client.post(f"{API}/invitations/accept", json={"token": token})
    assert response.status_code == 422 and "n'est plus valable" in response.json()["detail"]
    assert await session.scalar(select(User).where(User.email == "tard@test.example.org")) is None
    # Once expired, the address can be invited again.
    await act_as("admin")
    response = await client.post(f"{API}/structures/{world.structure.id}/invitations",
                                 json={"email": "tard@test.example.org"})
    assert response.status_code == 201


async def test_revoked_invitation_cannot_be_used(client, session, world, act_as):
    await act_as("admin")
    created = await client.post(f"{API}/structures/{world.structure.id}/invitations",
                                json={"email": "annulee@test.example.org"})
    token = _token_in(await _mail(session, "annulee@test.example.org", "invitation"))
    revoked = await client.delete(f"{API}/invitations/{created.json()['id']}")
    assert revoked.status_code == 200 and "annulée" in revoked.json()["detail"]
    team_page = (await client.get(f"{API}/structures/{world.structure.id}/team")).json()
    assert "annulee@test.example.org" not in {i["email"] for i in team_page["invitations"]}
    assert await _audit(session, "invitation_annulee", world.network.id)
    await act_as("anonymous")
    assert (await client.post(f"{API}/invitations/accept", json={"token": token})).status_code == 422


async def test_cannot_invite_a_member_or_an_address_already_invited(client, world, act_as):
    await act_as("admin")
    url = f"{API}/structures/{world.structure.id}/invitations"
    member = await client.post(url, json={"email": world.member.email.upper()})
    assert member.status_code == 409 and "fait déjà partie" in member.json()["detail"]
    twice = await client.post(url, json={"email": world.invitation.email})
    assert twice.status_code == 409 and "déjà une invitation en attente" in twice.json()["detail"]
    bad = await client.post(url, json={"email": "pas-une-adresse", "role": "chef"})
    assert bad.status_code == 422 and {f["champ"] for f in bad.json()["fields"]} == {"email", "role"}


async def test_existing_user_accepts_an_admin_invitation(client, session, world, act_as):
    await act_as("admin")
    await client.post(f"{API}/structures/{world.structure.id}/invitations",
                      json={"email": world.sibling_member.email, "role": "admin"})
    token = _token_in(await _mail(session, world.sibling_member.email, "invitation"))
    await act_as("anonymous")
    me = (await client.post(f"{API}/invitations/accept", json={"token": token})).json()
    assert me["user"]["id"] == world.sibling_member.id
    assert {m["structure_id"]: m["role"] for m in me["memberships"]} == {
        world.sibling.id: "member", world.structure.id: "admin"}


async def test_first_member_of_a_structure_becomes_its_admin(client, session, world, act_as):
    empty = await make_structure(session, world.network, nom="Structure sans équipe")
    await act_as("animator")
    response = await client.post(f"{API}/structures/{empty.id}/invitations",
                                 json={"email": "premiere@test.example.org", "role": "member"})
    assert response.status_code == 201
    token = _token_in(await _mail(session, "premiere@test.example.org", "invitation"))
    await act_as("anonymous")
    me = (await client.post(f"{API}/invitations/accept", json={"token": token})).json()
    assert [(m["structure_id"], m["role"]) for m in me["memberships"]] == [(empty.id, "admin")]


async def test_two_concurrent_uses_of_an_invitation_only_one_wins(engine):
    """Two requests with the same link at the same moment (real transactions)."""
    async with AsyncSession(engine) as setup:
        network = Network(slug=f"concurrence-{new_secret()[:8].lower()}", name="Concurrence", territory="Test")
        setup.add(network)
        await setup.flush()
        structure = await make_structure(setup, network)
        token = new_secret()
        email = f"course-{new_secret()[:8].lower()}@test.example.org"
        setup.add(Invitation(token_hash=hash_secret(token), email=email, structure_id=structure.id,
                             expires_at=utcnow() + timedelta(days=14)))
        network_id = network.id
        await setup.commit()

    async def use() -> str:
        async with AsyncSession(engine) as s:
            try:
                await team.accept_invitation(s, token)
            except InvalidInput:
                await s.rollback()
                return "refusée"
            await s.commit()
            return "acceptée"

    try:
        assert sorted(await asyncio.gather(use(), use())) == ["acceptée", "refusée"]
        async with AsyncSession(engine) as check:
            user = await check.scalar(select(User).where(User.email == email))
            count = len(list(await check.scalars(select(Membership).where(Membership.user_id == user.id))))
            assert count == 1
    finally:
        async with AsyncSession(engine) as cleanup:
            await cleanup.execute(delete(AuditEvent).where(AuditEvent.network_id == network_id))
            await cleanup.execute(delete(Network).where(Network.id == network_id))
            await cleanup.execute(delete(User).where(User.email == email))
            await cleanup.commit()


# ---------------------------------------------------------------- members and roles


async def test_last_admin_can_neither_be_demoted_nor_removed(client, session, world, act_as):
    admin_membership = await session.scalar(select(Membership).where(Membership.user_id == world.admin.id))
    await act_as("admin")
    demote = await client.patch(f"{API}/memberships/{admin_membership.id}", json={"role": "member"})
    assert demote.status_code == 409 and "plus d'administrateur" in demote.json()["detail"]
    leave = await client.delete(f"{API}/memberships/{admin_membership.id}")
    assert leave.status_code == 409
    await act_as("animator")
    assert (await client.delete(f"{API}/memberships/{admin_membership.id}")).status_code == 409

    await act_as("admin")
    promoted = await client.patch(f"{API}/memberships/{world.membership.id}", json={"role": "admin"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "admin"
    assert promoted.json()["email"] == world.member.email
    demoted = await client.patch(f"{API}/memberships/{admin_membership.id}", json={"role": "member"})
    assert demoted.status_code == 200 and demoted.json()["role"] == "member"
    events = await _audit(session, "role_modifie", world.network.id)
    assert {(e.target_id, e.details["role"]) for e in events} == {(world.member.id, "admin"),
                                                                   (world.admin.id, "member")}


async def test_member_leaves_and_admin_removes(client, session, world, act_as):
    other = await make_user(session, member_of=[world.structure])
    await act_as("member")
    response = await client.delete(f"{API}/memberships/{world.membership.id}")
    assert response.status_code == 200 and response.json()["detail"].startswith("Vous avez quitté")
    assert (await client.get(f"{API}/structures/{world.structure.id}/team")).status_code == 403
    other_membership = await session.scalar(select(Membership).where(Membership.user_id == other.id))
    await act_as("admin")
    assert (await client.delete(f"{API}/memberships/{other_membership.id}")).status_code == 200
    team_page = (await client.get(f"{API}/structures/{world.structure.id}/team")).json()
    assert [m["user_id"] for m in team_page["members"]] == [world.admin.id]
    events = await _audit(session, "membre_retire", world.network.id)
    assert {(e.target_id, e.details["departure"]) for e in events} == {(world.member.id, True), (other.id, False)}


# ---------------------------------------------------------------- requests to join


async def test_join_request_notifies_admins_then_approval_makes_a_member(client, session, world, act_as):
    second_admin = await make_user(session, admin_of=[world.structure])
    await act_as("sibling_member")
    response = await client.post(f"{API}/structures/{world.structure.id}/join-requests",
                                 json={"message": "Je rejoins l'équipe emploi."})
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending"
    for admin in (world.admin, second_admin):
        mail = await _mail(session, admin.email, "join_request_received")
        assert world.sibling_member.email in mail.text_body and "Je rejoins l'équipe emploi." in mail.text_body
        assert f"/gestion/structures/{world.structure.id}/equipe" in mail.text_body
    assert await _mail(session, world.animator.email, "join_request_received") is None
    again = await client.post(f"{API}/structures/{world.structure.id}/join-requests", json={})
    assert again.status_code == 409 and "déjà en attente" in again.json()["detail"]

    await act_as("admin")
    pending = (await client.get(f"{API}/structures/{world.structure.id}/team")).json()["join_requests"]
    request_id = next(r["id"] for r in pending if r["user_id"] == world.sibling_member.id)
    approved = await client.post(f"{API}/join-requests/{request_id}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    members = (await client.get(f"{API}/structures/{world.structure.id}/team")).json()["members"]
    assert {m["user_id"]: m["role"] for m in members}[world.sibling_member.id] == "member"
    decided = await _mail(session, world.sibling_member.email, "join_request_decided")
    assert decided.subject.startswith("Bienvenue") and "a accepté" in decided.text_body
    assert await _audit(session, "demande_adhesion_acceptee", world.network.id)
    twice = await client.post(f"{API}/join-requests/{request_id}/reject")
    assert twice.status_code == 409 and "déjà été traitée" in twice.json()["detail"]

    await act_as("sibling_member")
    member_again = await client.post(f"{API}/structures/{world.structure.id}/join-requests", json={})
    assert member_again.status_code == 409 and "déjà partie" in member_again.json()["detail"]


async def test_join_request_rejected(client, session, world, act_as):
    await act_as("admin")
    response = await client.post(f"{API}/join-requests/{world.join_request.id}/reject",
                                 json={"message": "Cette équipe est complète."})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    mail = await _mail(session, world.plain.email, "join_request_decided")
    assert "n'a pas accepté" in mail.text_body and "Cette équipe est complète." in mail.text_body
    assert await session.scalar(select(Membership).where(Membership.user_id == world.plain.id)) is None
    assert await _audit(session, "demande_adhesion_refusee", world.network.id)
    team_page = (await client.get(f"{API}/structures/{world.structure.id}/team")).json()
    assert team_page["join_requests"] == []


async def test_join_request_to_a_structure_without_admin_goes_to_the_animators(client, session, world, act_as):
    empty = await make_structure(session, world.network, nom="Sans administrateur")
    await act_as("plain")
    response = await client.post(f"{API}/structures/{empty.id}/join-requests", json={})
    assert response.status_code == 201
    mail = await _mail(session, world.animator.email, "join_request_received")
    assert mail is not None and "animateur" in mail.text_body
    assert await _mail(session, world.other_animator.email, "join_request_received") is None
    await act_as("animator")
    approved = await client.post(f"{API}/join-requests/{response.json()['id']}/approve")
    assert approved.status_code == 200
    membership = await session.scalar(select(Membership).where(Membership.structure_id == empty.id))
    assert membership.user_id == world.plain.id and membership.role == MembershipRole.ADMIN


@pytest.mark.parametrize("who,expected", [
    ("anonymous", 401), ("token", 403), ("member", 409), ("admin", 409),
    ("sibling_member", 201), ("outsider", 201), ("animator", 201), ("other_animator", 201), ("platform", 201),
])
async def test_who_may_ask_to_join(who, expected, world, act_as):
    client = await act_as(who)
    response = await client.post(f"{API}/structures/{world.structure.id}/join-requests", json={"message": None})
    assert response.status_code == expected, response.text


# ---------------------------------------------------------------- the team page and its review


async def test_team_page_shows_members_invitations_requests_and_review(client, session, world, act_as):
    await act_as("member")
    page = (await client.get(f"{API}/structures/{world.structure.id}/team")).json()
    assert page["structure_nom"] == "Mission Locale test" and page["can_manage"] is False
    assert [(m["user_id"], m["role"]) for m in page["members"]] == [(world.admin.id, "admin"),
                                                                   (world.member.id, "member")]
    assert page["members"][0]["since"] and page["members"][0]["email"] == world.admin.email
    assert [i["email"] for i in page["invitations"]] == ["en-attente@test.example.org"]
    assert [(r["email"], r["message"]) for r in page["join_requests"]] == [(world.plain.email, "Bonjour")]
    assert page["reviewed_at"] is None and page["review_due"] is False

    # Never reviewed and the team is over 3 months old: the review is due.
    for membership in await session.scalars(select(Membership).where(Membership.structure_id == world.structure.id)):
        membership.created_at = utcnow() - timedelta(days=100)
    await session.flush()
    assert (await client.get(f"{API}/structures/{world.structure.id}/team")).json()["review_due"] is True

    await act_as("admin")
    reviewed = await client.post(f"{API}/structures/{world.structure.id}/team/review")
    assert reviewed.status_code == 200 and reviewed.json()["review_due"] is False
    review = await session.get(MembersReview, world.structure.id)
    await session.refresh(review)
    assert utcnow() - review.reviewed_at < timedelta(minutes=1)
    page = (await client.get(f"{API}/structures/{world.structure.id}/team")).json()
    assert page["reviewed_at"] and page["review_due"] is False and page["can_manage"] is True
    assert await _audit(session, "equipe_revue", world.network.id)

    review.reviewed_at = utcnow() - timedelta(days=95)
    await session.flush()
    assert (await client.get(f"{API}/structures/{world.structure.id}/team")).json()["review_due"] is True


# ---------------------------------------------------------------- API tokens


async def test_api_token_created_once_used_as_bearer_then_revoked(client, session, world, act_as):
    await act_as("admin")
    created = await client.post(f"{API}/structures/{world.structure.id}/api-tokens", json={"name": "Logiciel RSA"})
    assert created.status_code == 201, created.text
    secret = created.json()["token"]
    assert secret.startswith("mlg_") and created.json()["prefix"] == secret[:10]
    stored = await session.get(ApiToken, created.json()["id"])
    assert stored.token_hash == hash_secret(secret) and secret not in stored.token_hash

    listed = (await client.get(f"{API}/structures/{world.structure.id}/api-tokens")).json()
    assert listed["total"] == 2 and all("token" not in t for t in listed["items"])

    await act_as("anonymous")
    bearer = {"Authorization": f"Bearer {secret}"}
    me = (await client.get("/api/v1/auth/me", headers=bearer)).json()
    assert me["user"] is None and [m["structure_id"] for m in me["memberships"]] == [world.structure.id]
    # The token acts for its structure, but never manages its team or tokens.
    refused = await client.get(f"{API}/structures/{world.structure.id}/api-tokens", headers=bearer)
    assert refused.status_code == 403 and "jeton d'API" in refused.json()["detail"]

    await act_as("admin")
    revoked = await client.delete(f"{API}/api-tokens/{stored.id}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    [event_] = await _audit(session, "jeton_api_revoque", world.network.id)
    assert event_.actor_id == world.admin.id
    await act_as("anonymous")
    assert (await client.get("/api/v1/auth/me", headers=bearer)).status_code == 401


async def test_api_token_name_is_validated_in_french(client, world, act_as):
    await act_as("admin")
    response = await client.post(f"{API}/structures/{world.structure.id}/api-tokens", json={"name": "x"})
    assert response.status_code == 422 and "au moins 2 caractère" in response.json()["detail"]


# ---------------------------------------------------------------- the animators' network views


async def test_network_members_are_scoped_to_the_network_and_filtered(client, session, world, act_as):
    # Someone in both networks: only this network's structure shows.
    elsewhere = await make_structure(session, await make_network(session))
    both = await make_user(session, member_of=[world.sibling, elsewhere], email="double@test.example.org")
    await act_as("animator")
    page = (await client.get(f"{API}/networks/{world.network.slug}/members", params={"page_size": 100})).json()
    by_id = {u["id"]: u for u in page["items"]}
    assert set(by_id) == {world.admin.id, world.member.id, world.sibling_member.id, world.animator.id, both.id}
    assert page["total"] == 5
    assert [(m["structure_id"], m["role"]) for m in by_id[both.id]["memberships"]] == [(world.sibling.id, "member")]
    assert by_id[world.animator.id]["is_animator"] is True and by_id[world.animator.id]["memberships"] == []
    assert by_id[world.admin.id]["memberships"][0]["structure_nom"] == "Mission Locale test"

    by_email = (await client.get(f"{API}/networks/{world.network.slug}/members", params={"q": "DOUBLE@"})).json()
    assert [u["id"] for u in by_email["items"]] == [both.id]
    by_name = (await client.get(f"{API}/networks/{world.network.slug}/members",
                                params={"q": world.member.last_name})).json()
    assert [u["id"] for u in by_name["items"]] == [world.member.id]
    paged = (await client.get(f"{API}/networks/{world.network.slug}/members", params={"page_size": 2})).json()
    assert (paged["total"], len(paged["items"]), paged["pages"]) == (5, 2, 3)
    nothing = (await client.get(f"{API}/networks/{world.network.slug}/members", params={"q": "%"})).json()
    assert nothing["total"] == 0


async def test_network_members_take_a_bounded_number_of_queries(client, session, world, act_as):
    await act_as("animator")

    async def count_queries(page_size: int) -> int:
        statements = []

        def _count(_conn, _cursor, statement, *_args):
            statements.append(statement)

        await session.flush()  # nothing of the test's own set-up is counted
        engine = session.bind.sync_engine
        event.listen(engine, "before_cursor_execute", _count)
        try:
            response = await client.get(f"{API}/networks/{world.network.slug}/members",
                                        params={"page_size": page_size})
        finally:
            event.remove(engine, "before_cursor_execute", _count)
        assert response.status_code == 200
        assert len(response.json()["items"]) == min(page_size, response.json()["total"])
        return len(statements)

    small = await count_queries(1)
    for i in range(30):
        await make_user(session, member_of=[world.structure, world.sibling], email=f"foule{i}@test.example.org")
    assert await count_queries(40) == small


async def test_structures_without_admin(client, session, world, act_as):
    orphan = await make_structure(session, world.network, nom="Association orpheline")
    await make_user(session, member_of=[orphan])
    draft = await make_structure(session, world.network, nom="Brouillon")
    draft.status = StructureStatus.DRAFT
    await make_structure(session, await make_network(session), nom="Autre réseau sans admin")
    await session.flush()
    await act_as("animator")
    page = (await client.get(f"{API}/networks/{world.network.slug}/structures-without-admin")).json()
    assert [(s["nom"], s["members_count"]) for s in page["items"]] == [
        ("Association orpheline", 1), ("PLIE test", 1)]
    assert page["total"] == 2


async def test_network_audit_log_is_scoped_and_filtered(client, session, world, act_as):
    other = await make_network(session)
    await record(session, "role_modifie", "ailleurs", actor_id=None, network_id=other.id)
    await act_as("admin")
    await client.patch(f"{API}/memberships/{world.membership.id}", json={"role": "admin"})
    await act_as("animator")
    page = (await client.get(f"{API}/networks/{world.network.slug}/audit")).json()
    actions = {e["action"] for e in page["items"]}
    assert {"role_modifie", "jeton_api_cree", "connexion"} <= actions
    filtered = (await client.get(f"{API}/networks/{world.network.slug}/audit",
                                 params={"action": "role_modifie"})).json()
    assert filtered["total"] == 1
    [event_] = filtered["items"]
    assert event_["actor_email"] == world.admin.email and event_["details"]["role"] == "admin"
    assert event_["summary"] != "ailleurs"
