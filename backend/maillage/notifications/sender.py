"""Send the outbox over SMTP: claim, send, mark — safe with several runners at once.

A runner claims an email with a conditional UPDATE (only one runner's update matches,
on both databases) that leases it for ``LEASE``; it is then sent and marked sent. A
failed send is retried later with exponential back-off; an email is never deleted.
The lease is much longer than the SMTP timeout, so two live runners never hold the
same email. Once the SMTP server has accepted an email, marking it sent is retried while
the database is away (a restart, a failover: ``MARK_RETRY``, well within the lease), since
giving up there would send it again after the lease. Only a runner killed between the
SMTP answer and that UPDATE, or a database away for longer, can still leave an email to
be sent again (at-least-once, never silently lost); its ``Message-ID`` is the same on
every try, so a mail server may drop the copy.

A run sends batch after batch over one SMTP connection until nothing is due, a batch
has a failure (the server is probably down: the back-off takes over) or ``RUN_BUDGET``
is spent, so that a backlog drains within a minute's run and not 50 emails at a time.
"""

import asyncio
import base64
import smtplib
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr

from sqlalchemy import or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from maillage.config import Settings
from maillage.db import utcnow
from maillage.notifications.models import OutboxEmail, OutboxStatus

LEASE = timedelta(minutes=10)
MARK_RETRY = timedelta(minutes=2)
MAX_ATTEMPTS = 25
BATCH = 50
RUN_BUDGET = timedelta(seconds=45)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4… minutes, at most 6 hours between two tries."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0


def build_message(email: OutboxEmail, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Message-ID"] = message_id(email, settings)
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    for attachment in email.attachments or []:
        maintype, _, subtype = attachment["content_type"].partition("/")
        message.add_attachment(
            base64.b64decode(attachment["content_b64"]), maintype=maintype, subtype=subtype,
            filename=attachment["filename"],
        )
    return message


def message_id(email: OutboxEmail, settings: Settings) -> str:
    """The same on every try of one outbox email; the creation time keeps two instances
    (or a restored database) from giving two different emails the same id."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "maillage.invalid"
    return f"<{email.created_at:%Y%m%d%H%M%S%f}.outbox-{email.id}@{domain}>"


class SmtpConnection:
    """One SMTP connection for a run, opened on the first email. Any error closes it (the
    next email opens a new one); a kept connection the server has dropped meanwhile is
    reopened once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        settings = self.settings
        smtp_class = smtplib.SMTP_SSL if settings.smtp_ssl else smtplib.SMTP
        smtp = smtp_class(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds)
        try:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self._smtp is not None:
            try:
                self._smtp.send_message(message)
                return
            except smtplib.SMTPServerDisconnected:
                self.close()
            except BaseException:
                self.close()
                raise
        try:
            self._smtp = self._open()
            self._smtp.send_message(message)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


async def _claim(sessionmaker: async_sessionmaker[AsyncSession], runner: str, now: datetime) -> list[int]:
    async with sessionmaker() as session:
        candidates = list(await session.scalars(
            select(OutboxEmail.id)
            .where(
                OutboxEmail.status == OutboxStatus.PENDING,
                OutboxEmail.next_attempt_at <= now,
                or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now),
            )
            .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
            .limit(BATCH)
        ))
        claimed = []
        for email_id in candidates:
            result = await session.execute(
                update(OutboxEmail)
                .where(
                    OutboxEmail.id == email_id,
                    OutboxEmail.status == OutboxStatus.PENDING,
                    or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now),
                )
                .values(claimed_by=runner, claimed_until=now + LEASE)
            )
            if result.rowcount == 1:
                claimed.append(email_id)
            await session.commit()
        return claimed


async def send_pending(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, runner: str | None = None,
    budget: timedelta = RUN_BUDGET,
) -> SendReport:
    """Send the emails that are due, batch after batch (see the module's docstring);
    returns how many were sent and how many failed."""
    report = SendReport()
    if not settings.smtp_host:
        return report
    runner = runner or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    deadline = time.monotonic() + budget.total_seconds()
    connection = SmtpConnection(settings)
    try:
        while True:
            claimed = await _claim(sessionmaker, runner, utcnow())
            failed_before = report.failed
            for email_id in claimed:
                await _send_one(sessionmaker, connection, email_id, runner, report)
            if len(claimed) < BATCH or report.failed > failed_before or time.monotonic() >= deadline:
                return report
    finally:
        await asyncio.to_thread(connection.close)


async def _send_one(sessionmaker: async_sessionmaker[AsyncSession], connection: SmtpConnection, email_id: int,
                    runner: str, report: SendReport) -> None:
    async with sessionmaker() as session:
        email = await session.get(OutboxEmail, email_id)
        if email is None or email.claimed_by != runner or email.status != OutboxStatus.PENDING:
            return
        try:
            await asyncio.to_thread(connection.send, build_message(email, settings=connection.settings))
        except (OSError, smtplib.SMTPException) as exc:
            email.attempts += 1
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            email.claimed_by = email.claimed_until = None
            email.next_attempt_at = utcnow() + backoff(email.attempts)
            if email.attempts >= MAX_ATTEMPTS:
                email.status = OutboxStatus.FAILED
            report.failed += 1
            await session.commit()
            return
    await _mark_sent(sessionmaker, email_id, runner)
    report.sent += 1


async def _mark_sent(sessionmaker: async_sessionmaker[AsyncSession], email_id: int, runner: str) -> None:
    """The SMTP server has it: record it as sent, retrying (a fresh connection each time)
    while the database is away. Idempotent: a retry after a commit whose answer was lost
    matches no row (the claim is already cleared)."""
    deadline = time.monotonic() + MARK_RETRY.total_seconds()
    pause = 0.5
    while True:
        try:
            async with sessionmaker() as session:
                await session.execute(
                    update(OutboxEmail)
                    .where(OutboxEmail.id == email_id, OutboxEmail.claimed_by == runner,
                           OutboxEmail.status == OutboxStatus.PENDING)
                    .values(status=OutboxStatus.SENT, sent_at=utcnow(), attempts=OutboxEmail.attempts + 1,
                            claimed_by=None, claimed_until=None)
                )
                await session.commit()
            return
        except (DBAPIError, OSError):
            if time.monotonic() >= deadline:
                raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 5.0)
