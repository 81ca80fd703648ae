"""The referral lifecycle exactly as DESIGN.md: legal and illegal transitions,
required reasons, the timeline, and concurrent answers (one wins)."""

import asyncio

import pytest
from maillage.db import make_engine, make_sessionmaker
from maillage.errors import Conflict, InvalidInput
from maillage.migrate import upgrade_async
from maillage.referrals import lifecycle
from maillage.referrals.models import Referral, ReferralEvent, ReferralStatus
from sqlalchemy import select

from tests.directory.factories import make_network, make_service, make_structure
from tests.referrals.factories import make_person, make_referral

ARGS = {
    "accept": {},
    "refuse": {"reason": "plus-de-place"},
    "cancel": {},
    "expire": {},
    "close": {"outcome": "emploi-durable"},
    "reorient": {},
}
LEGAL = {
    ("sent", "accept"): "accepted",
    ("sent", "refuse"): "refused",
    ("sent", "cancel"): "cancelled",
    ("sent", "expire"): "expired",
    ("accepted", "close"): "closed",
    ("sent", "reorient"): "closed",
    ("accepted", "reorient"): "closed",
}


async def _referral(session, status: str = "sent") -> Referral:
    network = await make_network(session)
    sender = await make_structure(session, network, nom="Mission Locale")
    receiver = await make_structure(session, network, nom="Restaurant d'insertion")
    service = await make_service(session, receiver, nom="Commis de cuisine")
    person = await make_person(session, network)
    return await make_referral(session, person, service, sender, status=status)


@pytest.mark.parametrize("status", [s.value for s in ReferralStatus])
@pytest.mark.parametrize("action", list(ARGS))
async def test_every_transition_legal_or_409(session, status, action):
    referral = await _referral(session, status)
    expected = LEGAL.get((status, action))
    if expected is None:
        with pytest.raises(Conflict) as refused:
            await lifecycle.apply(session, referral, action, actor_user_id=None, actor_structure_id=None,
                                  **ARGS[action])
        assert "ne peut pas être" in refused.value.detail
        assert await session.scalar(select(Referral.status).where(Referral.id == referral.id)) == status
        return
    await lifecycle.apply(session, referral, action, actor_user_id=None, actor_structure_id=None, **ARGS[action])
    assert referral.status == expected
    event = await session.scalar(select(ReferralEvent).where(ReferralEvent.referral_id == referral.id))
    assert event.kind == action
    if expected != "accepted":
        assert referral.closed_at is not None
    if action in ("accept", "refuse"):
        assert referral.answered_at is not None
    if action == "reorient":
        assert referral.outcome == "reorientation" and event.data["outcome"] == "reorientation"


@pytest.mark.parametrize(
    ("action", "kwargs", "message"),
    [
        ("refuse", {}, "motif du refus"),
        ("refuse", {"reason": "autre"}, "Précisez le motif"),
        ("refuse", {"reason": "pas-un-motif"}, "motif du refus"),
        ("close", {}, "sortie"),
        ("close", {"outcome": "autre", "detail": "  "}, "Précisez la sortie"),
    ],
)
async def test_reasons_and_outcomes_are_required(session, action, kwargs, message):
    referral = await _referral(session, "accepted" if action == "close" else "sent")
    with pytest.raises(InvalidInput) as error:
        await lifecycle.apply(session, referral, action, actor_user_id=None, actor_structure_id=None, **kwargs)
    assert message in error.value.detail


async def test_other_reason_with_detail_is_kept_on_the_timeline(session):
    referral = await _referral(session)
    await lifecycle.apply(session, referral, "refuse", actor_user_id=None, actor_structure_id=None,
                          reason="autre", detail="Le service ferme en août.")
    assert (referral.refusal_reason, referral.status_detail) == ("autre", "Le service ferme en août.")
    event = await session.scalar(select(ReferralEvent).where(ReferralEvent.referral_id == referral.id))
    assert event.data == {"reason": "autre", "detail": "Le service ferme en août."}


async def test_two_concurrent_answers_one_wins(fresh_database_url):
    """Accept and refuse at the same moment, from two connections: exactly one applies."""
    await upgrade_async(fresh_database_url)
    engines = [make_engine(fresh_database_url) for _ in range(2)]
    makers = [make_sessionmaker(e) for e in engines]
    try:
        async with makers[0]() as session:
            referral_id = (await _referral(session)).id
            await session.commit()

        async def answer(maker, action):
            async with maker() as session:
                referral = await session.get(Referral, referral_id)
                await asyncio.sleep(0.05)  # both have read "sent" before either writes
                try:
                    await lifecycle.apply(session, referral, action, actor_user_id=None, actor_structure_id=None,
                                          **ARGS[action])
                    await session.commit()
                    return "ok"
                except Conflict:
                    await session.rollback()
                    return "409"

        results = await asyncio.gather(answer(makers[0], "accept"), answer(makers[1], "refuse"))
        assert sorted(results) == ["409", "ok"]
        async with makers[0]() as session:
            final = await session.get(Referral, referral_id)
            events = (await session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == referral_id))).all()
        assert final.status in ("accepted", "refused") and len(events) == 1
    finally:
        for engine in engines:
            await engine.dispose()
