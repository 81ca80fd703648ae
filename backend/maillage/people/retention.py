"""Anonymisation: on request (erasure) and for people inactive longer than their network
allows (``rules_for(network).anonymise_after_months``, 24 by default).

What goes: names (replaced by « Personne anonymisée »), birth date, contact, quartier,
notes, the duplicate keys, and the free text of their referrals (motive, message, status
detail, the messages' bodies, the contacts' notes) and the documents joined to their
referrals (deleted). What stays, for the statistics: the
referrals, their statuses, events, needs and outcomes, and the person's commune,
situation, needs and gender.

Everything is done with set-based UPDATEs (no row loaded), guarded by
``anonymised_at IS NULL``: running twice, or two runners at once, changes nothing more.
"""

import calendar
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.audit.service import record
from maillage.directory.models import Network
from maillage.people.models import Person
from maillage.referrals.models import (
    Referral,
    ReferralAttachment,
    ReferralContact,
    ReferralMessage,
)
from maillage.referrals.rules import rules_for

ANONYMOUS_FIRST_NAME = "Personne"
ANONYMOUS_LAST_NAME = "anonymisée"
ERASED_MOTIVE = "Motif effacé (personne anonymisée)."
ERASED_MESSAGE = "Message effacé (personne anonymisée)."

_NO_SYNC = {"synchronize_session": False}


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` minus whole calendar months (the day clamped to the month's length)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


async def anonymise_people(session: AsyncSession, conditions: list[ColumnElement[bool]], now: datetime) -> int:
    """Anonymise the people matching ``conditions`` that are not already; returns how many."""
    people = select(Person.id).where(*conditions, Person.anonymised_at.is_(None))
    referrals = select(Referral.id).where(Referral.person_id.in_(people))
    # The referrals' documents and free text first, while the people are still selectable.
    await session.execute(
        delete(ReferralAttachment).where(ReferralAttachment.referral_id.in_(referrals))
        .execution_options(**_NO_SYNC)
    )
    await session.execute(
        update(ReferralMessage).where(ReferralMessage.referral_id.in_(referrals))
        .values(body=ERASED_MESSAGE).execution_options(**_NO_SYNC)
    )
    await session.execute(
        update(ReferralContact).where(ReferralContact.referral_id.in_(referrals))
        .values(note=None).execution_options(**_NO_SYNC)
    )
    await session.execute(
        update(Referral).where(Referral.person_id.in_(people))
        .values(motive=ERASED_MOTIVE, message=None, status_detail=None).execution_options(**_NO_SYNC)
    )
    await _release_bookings(session, people, now)
    result = await session.execute(
        update(Person).where(*conditions, Person.anonymised_at.is_(None))
        .values(
            first_name=ANONYMOUS_FIRST_NAME, last_name=ANONYMOUS_LAST_NAME, first_name_key="", last_name_key="",
            birth_date=None, phone=None, phone_key=None, email=None, email_key=None, contact_preference=None,
            quartier=None, notes=None, anonymised_at=now, updated_at=now,
        )
        .execution_options(**_NO_SYNC)
    )
    return result.rowcount or 0


async def _release_bookings(session: AsyncSession, people, now: datetime) -> None:
    """Their bookings lose their notes; upcoming ones are cancelled and their places
    freed (nobody can be told any more: the contact details are gone)."""
    from maillage.appointments.booking import release_person_bookings  # appointments build on people

    await release_person_bookings(session, people, now)


async def anonymise_inactive(session: AsyncSession, now: datetime) -> int:
    """The retention job: in each network, anonymise the people whose last activity is
    older than the network's ``anonymise_after_months``. Idempotent; never commits."""
    total = 0
    for network in (await session.scalars(select(Network).order_by(Network.id))).all():
        months = rules_for(network).anonymise_after_months
        if not months or months <= 0:
            continue
        cutoff = months_before(now, int(months))
        count = await anonymise_people(
            session, [Person.network_id == network.id, Person.last_activity_at < cutoff], now
        )
        if count:
            await record(
                session, "anonymisation_automatique",
                f"{count} personne(s) sans activité depuis {months} mois anonymisée(s)",
                actor_id=None, network_id=network.id, target_type="person", count=count, months=int(months),
            )
        total += count
    return total
