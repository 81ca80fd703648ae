"""Periodic reminders to structure admins: outdated listings (monthly) and the review
of their team (every 3 months). Each reminder has a dedupe key, so it goes out once
per admin and period however many runners run."""

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.accounts.models import Membership, MembershipRole, MembersReview, User
from maillage.config import get_settings
from maillage.db import utcnow
from maillage.directory.cards import add_months
from maillage.directory.freshness import outdated
from maillage.directory.models import Service, ServiceStatus, Structure
from maillage.notifications.emails import enqueue

REVIEW_MONTHS = 3


async def _admins(session: AsyncSession, structure_ids: list[int]) -> dict[int, list[User]]:
    rows = await session.execute(
        select(Membership.structure_id, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.structure_id.in_(structure_ids), Membership.role == MembershipRole.ADMIN,
               User.is_active.is_(True))
    )
    admins: dict[int, list[User]] = defaultdict(list)
    for structure_id, user in rows.all():
        admins[structure_id].append(user)
    return admins


async def remind_outdated_listings(session: AsyncSession) -> int:
    """Once a month, tell each admin which of their structure's services need updating."""
    now = utcnow()
    period = now.strftime("%Y-%m")
    rows = (await session.execute(
        select(Service.structure_id, Structure.nom, Structure.network_id, Service.id, Service.nom)
        .join(Structure, Structure.id == Service.structure_id)
        .where(Service.status == ServiceStatus.PUBLISHED, outdated(now))
        .order_by(Service.structure_id, Service.nom)
    )).all()
    by_structure: dict[int, tuple[str, int, list[tuple[int, str]]]] = {}
    for structure_id, structure_nom, network_id, service_id, service_nom in rows:
        by_structure.setdefault(structure_id, (structure_nom, network_id, []))[2].append((service_id, service_nom))
    if not by_structure:
        return 0
    admins = await _admins(session, list(by_structure))
    base = get_settings().public_url.rstrip("/")
    queued = 0
    for structure_id, (structure_nom, network_id, services) in by_structure.items():
        for admin in admins.get(structure_id, []):
            email = await enqueue(
                session, "outdated_listings", admin.email, network_id=network_id,
                dedupe_key=f"outdated:{structure_id}:{admin.id}:{period}",
                structure_nom=structure_nom, services=services,
                link=f"{base}/gestion/structures/{structure_id}",
            )
            queued += email is not None
    return queued


async def remind_members_review(session: AsyncSession) -> int:
    """Every 3 months, ask each structure's admins to confirm who is still in the team."""
    now = utcnow()
    due_before = add_months(now, -REVIEW_MONTHS)
    quarter = f"{now.year}-T{(now.month - 1) // 3 + 1}"
    first_member = (
        select(Membership.structure_id, func.min(Membership.created_at).label("since"))
        .group_by(Membership.structure_id).subquery()
    )
    rows = (await session.execute(
        select(Structure.id, Structure.nom, Structure.network_id)
        .join(first_member, first_member.c.structure_id == Structure.id)
        .outerjoin(MembersReview, MembersReview.structure_id == Structure.id)
        .where(func.coalesce(MembersReview.reviewed_at, first_member.c.since) < due_before)
    )).all()
    if not rows:
        return 0
    admins = await _admins(session, [r[0] for r in rows])
    base = get_settings().public_url.rstrip("/")
    queued = 0
    for structure_id, structure_nom, network_id in rows:
        for admin in admins.get(structure_id, []):
            email = await enqueue(
                session, "members_review", admin.email, network_id=network_id,
                dedupe_key=f"members_review:{structure_id}:{admin.id}:{quarter}",
                structure_nom=structure_nom, link=f"{base}/gestion/structures/{structure_id}/equipe",
            )
            queued += email is not None
    return queued
