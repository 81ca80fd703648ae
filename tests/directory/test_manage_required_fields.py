"""A listing edit that sends null for a required field (found by Schemathesis,
tests/proof/: ``PATCH /api/v1/manage/structures/{id}`` with ``"nom": null`` was a 500, the
database's NOT NULL): a 422 in French, and nothing changed."""

import pytest

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_service, make_structure


@pytest.fixture
async def admin_of(session, sign_in):
    network = await make_network(session)
    structure = await make_structure(session, network, nom="Plateforme mobilité")
    service = await make_service(session, structure, nom="Atelier mobilité", description="Un atelier.", status="draft")
    await sign_in(await make_user(session, admin_of=[structure]))
    return structure, service


@pytest.mark.parametrize("field", ["nom"])
async def test_structure_required_field_cannot_be_emptied(client, session, admin_of, field):
    structure, _ = admin_of
    response = await client.patch(f"/api/v1/manage/structures/{structure.id}", json={field: None, "telephone": None})
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == f"Ces champs ne peuvent pas être vidés : {field}."
    await session.refresh(structure)
    assert structure.nom == "Plateforme mobilité"


@pytest.mark.parametrize("field", ["nom", "description", "accepts_referrals", "update_frequency_months",
                                   "publishes_slots"])
async def test_service_required_field_cannot_be_emptied(client, session, admin_of, field):
    _, service = admin_of
    response = await client.patch(f"/api/v1/manage/services/{service.id}", json={field: None})
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]


async def test_optional_fields_and_lists_can_still_be_cleared(client, session, admin_of):
    structure, service = admin_of
    response = await client.patch(f"/api/v1/manage/structures/{structure.id}",
                                  json={"telephone": None, "reseaux_porteurs": None})
    assert response.status_code == 200, response.text
    response = await client.patch(f"/api/v1/manage/services/{service.id}",
                                  json={"conditions_acces": None, "thematiques": None})
    assert response.status_code == 200, response.text
    await session.refresh(service)
    assert service.thematiques == []


async def test_a_new_service_cannot_start_without_a_required_field(client, admin_of):
    structure, _ = admin_of
    response = await client.post(f"/api/v1/manage/structures/{structure.id}/services",
                                 json={"nom": "Nouveau service", "description": None})
    assert response.status_code == 422, response.text
