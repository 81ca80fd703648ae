"""Send the outbox over SMTP: claim, send, mark — safe with several runners at once.

A runner claims an email with a conditional UPDATE (only one runner's update matches,
on both databases) that leases it for ``LEASE``; it is then sent and marked sent. A
failed send is retried later with exponential back-off; an email is never deleted.
The lease is much longer than the SMTP timeout, so two live runners never hold the
same email; only a runner killed between the SMTP answer and the final UPDATE can
leave an email to be sent again after the lease (at-least-once, never silently lost).
"""

import asyncio
import base64
import smtplib
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from maillage.config import Settings
from maillage.db import utcnow
from maillage.notifications.models import OutboxEmail, OutboxStatus

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 25
BATCH = 50


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
    message["Message-ID"] = make_msgid(idstring=f"outbox-{email.id}")
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    for attachment in email.attachments or []:
        maintype, _, subtype = attachment["content_type"].partition("/")
        message.add_attachment(
            base64.b64decode(attachment["content_b64"]), maintype=maintype, subtype=subtype,
            filename=attachment["filename"],
        )
    return message


def _smtp_send(message: EmailMessage, settings: Settings) -> None:
    smtp_class = smtplib.SMTP_SSL if settings.smtp_ssl else smtplib.SMTP
    with smtp_class(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)


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
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, runner: str | None = None
) -> SendReport:
    """Send every email that is due; returns how many were sent and how many failed."""
    report = SendReport()
    if not settings.smtp_host:
        return report
    runner = runner or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    for email_id in await _claim(sessionmaker, runner, utcnow()):
        async with sessionmaker() as session:
            email = await session.get(OutboxEmail, email_id)
            if email is None or email.claimed_by != runner or email.status != OutboxStatus.PENDING:
                continue
            try:
                await asyncio.to_thread(_smtp_send, build_message(email, settings), settings)
            except (OSError, smtplib.SMTPException) as exc:
                email.attempts += 1
                email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                email.claimed_by = email.claimed_until = None
                email.next_attempt_at = utcnow() + backoff(email.attempts)
                if email.attempts >= MAX_ATTEMPTS:
                    email.status = OutboxStatus.FAILED
                report.failed += 1
            else:
                email.attempts += 1
                email.status = OutboxStatus.SENT
                email.sent_at = utcnow()
                email.claimed_by = email.claimed_until = None
                report.sent += 1
            await session.commit()
    return report
