"""The database away just after the SMTP server accepted an email (found by ``maillage
bench faults``: a PostgreSQL restart there sent an email twice, once more after the lease).
Marking it sent is retried, so it is sent once."""

from datetime import timedelta

from maillage.db import utcnow
from maillage.notifications import sender
from maillage.notifications.models import OutboxEmail, OutboxStatus
from maillage.notifications.sender import send_pending
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from tests.notifications.test_outbox import _queue, _settings, outbox_db, smtp  # noqa: F401 - fixtures


class DatabaseAwayOnce:
    """The real sessionmaker, except that the first « mark sent » UPDATE fails as when
    the database restarts under the runner."""

    def __init__(self, real):
        self.real = real
        self.failures = 0

    def __call__(self):
        session = self.real()
        execute = session.execute

        async def flaky(statement, *args, **kwargs):
            if not self.failures and getattr(statement, "is_update", False) and "sent_at" in str(statement):
                self.failures += 1
                raise DBAPIError(str(statement), {}, ConnectionResetError("connexion perdue"),
                                 connection_invalidated=True)
            return await execute(statement, *args, **kwargs)

        session.execute = flaky
        return session


async def test_marking_sent_is_retried_so_the_email_goes_once(outbox_db, smtp):  # noqa: F811
    controller, inbox = smtp
    await _queue(outbox_db)
    flaky = DatabaseAwayOnce(outbox_db)
    report = await send_pending(flaky, _settings(controller.port))
    assert flaky.failures == 1
    assert (report.sent, report.failed) == (1, 0)
    async with outbox_db() as session:
        row = await session.scalar(select(OutboxEmail))
        assert row.status == OutboxStatus.SENT and row.sent_at is not None and row.attempts == 1
        assert row.claimed_by is None
        # Even once every lease has run out, nothing is left to send again.
        await session.execute(update(OutboxEmail).values(claimed_until=utcnow() - timedelta(seconds=1)))
        await session.commit()
    assert (await send_pending(outbox_db, _settings(controller.port))).sent == 0
    assert len(inbox.messages) == 1


async def test_marking_gives_up_after_a_while_and_the_email_waits_for_its_lease(outbox_db, smtp, monkeypatch):  # noqa: F811
    controller, inbox = smtp
    await _queue(outbox_db)
    monkeypatch.setattr(sender, "MARK_RETRY", timedelta(seconds=0))
    flaky = DatabaseAwayOnce(outbox_db)
    try:
        await send_pending(flaky, _settings(controller.port))
    except DBAPIError:
        pass
    else:
        raise AssertionError("the runner should fail when the database stays away")
    async with outbox_db() as session:
        row = await session.scalar(select(OutboxEmail))
        assert row.status == OutboxStatus.PENDING and row.claimed_until > utcnow(), "held until its lease ends"
    assert len(inbox.messages) == 1
