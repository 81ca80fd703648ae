"""The follow-up status of a referral, derived (never stored by hand) from its status,
the contacts logged and the appointments booked — as rdv-insertion does.

Bookings arrive with the appointments issue; they are passed in as plain
``BookingFacts`` so that this derivation does not depend on how they are stored.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from maillage.referrals.models import ReferralStatus


class FollowUp(StrEnum):
    AWAITING_ANSWER = "awaiting_answer"
    NEVER_CONTACTED = "never_contacted"
    APPOINTMENT_UPCOMING = "appointment_upcoming"
    APPOINTMENT_TO_CONFIRM = "appointment_to_confirm"
    APPOINTMENT_MISSED = "appointment_missed"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


FOLLOW_UP_LABELS = {
    FollowUp.AWAITING_ANSWER: "En attente de réponse",
    FollowUp.NEVER_CONTACTED: "Jamais contactée",
    FollowUp.APPOINTMENT_UPCOMING: "RDV à venir",
    FollowUp.APPOINTMENT_TO_CONFIRM: "RDV à préciser",
    FollowUp.APPOINTMENT_MISSED: "RDV manqué",
    FollowUp.IN_PROGRESS: "Accompagnement en cours",
    FollowUp.CLOSED: "Clôturée",
}


class BookingState(StrEnum):
    BOOKED = "booked"
    HONOURED = "honoured"
    MISSED = "missed"
    EXCUSED = "excused"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class BookingFacts:
    starts_at: datetime
    ends_at: datetime
    state: BookingState


def follow_up(
    status: ReferralStatus,
    last_reached_at: datetime | None,
    bookings: Sequence[BookingFacts],
    now: datetime,
    *,
    ever_honoured: bool = False,
) -> FollowUp:
    """Precedence: an answer is awaited; a finished referral is closed; otherwise the
    latest appointment that still counts decides (upcoming, to confirm, missed unless
    the person was reached since, honoured), then whether the person ever came to one
    (``ever_honoured``, or an honoured one among ``bookings``) or was ever reached."""
    if status == ReferralStatus.SENT:
        return FollowUp.AWAITING_ANSWER
    if status != ReferralStatus.ACCEPTED:
        return FollowUp.CLOSED
    counted = [b for b in bookings if b.state != BookingState.CANCELLED]
    if counted:
        latest = max(counted, key=lambda b: b.starts_at)
        if latest.state == BookingState.BOOKED:
            return FollowUp.APPOINTMENT_UPCOMING if latest.ends_at > now else FollowUp.APPOINTMENT_TO_CONFIRM
        if latest.state == BookingState.MISSED:
            reached_since = last_reached_at is not None and last_reached_at > latest.ends_at
            return FollowUp.IN_PROGRESS if reached_since else FollowUp.APPOINTMENT_MISSED
        ever_honoured = ever_honoured or any(b.state == BookingState.HONOURED for b in counted)
    return FollowUp.IN_PROGRESS if ever_honoured or last_reached_at is not None else FollowUp.NEVER_CONTACTED
