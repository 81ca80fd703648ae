"""The follow-up status in SQL, for counting, grouping and filtering referrals without
loading them: each status as a condition on the referral row, mirroring
``followup.follow_up`` over the summary of the referral's bookings kept on it
(``appointment_*``: its latest booking that counts; ``honoured_at``)."""

from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, false, literal, or_

from maillage.db import utcnow
from maillage.referrals.followup import BookingState, FollowUp
from maillage.referrals.models import Referral, ReferralStatus

FINISHED = [s.value for s in ReferralStatus if s not in (ReferralStatus.SENT, ReferralStatus.ACCEPTED)]


def has_appointment(state: BookingState) -> ColumnElement[bool]:
    """The latest booking that counts is in ``state`` (never NULL: negation is safe)."""
    return and_(Referral.appointment_status.is_not(None), Referral.appointment_status == state.value)


def missed_not_reached_since() -> ColumnElement[bool]:
    """The latest appointment was missed and nobody reached the person since (never NULL)."""
    return and_(has_appointment(BookingState.MISSED),
                or_(Referral.last_reached_at.is_(None), Referral.last_reached_at <= Referral.appointment_ends_at))


def progressed() -> ColumnElement[bool]:
    """The person was reached, or came to an appointment."""
    return or_(Referral.honoured_at.is_not(None), Referral.last_reached_at.is_not(None))


def follow_up_conditions(now: datetime) -> dict[FollowUp, ColumnElement[bool]]:
    """Exclusive conditions covering every row; each tests ``status`` first, so that the
    (structure, status, sent_at) indexes serve them."""
    accepted = Referral.status == ReferralStatus.ACCEPTED.value
    booked = has_appointment(BookingState.BOOKED)
    missed = missed_not_reached_since()
    return {
        FollowUp.AWAITING_ANSWER: Referral.status == ReferralStatus.SENT.value,
        FollowUp.APPOINTMENT_UPCOMING: and_(accepted, booked, Referral.appointment_ends_at > now),
        FollowUp.APPOINTMENT_TO_CONFIRM: and_(accepted, booked, Referral.appointment_ends_at <= now),
        FollowUp.APPOINTMENT_MISSED: and_(accepted, missed),
        # A missed appointment with the person reached since is "in progress".
        FollowUp.IN_PROGRESS: and_(accepted, ~booked, ~missed, progressed()),
        FollowUp.NEVER_CONTACTED: and_(accepted, ~booked, ~missed, ~progressed()),
        FollowUp.CLOSED: Referral.status.in_(FINISHED),
    }


def follow_up_condition(value: FollowUp, now: datetime | None = None) -> ColumnElement[bool]:
    return follow_up_conditions(now or utcnow()).get(value, false())


def follow_up_expression(now: datetime | None = None):
    """The follow-up status as a SQL CASE (same conditions)."""
    return case(*((condition, literal(code.value)) for code, condition in follow_up_conditions(now or utcnow()).items()),
                else_=literal(FollowUp.CLOSED.value))
