"""Stall rules (DESIGN.md "Stall rules") and the jobs that act on them.

Each rule is a SQL condition over ``Referral`` built from a network's rules and a
``now`` computed in Python (the cut-offs are plain timestamps: portable between SQLite
and PostgreSQL, and index-friendly). Delays differ per network, so every job iterates
over the networks and their ``rules_for(network)``.

The jobs are idempotent and safe with several runners at once:
- each reminder is queued under a dedupe key (``stall:no_answer:{id}:{day}``,
  ``stall:never_contacted:{id}``, ``stall:expired:{id}``, ``digest:{structure}:{week}``):
  the first recipient's email carries the key itself and acts as the guard — if it is
  already there, nothing is queued for anybody; the other recipients get ``{key}:{n}``.
  Candidates whose guard key exists are filtered out in SQL, so a run does no work for
  what is already done;
- expiry goes through ``lifecycle.apply`` (a conditional UPDATE): the runner that loses
  the race gets a ``Conflict`` and moves on.

Snoozing (``snoozed_until``) only hides a referral from the animator's queue: reminders
to the structure and expiry go on.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import String, and_, case, cast, exists, func, literal, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from maillage.accounts.models import Membership, User
from maillage.config import get_settings
from maillage.db import utcnow
from maillage.directory.models import Network, Service, Structure
from maillage.errors import Conflict
from maillage.notifications.emails import enqueue
from maillage.notifications.models import OutboxEmail
from maillage.people.models import Person
from maillage.referrals import lifecycle
from maillage.referrals.followup import BookingState
from maillage.referrals.models import Referral, ReferralEvent, ReferralStatus
from maillage.referrals.rules import NetworkRules, rules_for


class StallRule(StrEnum):
    NO_ANSWER = "no_answer"
    NEVER_CONTACTED = "never_contacted"
    APPOINTMENT_TO_CONFIRM = "appointment_to_confirm"
    MISSED_NOT_REBOOKED = "missed_not_rebooked"
    DORMANT = "dormant"


STALL_LABELS = {
    StallRule.NO_ANSWER: "Sans réponse",
    StallRule.NEVER_CONTACTED: "Jamais contactée",
    StallRule.APPOINTMENT_TO_CONFIRM: "RDV à préciser",
    StallRule.MISSED_NOT_REBOOKED: "RDV manqué, non reprogrammé",
    StallRule.DORMANT: "Dormante",
}

# Urgency: a person accepted and never reached first (the seeds' case), then a person
# who missed an appointment and was not rebooked, then an unanswered referral (it
# expires by itself at day 30), an appointment whose attendance is unknown, and last a
# dormant follow-up.
RULE_WEIGHT = {StallRule.NEVER_CONTACTED: 0, StallRule.MISSED_NOT_REBOOKED: 1, StallRule.NO_ANSWER: 2,
               StallRule.APPOINTMENT_TO_CONFIRM: 3, StallRule.DORMANT: 4}

REMIND_EVENT = "relance"
# At most this many referrals per rule, network and run: a first run over a large
# imported history stays short; the rest is done by the next runs (already handled
# rows are filtered out by their dedupe key or their new status).
BATCH = 500

# Labels of the counts returned by run_stall_rules / weekly_digest (jobs report).
NO_ANSWER_REMINDERS = "relances sans réponse"
EXPIRED = "orientations expirées"
EXPIRY_NOTICES = "avis d'expiration"
NEVER_CONTACTED_REMINDERS = "relances jamais contactées"
DORMANT = "orientations dormantes (jusqu'à 10 000 comptées)"
DIGESTS = "synthèses hebdomadaires"


def since_column(rule: StallRule):
    """The timestamp a rule's age is counted from."""
    return {
        StallRule.NO_ANSWER: Referral.sent_at,
        StallRule.NEVER_CONTACTED: Referral.answered_at,
        StallRule.APPOINTMENT_TO_CONFIRM: Referral.appointment_ends_at,
        StallRule.MISSED_NOT_REBOOKED: Referral.last_event_at,
        StallRule.DORMANT: Referral.last_event_at,
    }[rule]


def status_is(status: ReferralStatus):
    """``referral.status = '<status>'`` with the value written in the SQL, not bound:
    PostgreSQL then proves the partial indexes' predicates even in a generic plan."""
    return Referral.status == literal_column(f"'{status.value}'")


def _appointment_is(state: BookingState):
    """Written in the SQL like ``status_is`` (partial indexes), and never NULL."""
    return and_(Referral.appointment_status.is_not(None),
                Referral.appointment_status == literal_column(f"'{state.value}'"))


def _never_contacted(rules: NetworkRules, now: datetime):
    """Accepted long ago, nobody reached, no honoured appointment, and no appointment
    booked or missed (those have their own rules)."""
    return and_(
        status_is(ReferralStatus.ACCEPTED),
        Referral.last_reached_at.is_(None),
        Referral.answered_at <= now - timedelta(days=rules.never_contacted_days),
        Referral.honoured_at.is_(None),
        ~_appointment_is(BookingState.BOOKED),
        ~_appointment_is(BookingState.MISSED),
    )


def _missed_not_rebooked(rules: NetworkRules, now: datetime):
    return and_(
        status_is(ReferralStatus.ACCEPTED),
        _appointment_is(BookingState.MISSED),
        or_(Referral.last_reached_at.is_(None), Referral.last_reached_at <= Referral.appointment_ends_at),
        Referral.last_event_at <= now - timedelta(days=rules.missed_not_rebooked_days),
    )


def rule_condition(rule: StallRule, rules: NetworkRules, now: datetime):
    """The SQL condition of ``rule`` (without the network filter). The rules never
    overlap: a referral accepted, never reached and without event for 90 days is
    "never contacted", not "dormant"; one with a booked or missed appointment is under
    the appointment rules."""
    if rule == StallRule.NO_ANSWER:
        return and_(
            status_is(ReferralStatus.SENT),
            Referral.sent_at <= now - timedelta(days=min(rules.reminder_days, default=rules.expiry_days)),
        )
    if rule == StallRule.NEVER_CONTACTED:
        return _never_contacted(rules, now)
    if rule == StallRule.APPOINTMENT_TO_CONFIRM:
        return and_(
            status_is(ReferralStatus.ACCEPTED),
            _appointment_is(BookingState.BOOKED),
            Referral.appointment_ends_at <= now - timedelta(days=rules.appointment_to_confirm_days),
        )
    if rule == StallRule.MISSED_NOT_REBOOKED:
        return _missed_not_rebooked(rules, now)
    return and_(
        status_is(ReferralStatus.ACCEPTED),
        Referral.last_event_at <= now - timedelta(days=rules.dormant_days),
        ~_appointment_is(BookingState.BOOKED),
        ~and_(_appointment_is(BookingState.MISSED),
              or_(Referral.last_reached_at.is_(None), Referral.last_reached_at <= Referral.appointment_ends_at)),
        or_(
            Referral.last_reached_at.is_not(None),
            Referral.honoured_at.is_not(None),
            Referral.answered_at > now - timedelta(days=rules.never_contacted_days),
        ),
    )


def not_snoozed(now: datetime):
    return or_(Referral.snoozed_until.is_(None), Referral.snoozed_until <= now)


def display_name(first_name: str, last_name: str) -> str:
    """First name and last-name initial: all a list or an email subject shows."""
    initial = (last_name or "").strip()[:1].upper()
    return f"{first_name} {initial}.".strip() if initial else first_name


def public_link(path: str) -> str:
    """The absolute address of an SPA path, for emails."""
    return get_settings().public_url.rstrip("/") + path


def key_absent(key_sql):
    """No outbox email carries this dedupe key yet (a job's "not done yet" filter)."""
    return ~exists().where(OutboxEmail.dedupe_key == key_sql)


def dedupe_key_sql(prefix: str, id_column=Referral.id, *, suffix: str = ""):
    """``'{prefix}' || <id_column> || '{suffix}'`` in SQL (both databases)."""
    key = literal(prefix, String) + cast(id_column, String)
    return key + literal(suffix, String) if suffix else key


async def enqueue_once(
    session: AsyncSession, template: str, addresses: Iterable[str], key: str, *, network_id: int, **context
) -> int:
    """Queue ``template`` to every address, once per ``key`` whatever the number of runs
    or runners: the first address's email carries ``key`` and guards the others."""
    queued = 0
    for n, address in enumerate(sorted({a.strip().lower() for a in addresses if a and a.strip()})):
        email = await enqueue(session, template, address, network_id=network_id,
                              dedupe_key=key if n == 0 else f"{key}:{n}", **context)
        if email is None and n == 0:
            return 0
        queued += email is not None
    return queued


async def member_emails(session: AsyncSession, structure_ids: Iterable[int]) -> dict[int, list[str]]:
    """The active members' addresses of each structure (one query)."""
    ids = sorted(set(structure_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(Membership.structure_id, User.email)
        .join(User, User.id == Membership.user_id)
        .where(Membership.structure_id.in_(ids), User.is_active.is_(True))
    )
    found: dict[int, list[str]] = defaultdict(list)
    for structure_id, email in rows.all():
        found[structure_id].append(email)
    return found


def receiver_addresses(members: list[str], referral_emails: list[str] | None, courriel: str | None) -> list[str]:
    """The receiving structure: its members and the service's referral addresses (the
    structure's public address when it has neither)."""
    addresses = [*members, *(referral_emails or [])]
    return addresses or ([courriel] if courriel else [])


Receiver = aliased(Structure)
Sender = aliased(Structure)


def _candidates(network_id: int, *conditions):
    """Referral rows with what an email about them needs (one query)."""
    return (
        select(Referral, Person.first_name, Person.last_name, Service.nom, Service.referral_emails,
               Receiver.nom, Receiver.courriel, Sender.nom)
        .join(Person, Person.id == Referral.person_id)
        .join(Service, Service.id == Referral.service_id)
        .join(Receiver, Receiver.id == Referral.receiver_structure_id)
        .join(Sender, Sender.id == Referral.sender_structure_id)
        .where(Referral.network_id == network_id, *conditions)
        .order_by(Referral.id)
        .limit(BATCH)
    )


def _context(row, now: datetime, since: datetime | None) -> dict:
    referral, first, last, service_nom, _emails, receiver_nom, _courriel, sender_nom = row
    return {
        "person": display_name(first, last), "service_nom": service_nom, "receiver_nom": receiver_nom,
        "sender_nom": sender_nom, "days": (now - since).days if since else 0,
        "link": public_link(f"/orientations/{referral.id}"),
    }


async def _remind_receivers(session: AsyncSession, rows, template: str, key_of, now: datetime,
                            since_of, event_data: dict) -> int:
    members = await member_emails(session, [r[0].receiver_structure_id for r in rows])
    queued = 0
    for row in rows:
        referral = row[0]
        addresses = receiver_addresses(members.get(referral.receiver_structure_id, []), row[4], row[6])
        sent = await enqueue_once(session, template, addresses, key_of(referral), network_id=referral.network_id,
                                  **_context(row, now, since_of(referral)), **event_data)
        if sent:
            session.add(ReferralEvent(referral_id=referral.id, kind=REMIND_EVENT, data={"automatique": True,
                                      **event_data}, created_at=now))
        queued += sent
    return queued


async def _no_answer_reminders(session: AsyncSession, network: Network, rules: NetworkRules, now: datetime) -> int:
    """Remind at each reminder day; only the latest one due (a runner that was down for
    a while does not send the day-10 reminder at day 21), none once expiry is due."""
    days = sorted(set(rules.reminder_days))
    queued = 0
    for i, day in enumerate(days):
        until = min(days[i + 1] if i + 1 < len(days) else rules.expiry_days, rules.expiry_days)
        if day >= until:
            continue
        rows = (await session.execute(_candidates(
            network.id,
            status_is(ReferralStatus.SENT),
            Referral.sent_at <= now - timedelta(days=day),
            Referral.sent_at > now - timedelta(days=until),
            key_absent(dedupe_key_sql("stall:no_answer:", suffix=f":{day}")),
        ))).all()
        queued += await _remind_receivers(
            session, rows, "stall_no_answer", lambda r, d=day: f"stall:no_answer:{r.id}:{d}", now,
            lambda r: r.sent_at, {"regle": StallRule.NO_ANSWER.value, "jour": day},
        )
    return queued


async def _expire(session: AsyncSession, network: Network, rules: NetworkRules, now: datetime) -> tuple[int, int]:
    """Expire what waited ``expiry_days`` for an answer and tell the sender (once)."""
    rows = (await session.execute(_candidates(
        network.id, status_is(ReferralStatus.SENT),
        Referral.sent_at <= now - timedelta(days=rules.expiry_days),
    ))).all()
    if not rows:
        return 0, 0
    expired = []
    for row in rows:
        try:
            await lifecycle.apply(session, row[0], "expire", actor_user_id=None, actor_structure_id=None, now=now)
        except Conflict:
            continue  # another runner (or an answer) got there first
        expired.append(row)
    if not expired:
        return 0, 0
    user_ids = {r[0].sender_user_id for r in expired if r[0].sender_user_id}
    users = dict((await session.execute(
        select(User.id, User.email).where(User.id.in_(user_ids), User.is_active.is_(True))
    )).all()) if user_ids else {}
    fallback = await member_emails(session, [r[0].sender_structure_id for r in expired
                                             if users.get(r[0].sender_user_id) is None])
    notices = 0
    for row in expired:
        referral = row[0]
        sender = users.get(referral.sender_user_id)
        addresses = [sender] if sender else fallback.get(referral.sender_structure_id, [])
        notices += await enqueue_once(
            session, "stall_expired", addresses, f"stall:expired:{referral.id}", network_id=referral.network_id,
            expiry_days=rules.expiry_days, **_context(row, now, referral.sent_at),
        )
    return len(expired), notices


async def _never_contacted_reminders(session: AsyncSession, network: Network, rules: NetworkRules,
                                     now: datetime) -> int:
    rows = (await session.execute(_candidates(
        network.id, _never_contacted(rules, now), key_absent(dedupe_key_sql("stall:never_contacted:")),
    ))).all()
    return await _remind_receivers(
        session, rows, "stall_never_contacted", lambda r: f"stall:never_contacted:{r.id}", now,
        lambda r: r.answered_at, {"regle": StallRule.NEVER_CONTACTED.value},
    )


# The job reports how many referrals are dormant (it sends nothing for them: they are
# shown in the animators' queue), counted up to this many per network: an exact count of
# 150,000 dormant referrals would cost the job seconds on every run.
DORMANT_COUNT_LIMIT = 10_000


async def _dormant_count(session: AsyncSession, network: Network, rules: NetworkRules, now: datetime) -> int:
    dormant = (select(Referral.id)
               .where(Referral.network_id == network.id, rule_condition(StallRule.DORMANT, rules, now))
               .limit(DORMANT_COUNT_LIMIT).subquery())
    return await session.scalar(select(func.count()).select_from(dormant)) or 0


async def run_stall_rules(session: AsyncSession, now: datetime | None = None) -> dict[str, int]:
    """The stall job: reminders at the reminder days, expiry (sender told), the "never
    contacted" reminder, and the count of dormant referrals (flagged in the queue).
    Does not commit."""
    now = now or utcnow()
    counts = dict.fromkeys((NO_ANSWER_REMINDERS, EXPIRED, EXPIRY_NOTICES, NEVER_CONTACTED_REMINDERS, DORMANT), 0)
    for network in (await session.scalars(select(Network).order_by(Network.id))).all():
        rules = rules_for(network)
        counts[NO_ANSWER_REMINDERS] += await _no_answer_reminders(session, network, rules, now)
        expired, notices = await _expire(session, network, rules, now)
        counts[EXPIRED] += expired
        counts[EXPIRY_NOTICES] += notices
        counts[NEVER_CONTACTED_REMINDERS] += await _never_contacted_reminders(session, network, rules, now)
        counts[DORMANT] += await _dormant_count(session, network, rules, now)
    await session.flush()
    return counts


def iso_week(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


async def weekly_digest(session: AsyncSession, now: datetime | None = None) -> dict[str, int]:
    """Once per ISO week, tell each structure's members what waits on them: referrals
    received and not answered, accepted and never contacted. Does not commit."""
    now = now or utcnow()
    week = iso_week(now)
    waiting = Referral.status == ReferralStatus.SENT
    never = and_(Referral.status == ReferralStatus.ACCEPTED, Referral.last_reached_at.is_(None))
    key = literal("digest:", String) + cast(Referral.receiver_structure_id, String) + literal(f":{week}", String)
    rows = (await session.execute(
        select(
            Referral.receiver_structure_id, Structure.nom, Structure.network_id,
            func.sum(case((waiting, 1), else_=0)), func.sum(case((never, 1), else_=0)),
            func.min(case((waiting, Referral.sent_at), else_=None)),
        )
        .join(Structure, Structure.id == Referral.receiver_structure_id)
        .where(Referral.status.in_((ReferralStatus.SENT, ReferralStatus.ACCEPTED)), or_(waiting, never),
               key_absent(key))
        .group_by(Referral.receiver_structure_id, Structure.nom, Structure.network_id)
        .order_by(Referral.receiver_structure_id)
    )).all()
    members = await member_emails(session, [r[0] for r in rows])
    queued = 0
    for structure_id, nom, network_id, unanswered, never_contacted, oldest in rows:
        queued += await enqueue_once(
            session, "weekly_digest", members.get(structure_id, []), f"digest:{structure_id}:{week}",
            network_id=network_id, structure_nom=nom, unanswered=int(unanswered or 0),
            never_contacted=int(never_contacted or 0),
            oldest_days=(now - oldest).days if oldest else None,
            link=public_link("/orientations/recues"),
        )
    return {DIGESTS: queued}
