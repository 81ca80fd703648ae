"""The indicators over HTTP: who sees what, the period, the CSV exports, the definitions,
and the subtraction attack between a structure's figures and the network's."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from maillage.stats.definitions import BY_KEY

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_service, make_structure
from tests.referrals.factories import make_person, make_referral

SENT_AT = datetime.now(UTC) - timedelta(days=40)


@pytest.fixture
async def world(session):
    """A network where A received 6 referrals and B 3 (from S), and a second network."""
    network = await make_network(session)
    sender = await make_structure(session, network, nom="Prescripteur S")
    a = await make_structure(session, network, nom="Structure A")
    b = await make_structure(session, network, nom="Structure B")
    service_a, service_b = await make_service(session, a), await make_service(session, b)
    for service, n in ((service_a, 6), (service_b, 3)):
        for _ in range(n):
            await make_referral(session, await make_person(session, network), service, sender, status="sent",
                                sent_at=SENT_AT, last_event_at=SENT_AT)
    elsewhere = await make_network(session)
    foreign = await make_structure(session, elsewhere, nom="Structure d'ailleurs")
    return {
        "network": network, "a": a, "b": b, "service_a": service_a, "foreign": foreign,
        "animator": await make_user(session, animator_of=[network]),
        "member_a": await make_user(session, member_of=[a]),
        "member_b": await make_user(session, member_of=[b]),
        "foreign_animator": await make_user(session, animator_of=[elsewhere]),
    }


def _url(w, **query) -> str:
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/api/v1/stats/networks/{w['network'].slug}" + (f"?{params}" if params else "")


def _figures(body) -> dict:
    return {f["key"]: f for s in body["sections"] for f in s["figures"]}


async def test_the_animator_reads_the_network_and_every_structure(client, sign_in, world):
    await sign_in(world["animator"])
    response = await client.get(_url(world))
    assert response.status_code == 200
    body = response.json()
    assert body["scope"] == {"kind": "network", "id": 0, "label": world["network"].name}
    assert body["threshold"] == 5 and body["computed_at"]
    assert _figures(body)["sent"]["value"]["display"] == "9"
    tables = {t["key"]: t for s in body["sections"] for t in s["tables"]}
    receivers = {r["label"]: r["cells"][0]["display"] for r in tables["par-structure-destinataire"]["rows"]}
    # 3 is hidden, and so is 6: otherwise 9 − 6 would give B's 3.
    assert receivers == {"Structure A": "< 5", "Structure B": "< 5"}
    assert tables["par-structure-destinataire"]["total"]["cells"][0]["display"] == "9"
    scopes = (await client.get(_url(world).replace("?", "") + "/scopes")).json()
    assert scopes["network"] is True and {s["nom"] for s in scopes["structures"]} >= {"Structure A", "Structure B"}
    assert (await client.get(_url(world, scope="received", scope_id=world["b"].id))).status_code == 200


async def test_a_structure_sees_its_figures_and_network_totals_but_not_the_others(client, sign_in, world):
    await sign_in(world["member_a"])
    assert (await client.get(_url(world))).status_code == 403
    assert (await client.get(_url(world, scope="received", scope_id=world["b"].id))).status_code == 403
    response = await client.get(_url(world, scope="received", scope_id=world["a"].id))
    assert response.status_code == 200
    sent = _figures(response.json())["sent"]
    assert sent["value"]["display"] == "6"
    # The network's 9 minus A's 6 would be B's 3: the network figure is hidden from A.
    assert sent["network"] == {"value": None, "display": "< 5", "suppressed": True}
    service = await client.get(_url(world, scope="service", scope_id=world["service_a"].id))
    assert service.status_code == 200
    scopes = (await client.get(f"/api/v1/stats/networks/{world['network'].slug}/scopes")).json()
    assert scopes["network"] is False and [s["nom"] for s in scopes["structures"]] == ["Structure A"]


async def test_the_network_figure_shows_when_the_rest_is_large_enough(client, sign_in, session, world):
    sender = world["a"]
    for _ in range(5):
        await make_referral(session, await make_person(session, world["network"]), world["service_a"], sender,
                            status="sent", sent_at=SENT_AT, last_event_at=SENT_AT)
    await sign_in(world["member_b"])
    sent = _figures((await client.get(_url(world, scope="received", scope_id=world["b"].id))).json())["sent"]
    assert sent["value"]["display"] == "< 5" and sent["network"]["display"] == "14"


async def test_nothing_crosses_networks_and_anonymous_visitors_are_refused(client, sign_in, world):
    assert (await client.get(_url(world))).status_code == 401
    await sign_in(world["foreign_animator"])
    assert (await client.get(_url(world))).status_code == 403
    response = await client.get(_url(world, scope="received", scope_id=world["foreign"].id))
    assert response.status_code == 404
    assert "n'existe pas dans ce réseau" in response.json()["detail"]


@pytest.mark.parametrize(("query", "message"), [
    ({"start": "2026-13"}, "AAAA-MM"),
    ({"start": "2026-06", "end": "2026-01"}, "précéder"),
    ({"start": "2020-01", "end": "2026-01"}, "60 mois"),
    ({"scope": "received"}, "Précisez la structure"),
])
async def test_a_bad_period_or_scope_is_a_clear_422(client, sign_in, world, query, message):
    await sign_in(world["animator"])
    response = await client.get(_url(world, **query))
    assert response.status_code == 422
    assert message in response.json()["detail"]


async def test_csv_exports_show_what_the_page_shows(client, sign_in, world):
    await sign_in(world["member_a"])
    base = f"/api/v1/stats/networks/{world['network'].slug}/export"
    query = f"?scope=received&scope_id={world['a'].id}&start=2026-01&end=2026-12"
    response = await client.get(f"{base}/par-mois.csv{query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0].endswith("Orientations reçues — Structure A") and rows[0][1] == "2026-01 à 2026-12"
    assert rows[1] == ["Orientations par mois", "Orientations"]
    assert [r[0] for r in rows[2:-1]][:2] == ["janv. 2026", "févr. 2026"] and rows[-1][0] == "Total"
    figures = await client.get(f"{base}/chiffres-cles.csv{query}")
    lines = list(csv.reader(io.StringIO(figures.text.lstrip("\ufeff")), delimiter=";"))
    assert lines[1] == ["Rubrique", "Indicateur", "Valeur", "Base", "Réseau", "Définition"]
    sent = next(line for line in lines if line[1] == "Orientations reçues")
    assert sent[4] == "< 5"           # the network's figure stays hidden in the export too
    missing = await client.get(f"{base}/inconnu.csv{query}")
    assert missing.status_code == 404 and "n'existe pas" in missing.json()["detail"]


async def test_every_figure_and_table_has_a_definition(client, sign_in, world):
    body = (await client.get("/api/v1/stats/definitions")).json()
    assert body["threshold"] == 5 and "soustraction" in body["privacy"]
    definitions = body["indicators"]
    assert {d["key"] for d in definitions} == set(BY_KEY)
    assert all(len(d["definition"]) > 40 for d in definitions)
    await sign_in(world["animator"])
    body = (await client.get(_url(world))).json()
    keys = {f["key"] for s in body["sections"] for f in s["figures"]} | {
        t["key"] for s in body["sections"] for t in s["tables"]}
    assert keys <= set(BY_KEY)


async def test_the_animator_recomputes_the_figures_now(client, sign_in, session, world):
    await sign_in(world["animator"])
    before = (await client.get(_url(world))).json()
    await make_referral(session, await make_person(session, world["network"]), world["service_a"], world["a"],
                        status="sent", sent_at=SENT_AT, last_event_at=SENT_AT)
    assert _figures((await client.get(_url(world))).json())["sent"]["value"]["display"] == "9"   # the snapshot
    refreshed = await client.post(f"/api/v1/stats/networks/{world['network'].slug}/refresh")
    assert refreshed.status_code == 200
    after = (await client.get(_url(world))).json()
    assert _figures(after)["sent"]["value"]["display"] == "10" and after["computed_at"] >= before["computed_at"]
    await sign_in(world["member_a"])
    assert (await client.post(f"/api/v1/stats/networks/{world['network'].slug}/refresh")).status_code == 403
