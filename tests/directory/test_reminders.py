"""Monthly reminders of outdated listings and the quarterly review of each team."""

from datetime import timedelta

from maillage.accounts.models import Membership, MembersReview
from maillage.db import utcnow
from maillage.directory.reminders import remind_members_review, remind_outdated_listings
from maillage.notifications.models import OutboxEmail
from sqlalchemy import select

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_service, make_structure


async def _mails(session, to: str, kind: str) -> list[OutboxEmail]:
    return list(await session.scalars(
        select(OutboxEmail).where(OutboxEmail.to_address == to, OutboxEmail.kind == kind)))


async def test_admins_get_one_outdated_reminder_per_month(session):
    network = await make_network(session)
    structure = await make_structure(session, network, nom="Épicerie du Canal")
    old = await make_service(session, structure, nom="Colis alimentaires")
    await make_service(session, structure, nom="Tout neuf")
    old.updated_at = utcnow() - timedelta(days=200)
    admin = await make_user(session, admin_of=[structure])
    member = await make_user(session, member_of=[structure])
    await session.flush()

    await remind_outdated_listings(session)
    await remind_outdated_listings(session)

    [mail] = await _mails(session, admin.email, "outdated_listings")
    assert "Épicerie du Canal" in mail.subject
    assert "Colis alimentaires" in mail.text_body and "Tout neuf" not in mail.text_body
    assert await _mails(session, member.email, "outdated_listings") == []


async def test_team_review_asked_every_three_months(session):
    network = await make_network(session)
    structure = await make_structure(session, network, nom="Centre social")
    admin = await make_user(session, admin_of=[structure])
    membership = await session.scalar(select(Membership).where(Membership.user_id == admin.id))

    await remind_members_review(session)
    assert await _mails(session, admin.email, "members_review") == [], "new team: not yet due"

    membership.created_at = utcnow() - timedelta(days=100)
    await session.flush()
    await remind_members_review(session)
    await remind_members_review(session)
    assert len(await _mails(session, admin.email, "members_review")) == 1

    session.add(MembersReview(structure_id=structure.id, reviewed_at=utcnow()))
    await session.flush()
    await session.execute(OutboxEmail.__table__.delete().where(OutboxEmail.to_address == admin.email))
    await remind_members_review(session)
    assert await _mails(session, admin.email, "members_review") == [], "reviewed recently"
