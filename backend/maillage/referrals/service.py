"""Referrals: send, answer, log contacts, exchange messages, read one with its timeline,
and the structures' inboxes. No HTTP here and no commit: the request's session commits.

Every status change goes through ``lifecycle.apply`` (conditional UPDATE: of two
concurrent answers one wins, the other is a 409)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, literal, or_, select, true, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from maillage.accounts.models import Membership, User
from maillage.config import get_settings
from maillage.db import utcnow
from maillage.directory.models import Service, ServiceStatus, Structure
from maillage.errors import Conflict, InvalidInput, NotFound
from maillage.notifications.emails import enqueue
from maillage.pagination import PageParams
from maillage.people.models import Person
from maillage.referrals import lifecycle
from maillage.referrals.followup import BookingFacts, BookingState, FollowUp, follow_up
from maillage.referrals.followup_sql import FINISHED, follow_up_condition
from maillage.referrals.models import (
    OUTCOME_LABELS,
    REFUSAL_LABELS,
    Referral,
    ReferralAttachment,
    ReferralContact,
    ReferralEvent,
    ReferralMessage,
    ReferralStatus,
)
from maillage.referrals.schemas import CHANNEL_LABELS

NOT_FOUND = "Orientation introuvable."
# A contact logged "now" from a device whose clock is slightly ahead is still accepted.
_CLOCK_SKEW = timedelta(minutes=5)
# A contact entered with an approximate time on the day the referral was sent is kept.
_SAME_DAY = timedelta(days=1)

# ---------------------------------------------------------------- helpers


def short_name(first_name: str, last_name: str) -> str:
    """« Awa D. »: the only personal data allowed in an email subject."""
    initial = (last_name or "").strip()[:1].upper()
    return f"{(first_name or '').strip()} {initial}.".strip() if initial else (first_name or "").strip()


def _link(referral_id: int) -> str:
    return f"{get_settings().public_url.rstrip('/')}/orientations/{referral_id}"


async def touch_person(session: AsyncSession, person_id: int, now: datetime) -> None:
    await session.execute(
        update(Person).where(Person.id == person_id).values(last_activity_at=now)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class _Names:
    first_name: str
    last_name: str
    service_nom: str
    sender_nom: str
    receiver_nom: str


async def _names(session: AsyncSession, referral: Referral) -> _Names:
    sender, receiver = aliased(Structure), aliased(Structure)
    row = (await session.execute(
        select(Person.first_name, Person.last_name, Service.nom, sender.nom, receiver.nom)
        .select_from(Referral)
        .join(Service, Service.id == Referral.service_id)
        .join(Person, Person.id == Referral.person_id)
        .join(sender, sender.id == Referral.sender_structure_id)
        .join(receiver, receiver.id == Referral.receiver_structure_id)
        .where(Referral.id == referral.id)
    )).one()
    return _Names(*row)


async def _member_emails(session: AsyncSession, structure_id: int) -> list[str]:
    return list(await session.scalars(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.structure_id == structure_id, User.is_active.is_(True))
        .order_by(User.email)
    ))


async def _receiving_side(session: AsyncSession, referral: Referral, service_emails: list[str] | None = None) -> list[str]:
    """The service's referral address(es), then the receiving structure's members."""
    if service_emails is None:
        service_emails = await session.scalar(select(Service.referral_emails).where(Service.id == referral.service_id))
    return [*(service_emails or []), *await _member_emails(session, referral.receiver_structure_id)]


async def _sending_side(session: AsyncSession, referral: Referral) -> list[str]:
    """The counsellor who sent it; their structure's members if they are gone (or it came by API)."""
    if referral.sender_user_id is not None:
        email = await session.scalar(
            select(User.email).where(User.id == referral.sender_user_id, User.is_active.is_(True)))
        if email:
            return [email]
    return await _member_emails(session, referral.sender_structure_id)


async def _send_all(session, template: str, recipients: list[str], referral: Referral, names: _Names,
                    skip: str | None = None, **context) -> None:
    seen: set[str] = set()
    for to in recipients:
        key = to.strip().lower()
        if not key or key in seen or key == (skip or "").lower():
            continue
        seen.add(key)
        await enqueue(
            session, template, to, network_id=referral.network_id,
            person=short_name(names.first_name, names.last_name), service_nom=names.service_nom,
            sender_nom=names.sender_nom, receiver_nom=names.receiver_nom, link=_link(referral.id), **context,
        )


# ---------------------------------------------------------------- sending


async def send_referral(
    session: AsyncSession,
    *,
    person: Person,
    service: Service,
    sender_user_id: int | None,
    sender_structure_id: int,
    motive: str,
    needs: list[str],
    message: str | None,
    preferred_contact: str | None,
    reoriented_from_id: int | None = None,
    now: datetime | None = None,
) -> Referral:
    """A new referral (status sent) of ``person`` to ``service``, its "sent" event, and
    the "referral received" email to the service's address(es) and the receiving team."""
    now = now or utcnow()
    if service.status != ServiceStatus.PUBLISHED:
        raise InvalidInput("Ce service n'est pas publié : il ne reçoit pas d'orientations.")
    if not service.accepts_referrals:
        raise InvalidInput("Ce service ne reçoit pas d'orientations par Maillage : contactez-le directement.")
    if person.anonymised_at is not None:
        raise InvalidInput("Les données de cette personne ont été anonymisées : elle ne peut plus être orientée.")
    if service.network_id != person.network_id:
        raise InvalidInput("Ce service n'appartient pas au réseau de la personne.")
    sender_network = await session.scalar(select(Structure.network_id).where(Structure.id == sender_structure_id))
    if sender_network is None:
        raise InvalidInput("Structure qui oriente introuvable.")
    if sender_network != person.network_id:
        raise InvalidInput("La structure qui oriente n'appartient pas au réseau de la personne.")
    motive = (motive or "").strip()
    if not motive:
        raise InvalidInput("Indiquez le motif de l'orientation.")

    referral = Referral(
        network_id=person.network_id, person_id=person.id, service_id=service.id,
        receiver_structure_id=service.structure_id, sender_structure_id=sender_structure_id,
        sender_user_id=sender_user_id, reoriented_from_id=reoriented_from_id,
        motive=motive, needs=list(needs or []), message=(message or "").strip() or None,
        preferred_contact=preferred_contact or person.contact_preference,
        status=ReferralStatus.SENT, sent_at=now, last_event_at=now,
    )
    session.add(referral)
    await session.flush()
    data = {"reoriented_from_id": reoriented_from_id} if reoriented_from_id else {}
    session.add(ReferralEvent(referral_id=referral.id, kind="sent", actor_user_id=sender_user_id,
                              actor_structure_id=sender_structure_id, data=data, created_at=now))
    person.last_activity_at = now
    await session.flush()

    names = await _names(session, referral)
    recipients = await _receiving_side(session, referral, list(service.referral_emails or []))
    await _send_all(session, "referral_received", recipients, referral, names,
                    reoriented=reoriented_from_id is not None)
    return referral


# ---------------------------------------------------------------- reading


async def get_referral(session: AsyncSession, referral_id: int) -> Referral:
    referral = await session.get(Referral, referral_id)
    if referral is None:
        raise NotFound(NOT_FOUND)
    return referral


@dataclass
class ReferralDetail:
    referral: Referral
    person: Person
    service: Service
    sender_structure: Structure
    receiver_structure: Structure
    sender_name: str | None
    events: list[ReferralEvent]
    contacts: list[ReferralContact]
    messages: list[ReferralMessage]
    user_names: dict[int, str]
    structure_names: dict[int, str]
    attachments: list[ReferralAttachment]


async def detail(session: AsyncSession, referral: Referral) -> ReferralDetail:
    """Everything the referral page shows, in a fixed number of queries."""
    sender, receiver = aliased(Structure), aliased(Structure)
    person, service, sender_structure, receiver_structure = (await session.execute(
        select(Person, Service, sender, receiver)
        .select_from(Referral)
        .join(Service, Service.id == Referral.service_id)
        .join(Person, Person.id == Referral.person_id)
        .join(sender, sender.id == Referral.sender_structure_id)
        .join(receiver, receiver.id == Referral.receiver_structure_id)
        .where(Referral.id == referral.id)
    )).one()
    events = list(await session.scalars(
        select(ReferralEvent).where(ReferralEvent.referral_id == referral.id)
        .order_by(ReferralEvent.created_at, ReferralEvent.id)))
    contacts = list(await session.scalars(
        select(ReferralContact).where(ReferralContact.referral_id == referral.id)
        .order_by(ReferralContact.contacted_at, ReferralContact.id)))
    messages = list(await session.scalars(
        select(ReferralMessage).where(ReferralMessage.referral_id == referral.id)
        .order_by(ReferralMessage.created_at, ReferralMessage.id)))
    # Without their content (a deferred column that raises if loaded by accident).
    attachments = list(await session.scalars(
        select(ReferralAttachment).where(ReferralAttachment.referral_id == referral.id)
        .order_by(ReferralAttachment.created_at, ReferralAttachment.id)))
    user_ids = {referral.sender_user_id, *(e.actor_user_id for e in events), *(c.author_id for c in contacts),
                *(m.author_id for m in messages)} - {None}
    users = (await session.scalars(select(User).where(User.id.in_(user_ids)))).all() if user_ids else []
    structure_ids = {*(e.actor_structure_id for e in events), *(m.author_structure_id for m in messages)} - {
        None, sender_structure.id, receiver_structure.id}
    structure_names = {sender_structure.id: sender_structure.nom, receiver_structure.id: receiver_structure.nom}
    if structure_ids:
        rows = await session.execute(select(Structure.id, Structure.nom).where(Structure.id.in_(structure_ids)))
        structure_names.update(dict(rows.all()))
    user_names = {u.id: u.display_name for u in users}
    return ReferralDetail(
        referral=referral, person=person, service=service, sender_structure=sender_structure,
        receiver_structure=receiver_structure, sender_name=user_names.get(referral.sender_user_id),
        events=events, contacts=contacts, messages=messages, user_names=user_names,
        structure_names=structure_names, attachments=attachments,
    )


def current_follow_up(referral: Referral, now: datetime | None = None) -> FollowUp:
    """From the referral row alone: its bookings are summarised on it (the latest that
    counts, and whether one was honoured), which is all ``follow_up`` needs."""
    latest = [BookingFacts(referral.appointment_starts_at, referral.appointment_ends_at,
                           BookingState(referral.appointment_status))] if referral.appointment_status else []
    return follow_up(ReferralStatus(referral.status), referral.last_reached_at, latest, now or utcnow(),
                     ever_honoured=referral.honoured_at is not None)


# ---------------------------------------------------------------- answering


async def transition(
    session: AsyncSession,
    referral: Referral,
    action: str,
    *,
    actor_user_id: int | None,
    actor_structure_id: int | None,
    reason: str | None = None,
    outcome: str | None = None,
    detail: str | None = None,
    now: datetime | None = None,
    event_data: dict | None = None,
) -> Referral:
    """accept / refuse / cancel / close / reorient through the lifecycle, then tell the
    other side: the sender on an answer or a closing (a reorientation is one), the
    receiving side on a cancellation."""
    now = now or utcnow()
    referral = await lifecycle.apply(
        session, referral, action, actor_user_id=actor_user_id, actor_structure_id=actor_structure_id,
        reason=reason, outcome=outcome, detail=detail, now=now, event_data=event_data,
    )
    await touch_person(session, referral.person_id, now)
    names = await _names(session, referral)
    if action in ("accept", "refuse"):
        await _send_all(session, "referral_answered", await _sending_side(session, referral), referral, names,
                        accepted=action == "accept", reason_label=reason_label(referral.refusal_reason),
                        detail=referral.status_detail)
    elif action in ("close", "reorient"):
        await _send_all(session, "referral_closed", await _sending_side(session, referral), referral, names,
                        outcome_label=outcome_label(referral.outcome), detail=referral.status_detail)
    elif action == "cancel":
        await _send_all(session, "referral_cancelled", await _receiving_side(session, referral), referral, names,
                        detail=referral.status_detail)
    return referral


def reason_label(code: str | None) -> str | None:
    return REFUSAL_LABELS.get(code, code) if code else None


def outcome_label(code: str | None) -> str | None:
    return OUTCOME_LABELS.get(code, code) if code else None


# ---------------------------------------------------------------- contacts and messages


async def log_contact(
    session: AsyncSession,
    referral: Referral,
    *,
    contacted_at: datetime,
    channel: str,
    reached: bool,
    note: str | None,
    author_id: int | None,
    actor_structure_id: int | None,
    now: datetime | None = None,
) -> ReferralContact:
    """A contact attempt on an accepted referral. A reached contact moves
    ``last_reached_at`` forward (never back); both move ``last_event_at``. The UPDATE
    is conditional on the status, so a contact cannot slip in after a concurrent close."""
    now = now or utcnow()
    if contacted_at > now + _CLOCK_SKEW:
        raise InvalidInput("La date du contact ne peut pas être dans le futur.")
    if contacted_at < referral.sent_at - _SAME_DAY:
        raise InvalidInput("La date du contact ne peut pas précéder l'envoi de l'orientation.")
    values: dict = {"last_event_at": now}
    if reached:
        values["last_reached_at"] = case(
            (or_(Referral.last_reached_at.is_(None), Referral.last_reached_at < contacted_at), contacted_at),
            else_=Referral.last_reached_at,
        )
    result = await session.execute(
        update(Referral).where(Referral.id == referral.id, Referral.status == ReferralStatus.ACCEPTED.value)
        .values(**values).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("Les contacts se notent sur une orientation acceptée et pas encore clôturée.")
    contact = ReferralContact(referral_id=referral.id, contacted_at=contacted_at, channel=channel, reached=reached,
                              note=(note or "").strip() or None, author_id=author_id, created_at=now)
    session.add(contact)
    await session.flush()
    session.add(ReferralEvent(referral_id=referral.id, kind="contact", actor_user_id=author_id,
                              actor_structure_id=actor_structure_id, created_at=now,
                              data={"contact_id": contact.id, "channel": channel, "reached": reached}))
    await touch_person(session, referral.person_id, now)
    await session.flush()
    await session.refresh(referral)
    return contact


async def post_message(
    session: AsyncSession,
    referral: Referral,
    *,
    body: str,
    author_id: int | None,
    author_structure_id: int | None,
    author_email: str | None = None,
    now: datetime | None = None,
) -> ReferralMessage:
    """A message on the referral, emailed to the other side (both sides when an animator
    writes, ``author_structure_id`` None); never to its own author."""
    now = now or utcnow()
    body = (body or "").strip()
    if not body:
        raise InvalidInput("Le message est vide.")
    message = ReferralMessage(referral_id=referral.id, author_id=author_id, author_structure_id=author_structure_id,
                              body=body, created_at=now)
    session.add(message)
    await session.flush()
    session.add(ReferralEvent(referral_id=referral.id, kind="message", actor_user_id=author_id,
                              actor_structure_id=author_structure_id, data={"message_id": message.id},
                              created_at=now))
    await session.execute(
        update(Referral).where(Referral.id == referral.id).values(last_event_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    await session.refresh(referral)

    recipients: list[str] = []
    if author_structure_id != referral.receiver_structure_id:
        recipients += await _receiving_side(session, referral)
    if author_structure_id != referral.sender_structure_id:
        recipients += await _sending_side(session, referral)
    names = await _names(session, referral)
    author_nom = (names.sender_nom if author_structure_id == referral.sender_structure_id
                  else names.receiver_nom if author_structure_id == referral.receiver_structure_id
                  else "l'animation du réseau")
    await _send_all(session, "referral_message", recipients, referral, names, skip=author_email,
                    author_nom=author_nom)
    return message


# ---------------------------------------------------------------- inboxes


@dataclass(frozen=True)
class InboxRow:
    referral: Referral
    person_first_name: str
    person_last_name: str
    service_nom: str
    other_structure_id: int
    other_structure_nom: str


@dataclass(frozen=True)
class Inbox:
    rows: list[InboxRow]
    total: int
    by_status: dict[str, int]
    by_follow_up: dict[str, int]
    # The status and follow-up codes counted only up to COUNT_LIMIT (there are more).
    capped: set[str]
    total_capped: bool


# Inbox counts are exact up to this number per status or follow-up, and the list stops
# there too: counting the 70,000 referrals of the largest structures on every page load
# would cost more than the page. Past it the inbox says "plus de 1 000" (filters narrow).
COUNT_LIMIT = 1000

# Which follow-up statuses each stored status may have (see follow_up_expression).
_FOLLOW_UPS_OF = {
    ReferralStatus.SENT.value: (FollowUp.AWAITING_ANSWER.value,),
    ReferralStatus.ACCEPTED.value: (FollowUp.NEVER_CONTACTED.value, FollowUp.APPOINTMENT_UPCOMING.value,
                                    FollowUp.APPOINTMENT_TO_CONFIRM.value, FollowUp.APPOINTMENT_MISSED.value,
                                    FollowUp.IN_PROGRESS.value),
    **{status: (FollowUp.CLOSED.value,) for status in FINISHED},
}


async def _inbox_counts(session: AsyncSession, own, structure_id: int, now: datetime) -> dict[tuple[str, str], int]:
    """Count per (status, follow-up) pair, each capped at COUNT_LIMIT + 1, in one query
    of bounded cost (each branch reads at most that many entries of the
    (structure, status, sent_at) index)."""
    branches = []
    for status, follow_ups in _FOLLOW_UPS_OF.items():
        for follow in follow_ups:
            condition = follow_up_condition(FollowUp(follow), now) if len(follow_ups) > 1 else true()
            rows = (select(Referral.id).where(own == structure_id, Referral.status == status, condition)
                    .limit(COUNT_LIMIT + 1).subquery())
            branches.append(select(literal(status).label("status"), literal(follow).label("follow_up"),
                                   func.count().label("n")).select_from(rows))
    return {(status, follow): n for status, follow, n in (await session.execute(union_all(*branches))).all()}


async def inbox(
    session: AsyncSession,
    structure_id: int,
    direction: str,
    page: PageParams,
    *,
    status: ReferralStatus | None = None,
    follow_up_filter: FollowUp | None = None,
    now: datetime | None = None,
) -> Inbox:
    """A structure's received or sent referrals, newest first, in two queries whatever
    the page size: the counts by (status, follow-up), capped at COUNT_LIMIT — from which
    the filtered total is summed —, and the page with the person, the service and the
    other structure (the (structure, sent_at, id) index walked backwards)."""
    received = direction == "received"
    own = Referral.receiver_structure_id if received else Referral.sender_structure_id
    other_id = Referral.sender_structure_id if received else Referral.receiver_structure_id

    now = now or utcnow()
    pairs = await _inbox_counts(session, own, structure_id, now)
    by_status: dict[str, int] = {}
    by_follow_up: dict[str, int] = {}
    capped: set[str] = set()
    total = 0
    total_capped = False
    for (row_status, row_follow_up), n in pairs.items():
        over = n > COUNT_LIMIT
        n = min(n, COUNT_LIMIT)
        by_status[row_status] = by_status.get(row_status, 0) + n
        by_follow_up[row_follow_up] = by_follow_up.get(row_follow_up, 0) + n
        if over:
            capped.update((row_status, row_follow_up))
        if (status is None or row_status == status) and (follow_up_filter is None or row_follow_up == follow_up_filter):
            total += n
            total_capped = total_capped or over
    for counts in (by_status, by_follow_up):
        for code, n in counts.items():
            if n > COUNT_LIMIT:
                counts[code] = COUNT_LIMIT
                capped.add(code)
    if total > COUNT_LIMIT:
        total, total_capped = COUNT_LIMIT, True

    conditions = [own == structure_id]
    if status is not None:
        conditions.append(Referral.status == status.value)
    if follow_up_filter is not None:
        conditions.append(follow_up_condition(follow_up_filter, now))
    other = aliased(Structure)
    rows = [] if total == 0 or page.offset >= total else (await session.execute(
        select(Referral, Person.first_name, Person.last_name, Service.nom, other.id, other.nom)
        .join(Person, Person.id == Referral.person_id)
        .join(Service, Service.id == Referral.service_id)
        .join(other, other.id == other_id)
        .where(*conditions)
        .order_by(Referral.sent_at.desc(), Referral.id.desc())
        .offset(page.offset).limit(min(page.page_size, total - page.offset))
    )).all()
    return Inbox(rows=[InboxRow(*row) for row in rows], total=total, by_status=by_status, by_follow_up=by_follow_up,
                 capped=capped, total_capped=total_capped)


# ---------------------------------------------------------------- the timeline

EVENT_LABELS = {
    "sent": "Orientation envoyée",
    "accept": "Orientation acceptée",
    "refuse": "Orientation refusée",
    "cancel": "Orientation annulée",
    "expire": "Orientation expirée faute de réponse",
    "close": "Orientation clôturée",
    "reorient": "Orientation clôturée : personne réorientée vers un autre service",
    "attachment": "Document joint",
    "rdv-pris": "Rendez-vous pris",
    "rdv-deplace": "Rendez-vous déplacé",
    "rdv-annule": "Rendez-vous annulé",
    "rdv-presence": "Présence au rendez-vous indiquée",
    "relance": "Relance automatique envoyée à la structure",
    "mise-en-attente": "Mise de côté par l'animation",
}
# Contacts and messages have their own, richer, timeline items.
_SHOWN_ELSEWHERE = {"contact", "message"}


def _appointment_label(kind: str, data: dict, label: str) -> str:
    from maillage.appointments.schedule import french_datetime

    when = french_datetime(datetime.fromisoformat(data["starts_at"])) if data.get("starts_at") else None
    if kind == "rdv-pris" and when:
        return f"Rendez-vous pris pour le {when}"
    if kind == "rdv-deplace" and when:
        return f"Rendez-vous déplacé au {when}"
    if kind == "rdv-annule" and when:
        return f"Rendez-vous du {when} annulé"
    if kind == "rdv-presence" and data.get("label"):
        return f"Rendez-vous : {data['label'].lower()}"
    return label


def timeline(view: ReferralDetail) -> list[dict]:
    """Events, contacts and messages merged by date (oldest first), as plain dicts."""
    items: list[tuple[datetime, int, dict]] = []
    for e in view.events:
        if e.kind in _SHOWN_ELSEWHERE:
            continue
        data = e.data or {}
        label = EVENT_LABELS.get(e.kind, "Événement")
        if e.kind == "sent" and data.get("reoriented_from_id"):
            label = "Orientation envoyée (réorientation d'une orientation précédente)"
        elif e.kind.startswith("rdv-"):
            label = _appointment_label(e.kind, data, label)
        elif e.kind == "relance" and data.get("animateur"):
            label = "Relance de l'animation du réseau envoyée à la structure"
        items.append((e.created_at, 0, {
            "type": "event", "kind": e.kind, "at": e.created_at, "label": label,
            "related_referral_id": data.get("reoriented_from_id") or data.get("reoriented_to_id"),
            "author": view.user_names.get(e.actor_user_id), "structure_nom": view.structure_names.get(e.actor_structure_id),
            "detail": data.get("detail"), "reason": data.get("reason"), "reason_label": reason_label(data.get("reason")),
            "outcome": data.get("outcome"), "outcome_label": outcome_label(data.get("outcome")),
        }))
    for c in view.contacts:
        items.append((c.contacted_at, 1, {
            "type": "contact", "kind": "contact", "at": c.contacted_at,
            "label": "Personne jointe" if c.reached else "Tentative de contact sans réponse",
            "author": view.user_names.get(c.author_id), "structure_nom": view.receiver_structure.nom,
            "channel": c.channel, "channel_label": CHANNEL_LABELS.get(c.channel, c.channel), "reached": c.reached,
            "note": c.note,
        }))
    for m in view.messages:
        items.append((m.created_at, 2, {
            "type": "message", "kind": "message", "at": m.created_at, "label": "Message",
            "author": view.user_names.get(m.author_id), "structure_nom": view.structure_names.get(m.author_structure_id),
            "body": m.body,
        }))
    items.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in items]
