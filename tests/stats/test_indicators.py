"""Every indicator on a small hand-built network whose answers are worked out by hand
(see ``world``), on SQLite and on PostgreSQL alike."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from maillage.appointments.models import Booking, Place, Slot
from maillage.referrals.models import ReferralContact, ReferralEvent
from maillage.stats import service
from maillage.stats.models import StatsCell
from maillage.stats.refresh import refresh
from sqlalchemy import select

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_service, make_structure
from tests.referrals.factories import make_person, make_referral

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)
JAN = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
MARCH = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
REMINDED = datetime(2026, 5, 10, 9, 0, tzinfo=UTC)


@dataclass
class World:
    network: object
    sender: object
    receiver: object
    service: object
    other_service: object
    animator: object


def _birth(age: int) -> date:
    return date(2026 - age, 1, 1) - timedelta(days=30)


async def _book(session, world, place, slot, referral, person, starts_at, status):
    session.add(Booking(network_id=world.network.id, slot_id=slot.id, person_id=person.id, referral_id=referral.id,
                        structure_id=world.receiver.id, service_id=world.service.id, starts_at=starts_at,
                        ends_at=starts_at + timedelta(hours=1), status=status))


@pytest.fixture
async def world(session) -> World:
    """The network's six months (January to June 2026, "now" is 15 June):

    - 10 referrals sent on 12 January from A to service C, answered the next day,
      closed in February: 5 emploi durable, 3 formation qualifiante, 2 abandon;
    - 20 referrals sent on 5 March from A to service B:
      - 1–10 accepted two days later; 1–6 reached three days after acceptance; 1–5 came to
        an appointment 10 days after the referral, 6–10 missed one 12 days after it;
        the animator reminded B about all ten on 10 May; 7–10 were reached on 20 May,
        6 again on 25 May (so 6–10 came back after the animator acted);
      - 11–15 refused four days later; 16–20 expired.
    - needs: the January referrals two mobility needs, the March ones a job need (1–3 also
      a mobility need);
    - 30 people, one per referral: 12 under 26, 10 between 26 and 49, 5 over 50, 3 without
      birth date; 16 women, 14 men; 20 heard of the network from a counsellor, 6 by word of
      mouth, 4 at the job café.
    """
    network = await make_network(session)
    sender = await make_structure(session, network, nom="Mission Locale A")
    receiver = await make_structure(session, network, nom="Chantier B")
    other = await make_structure(session, network, nom="Organisme de formation C")
    service_b = await make_service(session, receiver, nom="Chantier d'insertion B")
    service_c = await make_service(session, other, nom="Formation C")
    animator = await make_user(session, animator_of=[network])
    w = World(network, sender, receiver, service_b, service_c, animator)
    place = Place(network_id=network.id, structure_id=receiver.id, name="Accueil", kind="sur-place")
    session.add(place)
    await session.flush()
    slot = Slot(network_id=network.id, structure_id=receiver.id, service_id=service_b.id, place_id=place.id,
                starts_at=MARCH + 10 * DAY, ends_at=MARCH + 10 * DAY + timedelta(hours=1), capacity=30, booked_count=0)
    session.add(slot)
    await session.flush()

    ages = [20] * 12 + [35] * 10 + [55] * 5 + [None] * 3
    genders = ["femme"] * 16 + ["homme"] * 14
    channels = ["prescripteur"] * 20 + ["bouche-a-oreille"] * 6 + ["cafe-emploi"] * 4
    people = [await make_person(session, network, birth_date=_birth(a) if a else None, gender=g, heard_via=c)
              for a, g, c in zip(ages, genders, channels, strict=True)]

    outcomes = ["emploi-durable"] * 5 + ["formation-qualifiante"] * 3 + ["abandon"] * 2
    for person, outcome in zip(people[:10], outcomes, strict=True):
        await make_referral(session, person, service_c, sender, status="closed", sent_at=JAN, answered_at=JAN + DAY,
                            needs=["mobilite--preparer-un-permis", "mobilite--financer-ma-mobilite"],
                            closed_at=datetime(2026, 2, 10, tzinfo=UTC), outcome=outcome, last_event_at=JAN + 29 * DAY)
    for i, person in enumerate(people[10:], start=1):
        answered = MARCH + 2 * DAY
        needs = ["trouver-un-emploi--repondre-a-des-offres-demploi"] + (["mobilite--preparer-un-permis"]
                                                                       if i <= 3 else [])
        fields = {"sent_at": MARCH, "last_event_at": answered, "needs": needs}
        if i <= 10:
            fields.update(status="accepted", answered_at=answered)
        elif i <= 15:
            fields.update(status="refused", answered_at=MARCH + 4 * DAY, refusal_reason="plus-de-place")
        else:
            fields.update(status="expired", last_event_at=MARCH + 30 * DAY)
        reached = []
        if i <= 6:
            reached.append((answered + 3 * DAY, answered + 3 * DAY))
        if 7 <= i <= 10:
            reached.append((datetime(2026, 5, 20, tzinfo=UTC), datetime(2026, 5, 20, tzinfo=UTC)))
        if i == 6:
            reached.append((datetime(2026, 5, 25, tzinfo=UTC), datetime(2026, 5, 25, tzinfo=UTC)))
        if reached:
            fields.update(last_reached_at=max(r[0] for r in reached), last_event_at=max(r[1] for r in reached))
        referral = await make_referral(session, person, service_b, sender, **fields)
        for contacted_at, created_at in reached:
            session.add(ReferralContact(referral_id=referral.id, contacted_at=contacted_at, channel="telephone",
                                        reached=True, created_at=created_at))
        if i <= 5:
            await _book(session, w, place, slot, referral, person, MARCH + 10 * DAY, "honoured")
        elif i <= 10:
            await _book(session, w, place, slot, referral, person, MARCH + 12 * DAY, "missed")
        if i <= 10:
            session.add(ReferralEvent(referral_id=referral.id, kind="relance", actor_user_id=animator.id,
                                      data={"animateur": True, "message": "Où en est-on ?"}, created_at=REMINDED))
    await session.flush()
    return w


async def _report(session, world, kind="network", scope_id=None, start="2026-01", end="2026-06"):
    await refresh(session, world.network, NOW)
    scope = await service.resolve_scope(session, world.network, kind, scope_id)
    report = await service.build(session, world.network, scope, start, end, 60)
    figures = {f.key: f for s in report.sections for f in s.figures}
    tables = {t.key: t for s in report.sections for t in s.tables}
    return report, figures, tables


def _rows(table) -> dict[str, str]:
    return {r.label: r.cells[0].display for r in table.rows}


async def test_volume_answers_and_follow_up_of_the_network(session, world):
    _, f, t = await _report(session, world)
    assert f["sent"].value.display == "30"
    months = _rows(t["par-mois"])
    assert months["janv. 2026"] == "10" and months["mars 2026"] == "20" and months["févr. 2026"] == "0"
    assert t["par-mois"].total.cells[0].display == "30"
    assert _rows(t["par-structure-emettrice"]) == {"Mission Locale A": "30"}
    assert _rows(t["par-structure-destinataire"]) == {"Chantier B": "20", "Organisme de formation C": "10"}
    # Two mobility needs count once per referral; 3 more in March: 13. Rows do not add up (several needs).
    assert _rows(t["par-besoin"]) == {"Trouver un emploi": "20", "Mobilité": "13"}
    assert t["par-besoin"].total is None

    assert f["answer-rate"].value.display == "83\u00a0%" and f["answer-rate"].basis == "sur 30 orientations"
    assert f["answer-delay"].value.display == "2\u00a0j"          # 10 × 1 day, 10 × 2 days, 5 × 4 days
    assert f["expired-share"].value.display == "17\u00a0%"        # 5 of 30
    assert f["contacted-15"].value.display == "30\u00a0%"         # 6 of the 20 accepted
    assert f["contacted-15"].basis == "sur 20 orientations acceptées"
    assert f["honoured-delay"].value.display == "10\u00a0j"
    assert f["honoured-30"].value.display == "17\u00a0%"          # 5 of 30
    assert f["honoured-45"].value.display == "17\u00a0%"
    assert f["no-show"].value.display == "50\u00a0%" and f["no-show"].basis == "sur 10 rendez-vous"


async def test_stalled_animation_outcomes_and_people(session, world):
    _, f, t = await _report(session, world)
    # Today: 1–5 accepted, reached in March, nothing since (dormant after 90 days); 6–10 were reached in May.
    assert f["stalled-now"].value.display == "5"
    assert _rows(t["stalled-par-regle"])["Dormante"] == "5"
    assert f["acted"].value.display == "10"
    assert f["reconnected"].value.display == "50\u00a0%"          # 6–10 of the ten
    assert f["without-solution"].value.display == "10"            # 11–20: refused or expired, none accepted

    assert f["closed"].value.display == "10"
    outcomes = _rows(t["sorties"])
    assert outcomes["Emploi durable (CDI, CDD ≥ 6 mois)"] == "5"
    assert outcomes["Formation qualifiante"] == "< 5" and outcomes["Abandon / injoignable"] == "< 5"
    assert f["job-share"].value.display == "50\u00a0%"            # 5 emplois durables of 10
    # 8 of 10 in a durable job or training: the 2 others are fewer than five people.
    assert f["durable-share"].value.suppressed and f["durable-share"].value.value is None

    assert f["people"].value.display == "30"
    assert _rows(t["age"]) == {"Moins de 26 ans": "12", "26 à 49 ans": "10", "50 ans et plus": "< 5",
                               "Non renseigné": "< 5"}   # 3 hidden, so the 5 with it: 30 − 22 = 8 says nothing
    assert _rows(t["genre"]) == {"Femme": "16", "Homme": "14", "Autre": "0", "Non renseigné": "0"}
    channels = [(r.label, [c.display for c in r.cells]) for r in t["canaux"].rows]
    assert channels[0] == ("Orientée par un professionnel", ["20", "67\u00a0%"])
    assert [c for _, c in channels[1:]] == [["< 5", "< 5 personnes"], ["< 5", "< 5 personnes"]]


async def test_a_shorter_period_and_a_structure_scope(session, world):
    _, f, t = await _report(session, world, start="2026-03", end="2026-03")
    assert f["sent"].value.display == "20" and list(_rows(t["par-mois"])) == ["mars 2026"]
    assert f["closed"].value.display == "0"                        # the closings were in February
    assert f["stalled-now"].value.display == "5"                   # "now" does not depend on the period

    report, f, t = await _report(session, world, "received", world.receiver.id)
    assert report.scope.label == "Orientations reçues — Chantier B"
    assert f["sent"].label == "Orientations reçues" and f["sent"].value.display == "20"
    assert f["sent"].network.display == "30"                       # the other 10 went to C
    assert f["answer-rate"].value.display == "75\u00a0%"           # 15 of 20
    assert "without-solution" not in f
    assert "par-structure-destinataire" not in t and _rows(t["par-structure-emettrice"]) == {"Mission Locale A": "20"}

    _, f, _ = await _report(session, world, "service", world.other_service.id)
    assert f["sent"].value.display == "10" and f["closed"].value.display == "10"


async def test_months_are_cut_at_midnight_in_paris(session, world):
    person = await make_person(session, world.network)
    # 31 January 23:30 UTC is already 1 February in Paris.
    await make_referral(session, person, world.service, world.sender, sent_at=datetime(2026, 1, 31, 23, 30, tzinfo=UTC))
    run = await refresh(session, world.network, NOW)
    cells = dict((await session.execute(
        select(StatsCell.month, StatsCell.value).where(StatsCell.run_id == run.id, StatsCell.scope == "network",
                                                      StatsCell.metric == "sent"))).all())
    assert cells == {"2026-01": 10, "2026-02": 1, "2026-03": 20}


async def test_a_refresh_replaces_the_previous_snapshot(session, world):
    first = await refresh(session, world.network, NOW)
    second = await refresh(session, world.network, NOW)
    runs = (await session.scalars(select(StatsCell.run_id).distinct()
                                  .where(StatsCell.run_id.in_((first.id, second.id))))).all()
    assert runs == [second.id]
