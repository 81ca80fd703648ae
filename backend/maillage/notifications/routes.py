"""The demo mailbox: in demo mode, the outbox is readable in the app (no SMTP needed)."""

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import func, select

from maillage.db import SessionDep
from maillage.errors import NotFound
from maillage.notifications.models import OutboxEmail
from maillage.pagination import Page, PageDep

router = APIRouter(prefix="/demo", tags=["démo"])


class MailOut(BaseModel):
    id: int
    kind: str
    to_address: str
    subject: str
    text_body: str
    html_body: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    attachments: list[str]


@router.get("/mailbox", response_model=Page[MailOut], summary="Boîte d'envoi (mode démo)")
async def mailbox(
    request: Request, session: SessionDep, page: PageDep,
    to: str | None = None,
) -> Page[MailOut]:
    if not request.app.state.settings.demo:
        raise NotFound("Ressource introuvable.")
    conditions = [OutboxEmail.to_address == to.strip().lower()] if to else []
    total = await session.scalar(select(func.count()).select_from(OutboxEmail).where(*conditions)) or 0
    rows = await session.scalars(
        select(OutboxEmail).where(*conditions).order_by(OutboxEmail.id.desc()).offset(page.offset).limit(page.page_size)
    )
    items = [
        MailOut(id=e.id, kind=e.kind, to_address=e.to_address, subject=e.subject, text_body=e.text_body,
                html_body=e.html_body, status=e.status, attempts=e.attempts, created_at=e.created_at,
                sent_at=e.sent_at, attachments=[a["filename"] for a in e.attachments or []])
        for e in rows
    ]
    return Page[MailOut].of(items, total, page)
