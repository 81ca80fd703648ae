"""The animators' queue: every stalled referral of a network with its rule and age,
the people without solution, and the animator's actions on a stalled referral
(remind, mark reconnected, snooze, close, reorient). No HTTP here; the caller authorises and
commits."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, or_, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Subquery

from maillage.accounts.models import User
from maillage.audit.service import record
from maillage.db import utcnow
from maillage.directory.models import Network, Service
from maillage.errors import Conflict, InvalidInput, NotFound
from maillage.notifications.emails import enqueue
from maillage.pagination import PageParams
from maillage.people.models import Person
from maillage.referrals import reorientation
from maillage.referrals import service as referral_service
from maillage.referrals.models import (
    STATUS_LABELS,
    Referral,
    ReferralContact,
    ReferralEvent,
    ReferralStatus,
)
from maillage.referrals.rules import rules_for
from maillage.referrals.stall import (
    REMIND_EVENT,
    RULE_WEIGHT,
    Receiver,
    Sender,
    StallRule,
    display_name,
    member_emails,
    not_snoozed,
    receiver_addresses,
    rule_condition,
    since_column,
)

CONTACT_EVENT = "contact"
SNOOZE_EVENT = "mise-en-attente"
PARIS = ZoneInfo("Europe/Paris")
# An animator may log a contact a few minutes "in the future" (clocks differ).
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class StalledRow:
    referral: Referral
    rule: StallRule
    since: datetime
    person_first_name: str
    person_last_name: str
    service_nom: str
    receiver_nom: str
    sender_nom: str


# Counts per rule are exact up to this number; beyond it the queue says "plus de 1 000"
# (counting 300,000 stalled rows on every page load costs more than the page itself,
# and an animator narrows such a queue with the filters anyway).
COUNT_LIMIT = 1000


@dataclass(frozen=True)
class StalledPage:
    rows: list[StalledRow]
    total: int
    counts: dict[StallRule, int]
    # The rules (among the counted ones) with more than COUNT_LIMIT stalled referrals.
    capped: set[StallRule]


def _rule_branch(network: Network, rules, now: datetime, r: StallRule, structure_id: int | None,
                 min_age_days: int | None):
    """The referrals stalled under rule ``r`` (id and age), read through the rule's
    partial index in age order."""
    since = since_column(r)
    conditions = [Referral.network_id == network.id, rule_condition(r, rules, now), not_snoozed(now)]
    if structure_id is not None:
        conditions.append(or_(Referral.receiver_structure_id == structure_id,
                              Referral.sender_structure_id == structure_id))
    if min_age_days:
        conditions.append(since <= now - timedelta(days=min_age_days))
    return select(Referral.id.label("id"), since.label("since")).where(*conditions)


async def list_stalled(
    session: AsyncSession, network: Network, page: PageParams, *, rule: StallRule | None = None,
    structure_id: int | None = None, min_age_days: int | None = None, now: datetime | None = None,
) -> StalledPage:
    """A page of the network's stalled referrals by urgency (rule, then oldest first),
    their total and the count per rule (same filters except the rule), counts capped at
    ``COUNT_LIMIT``. Two queries, each reading a bounded number of index entries per
    rule: the counts, then per rule its first ``offset + page_size`` rows, merged. The
    queue shows at most ``COUNT_LIMIT`` referrals per rule: the filters narrow it."""
    now = now or utcnow()
    rules = rules_for(network)
    branches = {r: _rule_branch(network, rules, now, r, structure_id, min_age_days) for r in StallRule}
    counted = [
        select(literal(r.value).label("rule"), func.count().label("n"))
        .select_from(branch.limit(COUNT_LIMIT + 1).subquery())
        for r, branch in branches.items()
    ]
    counts = dict.fromkeys(StallRule, 0)
    capped: set[StallRule] = set()
    for name, n in (await session.execute(union_all(*counted))).all():
        counts[StallRule(name)] = min(n, COUNT_LIMIT)
        if n > COUNT_LIMIT:
            capped.add(StallRule(name))
    shown = [rule] if rule is not None else list(StallRule)
    total = sum(counts[r] for r in shown)
    if total == 0 or page.offset >= total:
        return StalledPage([], total, counts, capped)
    firsts = []
    for r in shown:
        # Capped like the counts: past COUNT_LIMIT of a rule, the next rule's rows follow.
        first = (branches[r].order_by(since_column(r), Referral.id)
                 .limit(min(page.offset + page.page_size, COUNT_LIMIT)).subquery())
        firsts.append(select(first.c.id, literal(r.value).label("rule"), literal(RULE_WEIGHT[r]).label("weight"),
                             first.c.since))
    stalled = union_all(*firsts).subquery("stalled")
    rows = (await session.execute(
        select(Referral, stalled.c.rule, stalled.c.since, Person.first_name, Person.last_name, Service.nom,
               Receiver.nom, Sender.nom)
        .join(Referral, Referral.id == stalled.c.id)
        .join(Person, Person.id == Referral.person_id)
        .join(Service, Service.id == Referral.service_id)
        .join(Receiver, Receiver.id == Referral.receiver_structure_id)
        .join(Sender, Sender.id == Referral.sender_structure_id)
        .order_by(stalled.c.weight, stalled.c.since, stalled.c.id)
        .offset(page.offset).limit(page.page_size)
    )).all()
    return StalledPage([StalledRow(r[0], StallRule(r[1]), _aware(r[2])[0], *r[3:]) for r in rows], total, counts,
                       capped)


@dataclass(frozen=True)
class WithoutSolutionRow:
    person_id: int
    first_name: str
    last_name: str
    referrals: int
    awaiting: int
    first_sent_at: datetime
    last_sent_at: datetime


def without_solution(network: Network, now: datetime) -> Subquery:
    """People with referrals in the window (6 months), none of them accepted (nor
    accepted then closed), the first one over ``without_solution_first_days`` old, and not
    anonymised: one row per person with their referral counts and dates. Shared by the
    animators' list and the indicators, so both count the same people."""
    rules = rules_for(network)
    answered_yes = Referral.status.in_((ReferralStatus.ACCEPTED, ReferralStatus.CLOSED))
    return (
        select(
            Referral.person_id.label("person_id"),
            func.count().label("referrals"),
            func.sum(case((Referral.status == ReferralStatus.SENT, 1), else_=0)).label("awaiting"),
            func.min(Referral.sent_at).label("first_sent_at"),
            func.max(Referral.sent_at).label("last_sent_at"),
        )
        .join(Person, Person.id == Referral.person_id)
        .where(Referral.network_id == network.id, Person.anonymised_at.is_(None),
               Referral.sent_at >= now - timedelta(days=rules.without_solution_window_days))
        .group_by(Referral.person_id)
        .having(and_(
            func.sum(case((answered_yes, 1), else_=0)) == 0,
            func.min(Referral.sent_at) <= now - timedelta(days=rules.without_solution_first_days),
        ))
        .subquery("without_solution")
    )


async def list_without_solution(
    session: AsyncSession, network: Network, page: PageParams, now: datetime | None = None
) -> tuple[list[WithoutSolutionRow], int]:
    """The people of ``without_solution``, oldest first. Two queries."""
    grouped = without_solution(network, now or utcnow())
    total = await session.scalar(select(func.count()).select_from(grouped)) or 0
    if total == 0 or page.offset >= total:
        return [], total
    rows = (await session.execute(
        select(grouped.c.person_id, Person.first_name, Person.last_name, grouped.c.referrals, grouped.c.awaiting,
               grouped.c.first_sent_at, grouped.c.last_sent_at)
        .join(Person, Person.id == grouped.c.person_id)
        .order_by(grouped.c.first_sent_at, grouped.c.person_id)
        .offset(page.offset).limit(page.page_size)
    )).all()
    return [WithoutSolutionRow(r[0], r[1], r[2], int(r[3]), int(r[4] or 0), *_aware(r[5], r[6])) for r in rows], total


def _aware(*values) -> list[datetime]:
    """Aggregates over a subquery may lose the column type on SQLite: parse and mark UTC."""
    out = []
    for value in values:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        out.append(value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC))
    return out


# --- Actions ------------------------------------------------------------------------


async def get_referral(session: AsyncSession, network: Network, referral_id: int) -> Referral:
    referral = await session.scalar(
        select(Referral).where(Referral.id == referral_id, Referral.network_id == network.id)
    )
    if referral is None:
        raise NotFound("Cette orientation n'existe pas dans ce réseau.")
    return referral


async def in_queue(session: AsyncSession, network: Network, referral_id: int, now: datetime) -> bool:
    """Whether the referral is in the queue now (the same SQL rules, one query)."""
    rules = rules_for(network)
    found = await session.scalar(
        select(Referral.id).where(Referral.id == referral_id, not_snoozed(now),
                                  or_(*(rule_condition(r, rules, now) for r in StallRule)))
    )
    return found is not None


def _ensure_open(referral: Referral, what: str) -> None:
    if referral.status not in (ReferralStatus.SENT, ReferralStatus.ACCEPTED):
        raise Conflict(f"Une orientation {STATUS_LABELS[ReferralStatus(referral.status)]} ne peut plus être {what}.")


async def _names(session: AsyncSession, referral: Referral) -> dict:
    row = (await session.execute(
        select(Person.first_name, Person.last_name, Service.nom, Service.referral_emails, Receiver.nom,
               Receiver.courriel, Sender.nom)
        .select_from(Referral)
        .join(Person, Person.id == Referral.person_id)
        .join(Service, Service.id == Referral.service_id)
        .join(Receiver, Receiver.id == Referral.receiver_structure_id)
        .join(Sender, Sender.id == Referral.sender_structure_id)
        .where(Referral.id == referral.id)
    )).one()
    return {"person": display_name(row[0], row[1]), "service_nom": row[2], "referral_emails": row[3],
                "receiver_nom": row[4], "receiver_courriel": row[5], "sender_nom": row[6]}


async def remind(session: AsyncSession, network: Network, referral: Referral, animator: User, message: str,
                 link: str, now: datetime | None = None) -> int:
    """Email the receiving structure the animator's message; an event "relance" on the
    timeline. The referral stays in the queue until the structure acts (a reminder is
    not a sign of life). Returns the number of emails queued."""
    now = now or utcnow()
    _ensure_open(referral, "relancée")
    message = message.strip()
    if not message:
        raise InvalidInput("Écrivez le message de relance.")
    names = await _names(session, referral)
    members = await member_emails(session, [referral.receiver_structure_id])
    addresses = sorted({a.strip().lower() for a in receiver_addresses(
        members.get(referral.receiver_structure_id, []), names["referral_emails"], names["receiver_courriel"]) if a})
    if not addresses:
        raise Conflict("Cette structure n'a ni membre ni adresse de réception des orientations : "
                       "contactez-la directement.")
    for address in addresses:
        await enqueue(session, "stall_animator_remind", address, network_id=network.id,
                      animator_name=animator.display_name, message=message, link=link,
                      person=names["person"], service_nom=names["service_nom"], sender_nom=names["sender_nom"])
    session.add(ReferralEvent(referral_id=referral.id, kind=REMIND_EVENT, actor_user_id=animator.id,
                              data={"animateur": True, "message": message}, created_at=now))
    await record(session, "orientation_relancee", f"Orientation n° {referral.id} relancée auprès de "
                 f"{names['receiver_nom']}", actor_id=animator.id, network_id=network.id,
                 target_type="referral", target_id=referral.id)
    await session.flush()
    return len(addresses)


async def mark_reconnected(session: AsyncSession, network: Network, referral: Referral, animator: User, *,
                           contacted_at: datetime, channel: str, note: str | None,
                           now: datetime | None = None) -> Referral:
    """A reached contact logged by the animator: the referral is no longer "never
    contacted" nor "dormant", so it leaves the queue."""
    now = now or utcnow()
    if contacted_at.tzinfo is None:
        raise InvalidInput("Indiquez le fuseau horaire de la date du contact.")
    contacted_at = contacted_at.astimezone(UTC)
    if contacted_at > now + CLOCK_SKEW:
        raise InvalidInput("La date du contact ne peut pas être dans le futur.")
    if contacted_at < referral.sent_at - CLOCK_SKEW:
        raise InvalidInput("La date du contact ne peut pas précéder l'envoi de l'orientation.")
    if referral.status == ReferralStatus.SENT:
        raise Conflict("Cette orientation attend encore la réponse de la structure : relancez-la plutôt "
                       "que de noter un contact.")
    _ensure_open(referral, "reprise")
    result = await session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.status == ReferralStatus.ACCEPTED)
        .values(
            last_reached_at=case(
                (or_(Referral.last_reached_at.is_(None), Referral.last_reached_at < contacted_at), contacted_at),
                else_=Referral.last_reached_at,
            ),
            last_event_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("Cette orientation vient d'être traitée par quelqu'un d'autre : rechargez la page.")
    note = (note or "").strip() or None
    session.add(ReferralContact(referral_id=referral.id, contacted_at=contacted_at, channel=channel, reached=True,
                                note=note, author_id=animator.id, created_at=now))
    await referral_service.touch_person(session, referral.person_id, now)
    session.add(ReferralEvent(referral_id=referral.id, kind=CONTACT_EVENT, actor_user_id=animator.id,
                              data={"channel": channel, "reached": True, "animateur": True}, created_at=now))
    await record(session, "orientation_reprise", f"Contact noté par l'animation sur l'orientation n° {referral.id}",
                 actor_id=animator.id, network_id=network.id, target_type="referral", target_id=referral.id)
    await session.flush()
    await session.refresh(referral)
    return referral


def snooze_instant(until: date) -> datetime:
    """Midnight (Paris time) of the day the referral comes back to the queue."""
    return datetime.combine(until, time.min, tzinfo=PARIS).astimezone(UTC)


async def snooze(session: AsyncSession, network: Network, referral: Referral, animator: User, until: date,
                 now: datetime | None = None) -> Referral:
    """Put the referral aside until ``until`` (it leaves the queue, and comes back on
    that day if still stalled). Does not count as activity: ``last_event_at`` stays."""
    now = now or utcnow()
    if until <= now.astimezone(PARIS).date():
        raise InvalidInput("Choisissez une date dans le futur.")
    if until > now.astimezone(PARIS).date() + timedelta(days=366):
        raise InvalidInput("Mettez l'orientation de côté pour un an au plus.")
    _ensure_open(referral, "mise de côté")
    referral.snoozed_until = snooze_instant(until)
    session.add(ReferralEvent(referral_id=referral.id, kind=SNOOZE_EVENT, actor_user_id=animator.id,
                              data={"until": until.isoformat()}, created_at=now))
    await record(session, "orientation_mise_de_cote", f"Orientation n° {referral.id} mise de côté jusqu'au "
                 f"{until.strftime('%d/%m/%Y')}", actor_id=animator.id, network_id=network.id,
                 target_type="referral", target_id=referral.id)
    await session.flush()
    return referral


async def close(session: AsyncSession, network: Network, referral: Referral, animator: User, *, outcome: str,
                detail: str | None, now: datetime | None = None) -> Referral:
    """Close an accepted referral with its outcome (the lifecycle's "close")."""
    if referral.status == ReferralStatus.SENT:
        raise Conflict("Une orientation sans réponse ne peut pas être clôturée par l'animation : relancez la "
                       "structure (elle expire d'elle-même au bout du délai) ou réorientez la personne.")
    await referral_service.transition(session, referral, "close", actor_user_id=animator.id, actor_structure_id=None,
                                      outcome=outcome, detail=detail, now=now)
    await record(session, "orientation_cloturee", f"Orientation n° {referral.id} clôturée par l'animation "
                 f"({outcome})", actor_id=animator.id, network_id=network.id, target_type="referral",
                 target_id=referral.id)
    return referral


async def reorient(session: AsyncSession, network: Network, referral: Referral, animator: User, *, service_id: int,
                   motive: str | None, message: str | None,
                   now: datetime | None = None) -> reorientation.Reoriented:
    """A new referral to another service for the person, on behalf of the structure that
    sent this one; this one closed as « réorientation » (see ``reorientation``)."""
    done = await reorientation.reorient(
        session, referral, service_id=service_id, motive=motive, message=message, actor_user_id=animator.id,
        actor_structure_id=None, now=now,
    )
    await record(session, "orientation_reorientee", f"Orientation n° {referral.id} réorientée par l'animation "
                 f"(nouvelle orientation n° {done.new.id})", actor_id=animator.id, network_id=network.id,
                 target_type="referral", target_id=referral.id)
    return done
