"""The people routes × {anonymous, other network, other structure, member, admin,
animator}; member and admin belong to the structure that created the person and sent
their referral. Existence is private: outsiders get 404, never 403."""

import pytest

from tests.people.helpers import PEOPLE, make_world, new_person, person_with_referral

ROLES = ("anonymous", "other_network", "other_structure", "member", "admin", "animator")
OK = "ok"
# Creating (and the form's duplicate check) is for members acting for one of their
# structures, in their own network; an animator has no structure to act for.
CREATE = {"anonymous": 401, "other_network": OK, "other_structure": OK, "member": OK, "admin": OK, "animator": 403}
SIGNED_IN = {**dict.fromkeys(ROLES, OK), "anonymous": 401}
SEE = {"anonymous": 401, "other_network": 404, "other_structure": 404, "member": OK, "admin": OK, "animator": OK}
ERASE = {**SEE, "member": 403}


def rows(person_id: int) -> dict[tuple[str, str], tuple[dict, str, object]]:
    p = f"{PEOPLE}/{person_id}"
    return {
        ("GET", "/api/v1/people/duplicates"): (CREATE, f"{PEOPLE}/duplicates?phone=0612345678", None),
        ("POST", "/api/v1/people"): (CREATE, PEOPLE, new_person(first_name="Nouvelle", confirm_new=True)),
        ("GET", "/api/v1/people"): (SIGNED_IN, f"{PEOPLE}?q=awa", None),
        ("GET", "/api/v1/people/{person_id}"): (SEE, p, None),
        ("PATCH", "/api/v1/people/{person_id}"): (SEE, p, {"quartier": "Église"}),
        ("GET", "/api/v1/people/{person_id}/export"): (SEE, f"{p}/export", None),
        ("DELETE", "/api/v1/people/{person_id}"): (ERASE, p, None),
    }


@pytest.mark.parametrize("role", ROLES)
async def test_people_permission_table(client, session, sign_in, role):
    world = await make_world(session)
    person, _ = await person_with_referral(session, world)
    if role != "anonymous":
        await sign_in(world.users[role])
    failures = []
    for (method, template), (expected_by_role, path, body) in rows(person.id).items():
        response = await client.request(method, path, json=body)
        expected = expected_by_role[role]
        ok = 200 <= response.status_code < 300 if expected == OK else response.status_code == expected
        if not ok:
            failures.append(f"{method} {template}: {response.status_code} (attendu {expected}) {response.text[:200]}")
        elif expected != OK:
            assert set(response.json()) >= {"error", "detail"}
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
async def test_search_shows_only_what_the_role_may_see(client, session, sign_in, role):
    world = await make_world(session)
    person, _ = await person_with_referral(session, world)
    if role == "anonymous":
        assert (await client.get(PEOPLE)).status_code == 401
        return
    await sign_in(world.users[role])
    page = (await client.get(PEOPLE, params={"q": person.last_name})).json()
    assert page["total"] == (1 if SEE[role] == OK else 0)
