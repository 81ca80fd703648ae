"""Documents joined to a referral: PDF, PNG or JPEG (recognised by their first bytes,
never by their name or the type the browser claims), 5 Mo at most, stored in the
database. Deleted ``rules_for(network).attachment_retention_months`` after the referral
closed (the job below) and when the person is erased or anonymised (people.retention).
No HTTP here and no commit."""

import os
import re
import unicodedata
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from maillage.db import utcnow
from maillage.directory.models import Network
from maillage.errors import Conflict, InvalidInput, NotFound
from maillage.people.retention import months_before
from maillage.referrals.models import (
    Referral,
    ReferralAttachment,
    ReferralEvent,
    ReferralStatus,
)
from maillage.referrals.rules import rules_for

MAX_SIZE = 5 * 1024 * 1024
TOO_BIG = "Le fichier dépasse 5 Mo."
WRONG_TYPE = "Seuls les PDF et les images PNG ou JPEG sont acceptés."
EMPTY = "Le fichier est vide."
NOT_FOUND = "Pièce jointe introuvable."
EVENT = "attachment"

# (first bytes, content type, extension)
_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
# The extensions a name may keep, by the extension of the type found.
_EXTENSIONS = {".pdf": {".pdf"}, ".png": {".png"}, ".jpg": {".jpg", ".jpeg"}}
_KNOWN = {".pdf", ".png", ".jpg", ".jpeg"}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/<>:|?*;]+')


def sniff(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's magic bytes, None if not accepted."""
    for magic, content_type, extension in _SIGNATURES:
        if content.startswith(magic):
            return content_type, extension
    return None


def clean_filename(name: str | None, extension: str) -> str:
    """The base name, without control or path characters, ending with the extension of
    the type actually found (« scan.pdf » holding a PNG is kept as « scan.png »)."""
    raw = unicodedata.normalize("NFC", name or "")
    base = PureWindowsPath(PurePosixPath(raw).name).name
    base = _UNSAFE.sub("_", base).strip(" .") or "document"
    stem, ext = os.path.splitext(base)
    if ext.lower() in _EXTENSIONS[extension]:
        return f"{stem[:200]}{ext}"
    if ext.lower() not in _KNOWN:
        stem = base
    return f"{stem[:200]}{extension}"


async def add_attachment(
    session: AsyncSession,
    referral: Referral,
    *,
    filename: str | None,
    content: bytes,
    uploaded_by: int | None,
    actor_structure_id: int | None,
    now: datetime | None = None,
) -> ReferralAttachment:
    """Check and store one document on an open (sent or accepted) referral; an event on
    its timeline (without the file's name, which may hold personal data)."""
    now = now or utcnow()
    if referral.status not in (ReferralStatus.SENT, ReferralStatus.ACCEPTED):
        raise Conflict("Les documents se joignent à une orientation en cours (envoyée ou acceptée).")
    if len(content) > MAX_SIZE:
        raise InvalidInput(TOO_BIG)
    if not content:
        raise InvalidInput(EMPTY)
    found = sniff(content)
    if found is None:
        raise InvalidInput(WRONG_TYPE)
    content_type, extension = found
    attachment = ReferralAttachment(
        referral_id=referral.id, filename=clean_filename(filename, extension),
        content_type=content_type, size=len(content), content=content, uploaded_by=uploaded_by, created_at=now,
    )
    session.add(attachment)
    await session.flush()
    session.add(ReferralEvent(referral_id=referral.id, kind=EVENT, actor_user_id=uploaded_by,
                              actor_structure_id=actor_structure_id, data={"attachment_id": attachment.id},
                              created_at=now))
    await session.execute(
        update(Referral).where(Referral.id == referral.id).values(last_event_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    await session.refresh(referral)
    return attachment


async def list_attachments(session: AsyncSession, referral_id: int) -> list[ReferralAttachment]:
    """The referral's documents, oldest first, without their content."""
    return list(await session.scalars(
        select(ReferralAttachment).where(ReferralAttachment.referral_id == referral_id)
        .order_by(ReferralAttachment.created_at, ReferralAttachment.id)
    ))


async def get_attachment(session: AsyncSession, referral: Referral, attachment_id: int) -> ReferralAttachment:
    """One document of this referral, with its content (404 if it belongs to another)."""
    attachment = await session.scalar(
        select(ReferralAttachment).options(undefer(ReferralAttachment.content))
        .where(ReferralAttachment.id == attachment_id, ReferralAttachment.referral_id == referral.id)
    )
    if attachment is None:
        raise NotFound(NOT_FOUND)
    return attachment


async def purge_expired_attachments(session: AsyncSession, now: datetime | None = None) -> int:
    """The retention job: in each network, delete the documents of referrals closed more
    than ``attachment_retention_months`` ago. Idempotent (a DELETE); never commits."""
    now = now or utcnow()
    total = 0
    for network in (await session.scalars(select(Network).order_by(Network.id))).all():
        months = rules_for(network).attachment_retention_months
        if not months or months <= 0:
            continue
        cutoff = months_before(now, int(months))
        closed = select(Referral.id).where(
            Referral.network_id == network.id, Referral.closed_at.is_not(None), Referral.closed_at < cutoff)
        result = await session.execute(
            delete(ReferralAttachment).where(ReferralAttachment.referral_id.in_(closed))
            .execution_options(synchronize_session=False)
        )
        total += result.rowcount or 0
    return total
