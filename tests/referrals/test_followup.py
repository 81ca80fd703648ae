"""The follow-up status derivation (DESIGN.md), on plain facts."""

from datetime import UTC, datetime, timedelta

import pytest
from maillage.referrals.followup import BookingFacts, BookingState, FollowUp, follow_up
from maillage.referrals.models import ReferralStatus

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


def booking(days: float, state: str) -> BookingFacts:
    start = NOW + timedelta(days=days)
    return BookingFacts(starts_at=start, ends_at=start + timedelta(hours=1), state=BookingState(state))


@pytest.mark.parametrize(
    ("status", "reached", "bookings", "expected"),
    [
        ("sent", None, [], FollowUp.AWAITING_ANSWER),
        ("refused", None, [], FollowUp.CLOSED),
        ("cancelled", None, [], FollowUp.CLOSED),
        ("expired", None, [], FollowUp.CLOSED),
        ("closed", NOW, [], FollowUp.CLOSED),
        ("accepted", None, [], FollowUp.NEVER_CONTACTED),
        ("accepted", NOW - timedelta(days=1), [], FollowUp.IN_PROGRESS),
        ("accepted", None, [booking(3, "booked")], FollowUp.APPOINTMENT_UPCOMING),
        ("accepted", None, [booking(-3, "booked")], FollowUp.APPOINTMENT_TO_CONFIRM),
        ("accepted", None, [booking(-3, "missed")], FollowUp.APPOINTMENT_MISSED),
        ("accepted", NOW - timedelta(days=1), [booking(-3, "missed")], FollowUp.IN_PROGRESS),
        ("accepted", NOW - timedelta(days=5), [booking(-3, "missed")], FollowUp.APPOINTMENT_MISSED),
        ("accepted", None, [booking(-3, "honoured")], FollowUp.IN_PROGRESS),
        ("accepted", None, [booking(-10, "honoured"), booking(2, "booked")], FollowUp.APPOINTMENT_UPCOMING),
        ("accepted", None, [booking(-3, "cancelled")], FollowUp.NEVER_CONTACTED),
        ("accepted", None, [booking(-3, "excused")], FollowUp.NEVER_CONTACTED),
        ("accepted", None, [booking(-10, "honoured"), booking(-3, "excused")], FollowUp.IN_PROGRESS),
    ],
)
def test_follow_up(status, reached, bookings, expected):
    assert follow_up(ReferralStatus(status), reached, bookings, NOW) == expected
