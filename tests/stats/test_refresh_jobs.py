"""The snapshot job: recomputed when stale, left alone when fresh, and two job runners at
once never leave two snapshots (on PostgreSQL, only one of them computes)."""

import asyncio
from datetime import timedelta

from maillage.db import make_engine, make_sessionmaker, utcnow
from maillage.migrate import upgrade_async
from maillage.stats.models import StatsRun
from maillage.stats.service import refresh_stale
from sqlalchemy import func, select

from tests.directory.factories import make_network, make_service, make_structure
from tests.referrals.factories import make_person, make_referral


async def test_only_stale_snapshots_are_recomputed(session):
    network = await make_network(session)
    now = utcnow()
    before = await session.scalar(select(func.count()).select_from(StatsRun))
    assert await refresh_stale(session, 60, now) >= 1              # this network had none
    assert await refresh_stale(session, 60, now + timedelta(minutes=30)) == 0
    assert await refresh_stale(session, 60, now + timedelta(minutes=61)) >= 1
    runs = (await session.scalars(select(StatsRun).where(StatsRun.network_id == network.id))).all()
    assert len(runs) == 1 and runs[0].finished_at is not None       # the older one was dropped
    assert await session.scalar(select(func.count()).select_from(StatsRun)) >= before


async def test_two_runners_at_once_leave_one_snapshot(fresh_database_url):
    await upgrade_async(fresh_database_url)
    engines = [make_engine(fresh_database_url) for _ in range(2)]
    makers = [make_sessionmaker(e) for e in engines]
    try:
        async with makers[0]() as session:
            network = await make_network(session)
            sender, receiver = await make_structure(session, network), await make_structure(session, network)
            service = await make_service(session, receiver)
            for _ in range(30):
                await make_referral(session, await make_person(session, network), service, sender, status="sent")
            await session.commit()
            network_id = network.id

        async def runner(maker):
            async with maker() as session:
                done = await refresh_stale(session, 60)
                await session.commit()
                return done

        done = sorted(await asyncio.gather(runner(makers[0]), runner(makers[1])))
        postgres = engines[0].dialect.name == "postgresql"
        assert done == [0, 1] if postgres else done in ([0, 1], [1, 1])
        async with makers[0]() as session:
            runs = (await session.scalars(select(StatsRun).where(StatsRun.network_id == network_id))).all()
            assert len(runs) == 1 and runs[0].cells > 0
    finally:
        for engine in engines:
            await engine.dispose()
