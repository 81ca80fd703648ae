"""Structure admins and animators keep listings up to date: edit, publish, suspend,
archive; freshness; who may do what."""

from datetime import date, timedelta

import pytest
from maillage.audit.models import AuditEvent
from maillage.db import utcnow
from maillage.directory.manage import resume_suspended
from maillage.directory.models import Service
from sqlalchemy import select

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_service, make_structure

COMPLETE = {
    "nom": "Atelier mobilité",
    "description": "Un atelier pour préparer le code de la route et trouver une solution de transport.",
    "thematiques": ["mobilite--preparer-un-permis"],
    "publics": ["demandeurs-emploi"],
    "modes_accueil": ["en-presentiel"],
    "adresse": "12 rue Hoche",
    "commune": "Pantin",
    "code_postal": "93500",
    "code_insee": "93055",
    "accepts_referrals": True,
    "referral_emails": ["orientations@mobilite.example.org"],
}


@pytest.fixture
async def place(session):
    network = await make_network(session)
    structure = await make_structure(session, network, nom="Plateforme mobilité")
    other = await make_structure(session, network, nom="Autre structure")
    return network, structure, other


async def test_admin_creates_publishes_and_the_service_is_found(client, session, sign_in, place):
    network, structure, _ = place
    await sign_in(await make_user(session, admin_of=[structure]))
    created = await client.post(f"/api/v1/manage/structures/{structure.id}/services",
                                json={"nom": "Atelier mobilité"})
    assert created.status_code == 201
    service = created.json()
    assert service["status"] == "draft" and service["missing_for_publication"]

    refused = await client.post(f"/api/v1/manage/services/{service['id']}/publish")
    assert refused.status_code == 422
    assert "il manque" in refused.json()["detail"] and "au moins une thématique" in refused.json()["detail"]

    edited = await client.patch(f"/api/v1/manage/services/{service['id']}", json=COMPLETE)
    assert edited.status_code == 200 and edited.json()["missing_for_publication"] == []
    published = await client.post(f"/api/v1/manage/services/{service['id']}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"

    found = (await client.get("/api/v1/services/search", params={"q": "mobilité", "network": network.slug})).json()
    assert [i["nom"] for i in found["items"]] == ["Atelier mobilité"]
    actions = set(await session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == service["id"])))
    assert {"service_cree", "service_modifie", "service_publish"} <= actions


async def test_edit_validation_is_french_and_keeps_saved_data(client, session, sign_in, place):
    _, structure, _ = place
    service = await make_service(session, structure, **COMPLETE | {"nom": "Service existant"})
    await sign_in(await make_user(session, admin_of=[structure]))
    bad = await client.patch(f"/api/v1/manage/services/{service.id}",
                             json={"thematiques": ["cuisine"], "publics": ["tous-publics", "jeunes"],
                                   "code_postal": "ABCDE", "referral_emails": ["pas-une-adresse"]})
    assert bad.status_code == 422
    detail = bad.json()["detail"]
    assert "thématique(s) inconnu(s) : cuisine" in detail
    assert "tous-publics" in detail and "code_postal" in detail and "referral_emails" in detail
    emptied = await client.patch(f"/api/v1/manage/services/{service.id}", json={"thematiques": []})
    assert emptied.status_code == 422 and "au moins une thématique" in emptied.json()["detail"]
    await session.refresh(service)
    assert service.thematiques == COMPLETE["thematiques"]


async def test_suspend_archive_restore_and_illegal_transitions(client, session, sign_in, place):
    _, structure, _ = place
    service = await make_service(session, structure, **COMPLETE)
    await sign_in(await make_user(session, admin_of=[structure]))
    url = f"/api/v1/manage/services/{service.id}"
    past = await client.post(f"{url}/suspend", json={"until": str(date.today())})
    assert past.status_code == 422 and "dans le futur" in past.json()["detail"]
    until = date.today() + timedelta(days=10)
    suspended = (await client.post(f"{url}/suspend", json={"until": str(until)})).json()
    assert (suspended["status"], suspended["suspended_until"]) == ("suspended", str(until))
    restore = await client.post(f"{url}/restore")
    assert restore.status_code == 409 and "suspendu ne peut pas être restauré" in restore.json()["detail"]
    assert (await client.post(f"{url}/archive")).json()["status"] == "archived"
    assert (await client.post(f"{url}/publish")).status_code == 409
    assert (await client.post(f"{url}/restore")).json()["status"] == "draft"


async def test_suspension_ends_by_itself(session, place):
    _, structure, _ = place
    service = await make_service(session, structure, status="suspended", suspended_until=date.today())
    assert await resume_suspended(session) >= 1
    await session.refresh(service)
    assert (service.status, service.suspended_until) == ("published", None)


async def test_structure_edit_and_rename_reindexes_its_services(client, session, sign_in, place):
    network, structure, _ = place
    await make_service(session, structure, nom="Permanence")
    await sign_in(await make_user(session, admin_of=[structure]))
    response = await client.patch(f"/api/v1/manage/structures/{structure.id}",
                                  json={"nom": "Garage solidaire des Quatre-Chemins", "telephone": "+33199001234"})
    assert response.status_code == 200
    assert response.json()["fields"]["nom"] == "Garage solidaire des Quatre-Chemins"
    found = (await client.get("/api/v1/services/search", params={"q": "garage", "network": network.slug})).json()
    assert [i["nom"] for i in found["items"]] == ["Permanence"]


async def test_outdated_listing_shown_and_confirmed(client, session, sign_in, place):
    network, structure, _ = place
    service = await make_service(session, structure, **COMPLETE)
    service.updated_at = utcnow() - timedelta(days=200)
    fresh = await make_service(session, structure, nom="Récent")
    await session.flush()
    await sign_in(await make_user(session, animator_of=[network]))
    listing = (await client.get(f"/api/v1/manage/networks/{network.slug}/outdated-services")).json()
    assert [i["id"] for i in listing["items"]] == [service.id]
    assert listing["items"][0]["needs_update"] is True
    confirmed = (await client.post(f"/api/v1/manage/services/{service.id}/confirm")).json()
    assert confirmed["needs_update"] is False
    assert (await client.get(f"/api/v1/manage/networks/{network.slug}/outdated-services")).json()["total"] == 0
    assert fresh.id not in [i["id"] for i in listing["items"]]


@pytest.mark.parametrize(
    ("who", "view", "edit"),
    [
        ("anonymous", 401, 401),
        ("other_network_animator", 403, 403),
        ("other_structure_admin", 403, 403),
        ("member", 200, 403),
        ("admin", 200, 200),
        ("animator", 200, 200),
    ],
)
async def test_who_may_view_and_edit(client, session, sign_in, place, who, view, edit):
    network, structure, other = place
    service = await make_service(session, structure, **COMPLETE)
    if who == "other_network_animator":
        elsewhere = await make_network(session)
        await sign_in(await make_user(session, animator_of=[elsewhere]))
    elif who == "other_structure_admin":
        await sign_in(await make_user(session, admin_of=[other]))
    elif who == "member":
        await sign_in(await make_user(session, member_of=[structure]))
    elif who == "admin":
        await sign_in(await make_user(session, admin_of=[structure]))
    elif who == "animator":
        await sign_in(await make_user(session, animator_of=[network]))
    assert (await client.get(f"/api/v1/manage/structures/{structure.id}")).status_code == view
    assert (await client.get(f"/api/v1/manage/services/{service.id}")).status_code == view
    requests = [
        ("patch", f"/api/v1/manage/structures/{structure.id}", {"description": "Nouvelle description de la structure."}),
        ("post", f"/api/v1/manage/structures/{structure.id}/services", {"nom": "Nouveau service"}),
        ("patch", f"/api/v1/manage/services/{service.id}", {"description": "Une description mise à jour ici."}),
        ("post", f"/api/v1/manage/services/{service.id}/confirm", None),
        ("post", f"/api/v1/manage/services/{service.id}/suspend", {"until": str(date.today() + timedelta(days=3))}),
        ("post", f"/api/v1/manage/services/{service.id}/publish", None),
        ("post", f"/api/v1/manage/services/{service.id}/unpublish", None),
        ("post", f"/api/v1/manage/services/{service.id}/archive", None),
        ("post", f"/api/v1/manage/services/{service.id}/restore", None),
    ]
    for method, url, body in requests:
        response = await client.request(method, url, json=body)
        expected = {200: (200, 201)}.get(edit, (edit,))
        assert response.status_code in expected, (method, url, response.status_code, response.text)
        if edit != 200:
            assert response.json()["detail"]
    outdated = await client.get(f"/api/v1/manage/networks/{network.slug}/outdated-services")
    assert outdated.status_code == {"anonymous": 401, "animator": 200}.get(who, 403)


async def test_unknown_service_or_structure_is_404(client, session, sign_in, place):
    network, _, _ = place
    await sign_in(await make_user(session, animator_of=[network]))
    assert (await client.get("/api/v1/manage/services/999999")).status_code == 404
    assert (await client.patch("/api/v1/manage/structures/999999", json={})).status_code == 404
    assert (await client.get("/api/v1/manage/networks/atlantide/outdated-services")).status_code == 404


async def test_archiving_removes_from_public_directory(client, session, sign_in, place):
    network, structure, _ = place
    service = await make_service(session, structure, **COMPLETE)
    await sign_in(await make_user(session, admin_of=[structure]))
    await client.post(f"/api/v1/manage/services/{service.id}/archive")
    assert (await client.get(f"/api/v1/services/{service.id}")).status_code == 404
    assert await session.scalar(select(Service.status).where(Service.id == service.id)) == "archived"
