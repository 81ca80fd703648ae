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
    source: ReferralStatus
    target: ReferralStatus
    side: str
    label: str


TRANSITIONS = {
    "accept": Transition(ReferralStatus.SENT, ReferralStatus.ACCEPTED, Side.RECEIVER, "acceptée"),
    "refuse": Transition(ReferralStatus.SENT, ReferralStatus.REFUSED, Side.RECEIVER, "refusée"),
    "cancel": Transition(ReferralStatus.SENT, ReferralStatus.CANCELLED, Side.SENDER, "annulée"),
    "expire": Transition(ReferralStatus.SENT, ReferralStatus.EXPIRED, Side.SYSTEM, "expirée"),
    "close": Transition(ReferralStatus.ACCEPTED, ReferralStatus.CLOSED, Side.RECEIVER, "clôturée"),
}


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
) -> Referral:
    transition = TRANSITIONS[action]
    current = ReferralStatus(referral.status)
    if current != transition.source:
        raise Conflict(
            f"Une orientation {STATUS_LABELS[current]} ne peut pas être {transition.label}."
        )
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
        data={k: v for k, v in {"reason": reason, "outcome": outcome, "detail": detail}.items() if v},
        created_at=now,
    ))
    await session.flush()
    await session.refresh(referral)
    return referral
