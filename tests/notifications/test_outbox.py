"""The email outbox against a real SMTP server (aiosmtpd): sent once, retried when
the server is down, never sent twice by two runners at once."""

import asyncio
import email
import socket
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from maillage.config import Settings
from maillage.db import make_engine, make_sessionmaker, utcnow
from maillage.migrate import upgrade_async
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
