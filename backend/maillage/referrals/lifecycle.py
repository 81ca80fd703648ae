"""The referral lifecycle (DESIGN.md): which action moves which status where, who may
take it, and the timeline event each change writes. A transition is a conditional
UPDATE on the status read, so that of two concurrent answers exactly one wins; the
other gets a 409."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.db import utcnow
from maillage.errors import Conflict, InvalidInput
from maillage.referrals.models import (
    STATUS_LABELS,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralStatus,
    RefusalReason,
)


class Side:
    """Who takes an action: the receiving structure, the sender, or the system."""

    RECEIVER = "receiver"
    SENDER = "sender"
    SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    sources: tuple[ReferralStatus, ...]
    target: ReferralStatus
    side: str
    label: str
    # The outcome this transition always records (None: given by the caller, if any).
    outcome: Outcome | None = None


_SENT, _ACCEPTED = (ReferralStatus.SENT,), (ReferralStatus.ACCEPTED,)
TRANSITIONS = {
    "accept": Transition(_SENT, ReferralStatus.ACCEPTED, Side.RECEIVER, "acceptée"),
    "refuse": Transition(_SENT, ReferralStatus.REFUSED, Side.RECEIVER, "refusée"),
    "cancel": Transition(_SENT, ReferralStatus.CANCELLED, Side.SENDER, "annulée"),
    "expire": Transition(_SENT, ReferralStatus.EXPIRED, Side.SYSTEM, "expirée"),
    "close": Transition(_ACCEPTED, ReferralStatus.CLOSED, Side.RECEIVER, "clôturée"),
    # A new referral to another service replaces this one (sent or accepted): closed as
    # « réorientation », whether it had been answered or not.
    "reorient": Transition((*_SENT, *_ACCEPTED), ReferralStatus.CLOSED, Side.RECEIVER, "réorientée",
                           outcome=Outcome.REORIENTED),
}


def ensure_allowed(referral: Referral, action: str) -> None:
    """409 unless ``action`` is legal from the referral's current status."""
    current = ReferralStatus(referral.status)
    transition = TRANSITIONS[action]
    if current not in transition.sources:
        raise Conflict(
            f"Une orientation {STATUS_LABELS[current]} ne peut pas être {transition.label}."
        )


def _validate(action: str, reason: str | None, outcome: str | None, detail: str | None) -> None:
    if action == "refuse":
        if reason not in {r.value for r in RefusalReason}:
            raise InvalidInput("Indiquez le motif du refus.")
        if reason == RefusalReason.OTHER and not (detail or "").strip():
            raise InvalidInput("Précisez le motif du refus (« autre »).")
    if action == "close":
        if outcome not in {o.value for o in Outcome}:
            raise InvalidInput("Indiquez la sortie de l'accompagnement.")
        if outcome == Outcome.OTHER and not (detail or "").strip():
            raise InvalidInput("Précisez la sortie (« autre »).")


async def apply(
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
    """Apply ``action``; ``event_data`` is added to the timeline event's data."""
    transition = TRANSITIONS[action]
    ensure_allowed(referral, action)
    current = ReferralStatus(referral.status)
    outcome = transition.outcome.value if transition.outcome else outcome
    _validate(action, reason, outcome, detail)
    now = now or utcnow()
    values: dict = {"status": transition.target, "last_event_at": now}
    if action in ("accept", "refuse"):
        values["answered_at"] = now
    if transition.target != ReferralStatus.ACCEPTED:
        values["closed_at"] = now
    if reason:
        values["refusal_reason"] = reason
    if outcome:
        values["outcome"] = outcome
    if detail:
        values["status_detail"] = detail.strip()
    result = await session.execute(
        update(Referral).where(Referral.id == referral.id, Referral.status == current).values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("Cette orientation vient d'être traitée par quelqu'un d'autre : rechargez la page.")
    session.add(ReferralEvent(
        referral_id=referral.id, kind=action, actor_user_id=actor_user_id, actor_structure_id=actor_structure_id,
        data={**{k: v for k, v in {"reason": reason, "outcome": outcome, "detail": detail}.items() if v},
              **(event_data or {})},
        created_at=now,
    ))
    await session.flush()
    await session.refresh(referral)
    if transition.target != ReferralStatus.ACCEPTED:
        # A finished referral frees its upcoming appointments (imported here: the
        # appointments domain builds on this one).
        from maillage.appointments.booking import release_for_referral

        await release_for_referral(session, referral, now)
    return referral
