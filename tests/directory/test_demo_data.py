"""The demo networks are what the issue promises: a realistic Pantin network covering
every category, fictional contacts only, and a second smaller network."""

import re

from data_inclusion.schema.v1 import Categorie
from maillage.directory.models import (
    Network,
    Service,
    ServiceStatus,
    ServiceTag,
    Structure,
    TagKind,
)
from sqlalchemy import func, select

FICTIONAL_PHONE = re.compile(r"^\+331990\d{5}$")


async def _network(session, slug):
    return await session.scalar(select(Network).where(Network.slug == slug))


async def test_pantin_is_large_enough_and_covers_every_category(session):
    pantin = await _network(session, "pantin")
    structures = await session.scalar(select(func.count()).select_from(Structure).where(Structure.network_id == pantin.id))
    published = await session.scalar(
        select(func.count()).select_from(Service)
        .where(Service.network_id == pantin.id, Service.status == ServiceStatus.PUBLISHED)
    )
    assert structures >= 45 and published >= 120
    covered = set(await session.scalars(
        select(ServiceTag.code).join(Service, Service.id == ServiceTag.service_id)
        .where(Service.network_id == pantin.id, Service.status == ServiceStatus.PUBLISHED,
               ServiceTag.kind == TagKind.CATEGORIE)
    ))
    assert covered == {c.value for c in Categorie}


async def test_pantin_has_the_kinds_of_structures_the_seeds_name(session):
    pantin = await _network(session, "pantin")
    names = " | ".join(await session.scalars(select(Structure.nom).where(Structure.network_id == pantin.id))).lower()
    for kind in ("mission locale", "rsa", "plie", "maison de l", "france travail", "ccas", "universit"):
        assert kind in names, kind


async def test_contacts_are_fictional_and_places_plausible(session):
    pantin = await _network(session, "pantin")
    rows = (await session.execute(
        select(Structure.courriel, Structure.telephone, Structure.latitude, Structure.longitude, Structure.code_postal)
        .where(Structure.network_id == pantin.id)
    )).all()
    for courriel, telephone, lat, lon, code_postal in rows:
        assert courriel is None or courriel.endswith("example.org"), courriel
        assert telephone is None or FICTIONAL_PHONE.match(telephone), telephone
        assert 48.86 < lat < 48.93 and 2.36 < lon < 2.46, (lat, lon)
        assert code_postal.startswith("93")
    emails = await session.scalars(select(Service.referral_emails).where(Service.network_id == pantin.id))
    assert all(e.endswith("example.org") for group in emails for e in group)


async def test_a_second_smaller_network_exists(session):
    pantin, lille = await _network(session, "pantin"), await _network(session, "lille")
    count = select(func.count()).select_from(Service).where(Service.status == ServiceStatus.PUBLISHED)
    in_lille = await session.scalar(count.where(Service.network_id == lille.id))
    in_pantin = await session.scalar(count.where(Service.network_id == pantin.id))
    assert 0 < in_lille < in_pantin


async def test_demo_search_finds_housing_in_each_network_separately(client):
    for slug in ("pantin", "lille"):
        body = (await client.get("/api/v1/services/search", params={"q": "logements", "network": slug})).json()
        assert body["total"] >= 1
        assert {item["network"] for item in body["items"]} == {slug}


async def test_demo_referrals_fill_the_inbox_and_the_animators_queue(client, session, sign_in):
    from maillage.demo.personas import persona_user

    await sign_in(await persona_user(session, "animatrice-reseau"))
    queue = (await client.get("/api/v1/manage/networks/pantin/stalled")).json()
    rules = {item["rule"] for item in queue["items"]}
    assert {"no_answer", "never_contacted", "dormant"} <= rules
    await sign_in(await persona_user(session, "admin-structure-accueil"))
    me = (await client.get("/api/v1/auth/me")).json()
    inbox = (await client.get("/api/v1/referrals", params={
        "structure_id": me["current_structure_id"], "direction": "received"})).json()
    assert inbox["total"] >= 5
