"""Write and read the audit log."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.accounts.models import User
from maillage.audit.models import AuditEvent
from maillage.pagination import PageParams


async def record(
    session: AsyncSession,
    action: str,
    summary: str,
    *,
    actor_id: int | None,
    network_id: int | None,
    target_type: str | None = None,
    target_id: int | None = None,
    **details,
) -> None:
    session.add(AuditEvent(
        action=action, summary=summary[:300], actor_id=actor_id, network_id=network_id,
        target_type=target_type, target_id=target_id, details=details,
    ))


async def list_events(
    session: AsyncSession, network_id: int, page: PageParams, action: str | None = None
) -> tuple[list[tuple[AuditEvent, str | None]], int]:
    conditions = [AuditEvent.network_id == network_id]
    if action:
        conditions.append(AuditEvent.action == action)
    total = await session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    rows = await session.execute(
        select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(*conditions)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .offset(page.offset)
        .limit(page.page_size)
    )
    return [tuple(r) for r in rows.all()], total
