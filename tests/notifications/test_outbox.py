"""The email outbox against a real SMTP server (aiosmtpd): sent once, retried when
the server is down, never sent twice by two runners at once."""

import asyncio
import email
import socket
from contextlib import contextmanager
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from maillage.config import Settings
from maillage.db import make_engine, make_sessionmaker, utcnow
from maillage.migrate import upgrade_async
from maillage.notifications import sender
from maillage.notifications.emails import enqueue, render
from maillage.notifications.models import OutboxEmail, OutboxStatus
from maillage.notifications.sender import send_pending
from sqlalchemy import select, update


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
async def outbox_db(fresh_database_url):
    """A committed database of its own: runners commit, as they do for real."""
    await upgrade_async(fresh_database_url)
    engine = make_engine(fresh_database_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


def _settings(port: int, **extra) -> Settings:
    return Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_timeout_seconds=5, **extra)


async def _queue(sessionmaker, count: int = 1, **kwargs) -> None:
    async with sessionmaker() as session:
        for i in range(count):
            await enqueue(session, "login_link", f"personne{i}@test.example.org", link=f"https://x.example.org/{i}",
                          **kwargs)
        await session.commit()


def test_templates_render_in_french_with_the_operator_name():
    subject, text, html = render("login_link", link="https://exemple.example.org/l", operator_name="Réseau de Pantin")
    assert subject == "Votre lien de connexion à Réseau de Pantin"
    assert "valable 15 minutes" in text and "https://exemple.example.org/l" in text
    assert html.startswith("<!doctype html>") and 'lang="fr"' in html and "Réseau de Pantin" in html


async def test_sent_over_smtp_as_text_and_html(outbox_db, smtp):
    controller, inbox = smtp
    await _queue(outbox_db)
    report = await send_pending(outbox_db, _settings(controller.port))
    assert (report.sent, report.failed) == (1, 0)
    [message] = inbox.messages
    assert message["To"] == "personne0@test.example.org"
    assert message["Subject"].startswith("Votre lien de connexion")
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html"}
    async with outbox_db() as session:
        row = await session.scalar(select(OutboxEmail))
        assert row.status == OutboxStatus.SENT and row.sent_at is not None
    assert (await send_pending(outbox_db, _settings(controller.port))).sent == 0, "never sent twice"


async def test_server_down_then_sent_later(outbox_db):
    port = _free_port()
    await _queue(outbox_db)
    down = await send_pending(outbox_db, _settings(port))
    assert (down.sent, down.failed) == (0, 1)
    async with outbox_db() as session:
        row = await session.scalar(select(OutboxEmail))
        assert row.status == OutboxStatus.PENDING and row.attempts == 1
        assert row.next_attempt_at > utcnow() and "Error" in row.last_error
    assert (await send_pending(outbox_db, _settings(port))).failed == 0, "waits for its back-off"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        async with outbox_db() as session:
            await session.execute(update(OutboxEmail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
            await session.commit()
        later = await send_pending(outbox_db, _settings(port))
    finally:
        controller.stop()
    assert later.sent == 1 and len(inbox.messages) == 1


async def test_two_runners_at_once_send_each_email_once(outbox_db, smtp, fresh_database_url):
    controller, inbox = smtp
    await _queue(outbox_db, count=30)
    other_engine = make_engine(fresh_database_url)
    try:
        reports = await asyncio.gather(
            send_pending(outbox_db, _settings(controller.port), runner="a"),
            send_pending(make_sessionmaker(other_engine), _settings(controller.port), runner="b"),
        )
    finally:
        await other_engine.dispose()
    assert sum(r.sent for r in reports) == 30
    recipients = [m["To"] for m in inbox.messages]
    assert sorted(recipients) == sorted(f"personne{i}@test.example.org" for i in range(30))


async def test_dedupe_key_queues_a_reminder_once(outbox_db):
    for _ in range(3):
        await _queue(outbox_db, dedupe_key="rappel:1:2026-11")
    async with outbox_db() as session:
        rows = (await session.scalars(select(OutboxEmail))).all()
    assert len(rows) == 1


async def test_without_smtp_emails_stay_in_the_outbox(outbox_db):
    await _queue(outbox_db)
    report = await send_pending(outbox_db, Settings(smtp_host=None))
    assert (report.sent, report.failed) == (0, 0)
    async with outbox_db() as session:
        assert (await session.scalar(select(OutboxEmail))).status == OutboxStatus.PENDING


async def test_demo_mailbox_shows_the_outbox(client, session):
    await enqueue(session, "login_link", "boite@test.example.org", link="https://x.example.org/boite")
    body = (await client.get("/api/v1/demo/mailbox", params={"to": "boite@test.example.org"})).json()
    assert body["total"] == 1
    assert body["items"][0]["subject"].startswith("Votre lien de connexion")


class CountingInbox(Inbox):
    """Also counts the SMTP connections (one EHLO each) and can drop the connection after
    a message, as servers do with idle or long-lived connections."""

    def __init__(self, drop_after: set[int] = frozenset()):
        super().__init__()
        self.connections = 0
        self.drop_after = drop_after

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 - aiosmtpd's hook name
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, options):  # noqa: N802 - aiosmtpd's hook name
        if len(self.messages) in self.drop_after:  # the next email finds the connection closed
            self.drop_after = self.drop_after - {len(self.messages)}
            server.transport.close()
            return "421 fermeture"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"


@contextmanager
def _serving(inbox):
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


async def test_a_backlog_goes_out_in_one_run_over_one_connection(outbox_db, monkeypatch):
    """120 emails pending (a morning's reminders): one run of the jobs sends them all,
    batch after batch, without one SMTP connection per email."""
    monkeypatch.setattr(sender, "BATCH", 50)
    inbox = CountingInbox()
    await _queue(outbox_db, count=120)
    with _serving(inbox) as port:
        report = await send_pending(outbox_db, _settings(port))
    assert (report.sent, report.failed) == (120, 0)
    assert len(inbox.messages) == 120 and inbox.connections == 1
    async with outbox_db() as session:
        assert not (await session.scalars(select(OutboxEmail).where(OutboxEmail.status != OutboxStatus.SENT))).all()


async def test_a_connection_the_server_dropped_is_reopened(outbox_db):
    inbox = CountingInbox(drop_after={2})
    await _queue(outbox_db, count=5)
    with _serving(inbox) as port:
        report = await send_pending(outbox_db, _settings(port))
    assert (report.sent, report.failed) == (5, 0)
    assert sorted(m["To"] for m in inbox.messages) == sorted(f"personne{i}@test.example.org" for i in range(5))
    assert inbox.connections == 2


async def test_a_run_stops_at_its_budget_and_the_next_one_goes_on(outbox_db, smtp, monkeypatch):
    controller, inbox = smtp
    monkeypatch.setattr(sender, "BATCH", 10)
    await _queue(outbox_db, count=25)
    first = await send_pending(outbox_db, _settings(controller.port), budget=timedelta(0))
    assert first.sent == 10, "one batch, then the budget is spent"
    second = await send_pending(outbox_db, _settings(controller.port))
    assert second.sent == 15 and len(inbox.messages) == 25


async def test_a_server_down_stops_the_run_after_one_batch(outbox_db, monkeypatch):
    monkeypatch.setattr(sender, "BATCH", 10)
    await _queue(outbox_db, count=25)
    report = await send_pending(outbox_db, _settings(_free_port()))
    assert (report.sent, report.failed) == (0, 10), "the others wait: no 25 connection timeouts in a row"


async def test_the_message_id_is_the_same_on_every_try(outbox_db, smtp):
    """A copy sent again (a runner killed before it could mark the email sent) carries the
    same Message-ID, which lets mail servers drop it."""
    controller, inbox = smtp
    await _queue(outbox_db)
    async with outbox_db() as session:
        row = await session.scalar(select(OutboxEmail))
    settings = _settings(controller.port, mail_from="Réseau de Pantin <ne-pas-repondre@pantin.example.org>")
    assert sender.message_id(row, settings) == sender.message_id(row, settings)
    await send_pending(outbox_db, settings)
    [message] = inbox.messages
    assert message["Message-ID"] == sender.message_id(row, settings)
    assert message["Message-ID"].endswith("@pantin.example.org>") and f"outbox-{row.id}@" in message["Message-ID"]
