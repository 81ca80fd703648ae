"""Platform administration: networks and their first animators."""

from dataclasses import dataclass

import pytest
from maillage.accounts.deps import CSRF_COOKIE
from maillage.accounts.models import NetworkRole, User
from maillage.accounts.network_admin import grant_platform_admin, revoke_platform_admin
from maillage.accounts.service import create_api_token
from maillage.audit.models import AuditEvent
from maillage.directory.models import Network
from maillage.notifications.models import OutboxEmail
from sqlalchemy import select

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_structure

API = "/api/v1/admin"


@dataclass
class People:
    network: Network
    member: User
    admin: User
    animator: User
    platform: User
    api_secret: str


@pytest.fixture
async def people(session) -> People:
    network = await make_network(session, slug="reseau-admin-test")
    structure = await make_structure(session, network)
    secret, _token = await create_api_token(session, structure, "Intégration", None)
    return People(
        network=network,
        member=await make_user(session, member_of=[structure]),
        admin=await make_user(session, admin_of=[structure]),
        animator=await make_user(session, animator_of=[network]),
        platform=await make_user(session, platform_admin=True, email="plateforme@test.example.org"),
        api_secret=secret,
    )


@pytest.fixture
def act_as(client, sign_in, people):
    async def _act_as(who: str):
        client.headers.pop("authorization", None)
        client.cookies.clear()
        client.cookies.set(CSRF_COOKIE, "jeton-csrf-anonyme")
        client.headers["x-csrf-token"] = "jeton-csrf-anonyme"
        if who == "token":
            client.headers["authorization"] = f"Bearer {people.api_secret}"
        elif who != "anonymous":
            await sign_in(getattr(people, who))
        return client

    return _act_as


NEW_NETWORK = {"slug": "lille-sud", "name": "Réseau insertion Lille Sud", "territory": "Lille Sud",
               "description": "Les acteurs de l'insertion de Lille Sud.", "latitude": 50.61, "longitude": 3.05}

ENDPOINTS = {
    "lister les réseaux": ("GET", "/networks", None, 200),
    "créer un réseau": ("POST", "/networks", NEW_NETWORK, 201),
    "nommer un animateur": ("POST", "/networks/reseau-admin-test/animators", {"email": "anim@test.example.org"}, 201),
}


@pytest.mark.parametrize("name", list(ENDPOINTS))
async def test_only_platform_admins(name, people, act_as):
    method, path, body, ok = ENDPOINTS[name]
    for who, expected in [("anonymous", 401), ("token", 403), ("member", 403), ("admin", 403), ("animator", 403)]:
        client = await act_as(who)
        response = await client.request(method, f"{API}{path}", json=body)
        assert response.status_code == expected, (who, response.text)
        assert response.json()["detail"].endswith(".")
    client = await act_as("platform")
    response = await client.request(method, f"{API}{path}", json=body)
    assert response.status_code == ok, response.text


async def test_networks_listed_with_counts(client, session, people, act_as):
    await make_user(session, member_of=[await make_structure(session, people.network)])
    await act_as("platform")
    page = (await client.get(f"{API}/networks", params={"page_size": 100})).json()
    ours = next(n for n in page["items"] if n["slug"] == "reseau-admin-test")
    assert (ours["structures_count"], ours["members_count"], ours["animators_count"]) == (2, 3, 1)
    assert page["total"] == len(page["items"]) >= 2  # the demo networks are there too


async def test_platform_admin_creates_a_network_and_its_first_animator(client, session, sign_in, people, act_as):
    await act_as("platform")
    created = await client.post(f"{API}/networks", json=NEW_NETWORK)
    assert created.status_code == 201, created.text
    assert created.json()["slug"] == "lille-sud" and created.json()["animators_count"] == 0
    public = (await client.get("/api/v1/networks")).json()
    assert "lille-sud" in {n["slug"] for n in public["items"]}
    network = await session.scalar(select(Network).where(Network.slug == "lille-sud"))
    event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "reseau_cree",
                                                          AuditEvent.network_id == network.id))
    assert event.actor_id == people.platform.id

    named = await client.post(f"{API}/networks/lille-sud/animators",
                              json={"email": "Animatrice@Lille.example.org", "first_name": "Inès",
                                    "last_name": "Carpentier"})
    assert named.status_code == 201, named.text
    assert named.json()["user_created"] is True and named.json()["display_name"] == "Inès Carpentier"
    user = await session.scalar(select(User).where(User.email == "animatrice@lille.example.org"))
    assert await session.scalar(select(NetworkRole).where(NetworkRole.user_id == user.id,
                                                          NetworkRole.network_id == network.id))
    mail = await session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == user.email,
                                                          OutboxEmail.kind == "animator_welcome"))
    assert "Réseau insertion Lille Sud" in mail.subject and "http://127.0.0.1:8000/connexion" in mail.text_body
    assert await session.scalar(select(AuditEvent).where(AuditEvent.action == "animateur_ajoute",
                                                         AuditEvent.network_id == network.id))

    again = await client.post(f"{API}/networks/lille-sud/animators", json={"email": "animatrice@lille.example.org"})
    assert again.status_code == 409 and "anime déjà" in again.json()["detail"]

    # The new animator reaches the network's pages, and only that network's.
    await sign_in(user)
    assert (await client.get("/api/v1/manage/networks/lille-sud/members")).status_code == 200
    assert (await client.get("/api/v1/manage/networks/reseau-admin-test/members")).status_code == 403
    assert (await client.get("/api/v1/auth/me")).json()["animator_of"] == [network.id]


async def test_existing_user_becomes_animator_without_a_new_account(client, session, people, act_as):
    await act_as("platform")
    response = await client.post(f"{API}/networks/reseau-admin-test/animators",
                                 json={"email": people.member.email, "first_name": "Autre"})
    assert response.status_code == 201 and response.json()["user_created"] is False
    assert response.json()["user_id"] == people.member.id
    await session.refresh(people.member)
    assert people.member.first_name == "Prénom"  # an existing name is kept


async def test_network_creation_refusals_in_french(client, people, act_as):
    await act_as("platform")
    assert (await client.post(f"{API}/networks", json=NEW_NETWORK)).status_code == 201
    duplicate = await client.post(f"{API}/networks", json=NEW_NETWORK)
    assert duplicate.status_code == 409 and "existe déjà" in duplicate.json()["detail"]
    for slug in ("Lille Sud", "l", "lille_sud", "é" * 3, "x" * 65):
        bad = await client.post(f"{API}/networks", json={**NEW_NETWORK, "slug": slug})
        assert bad.status_code == 422, slug
        assert bad.json()["fields"][0]["champ"] == "slug"
        assert "lettres minuscules" in bad.json()["detail"]
    missing = await client.post(f"{API}/networks", json={"slug": "sans-nom"})
    assert missing.status_code == 422
    assert {f["champ"] for f in missing.json()["fields"]} == {"name", "territory"}
    far = await client.post(f"{API}/networks", json={**NEW_NETWORK, "slug": "loin", "latitude": 120})
    assert far.status_code == 422 and "inférieur ou égal à 90" in far.json()["detail"]


async def test_animator_for_an_unknown_network_is_a_french_404(client, people, act_as):
    await act_as("platform")
    response = await client.post(f"{API}/networks/inconnu/animators", json={"email": "x@test.example.org"})
    assert response.status_code == 404 and response.json()["detail"] == "Le réseau « inconnu » n'existe pas."


async def test_granting_the_platform_to_an_address_is_audited_once(session):
    user, created = await grant_platform_admin(session, "Nouvelle.Admin@Exemple.fr", "Nora", "Admin")
    assert created and user.email == "nouvelle.admin@exemple.fr" and user.is_platform_admin
    again, created_again = await grant_platform_admin(session, "nouvelle.admin@exemple.fr")
    assert again.id == user.id and not created_again and again.first_name == "Nora"
    granted = (await session.scalars(select(AuditEvent).where(
        AuditEvent.action == "admin_plateforme_nomme", AuditEvent.target_id == user.id))).all()
    assert len(granted) == 1, "granting twice changes nothing and is recorded once"

    await make_user(session, platform_admin=True)
    await revoke_platform_admin(session, user.email)
    assert not user.is_platform_admin
    assert await session.scalar(select(AuditEvent.summary).where(
        AuditEvent.action == "admin_plateforme_retire", AuditEvent.target_id == user.id)) == \
        "nouvelle.admin@exemple.fr n'administre plus la plateforme"
