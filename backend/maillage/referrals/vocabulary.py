"""The referral vocabularies (statuses, refusal reasons, outcomes, channels…) with their
French labels, built from the label tables next to each enum: the one source the API
gives to its clients (``GET /referrals/vocabulary``)."""

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from maillage.people.models import (
    CONTACT_PREFERENCE_LABELS,
    GENDER_LABELS,
    HEARD_VIA_LABELS,
    ContactPreference,
    Gender,
    HeardVia,
)
from maillage.referrals.followup import FOLLOW_UP_LABELS, FollowUp
from maillage.referrals.models import (
    OUTCOME_LABELS,
    REFUSAL_LABELS,
    STATUS_LABELS,
    ContactChannel,
    Outcome,
    ReferralStatus,
    RefusalReason,
)
from maillage.referrals.schemas import (
    CHANNEL_LABELS,
    ContactChannelItem,
    ContactPreferenceItem,
    FollowUpItem,
    GenderItem,
    HeardViaItem,
    OutcomeItem,
    ReferralVocabulary,
    RefusalReasonItem,
    StallRuleItem,
    StatusItem,
    VocabularyItem,
)
from maillage.referrals.stall import STALL_LABELS, StallRule

Item = TypeVar("Item", bound=VocabularyItem)


def _items(item: type[Item], enum: type[StrEnum], labels: Mapping) -> list[Item]:
    """Every member of ``enum``, in its declaration order (a member without a label is a bug: KeyError)."""
    return [item(code=member, label=labels[member]) for member in enum]


def referral_vocabulary() -> ReferralVocabulary:
    return ReferralVocabulary(
        statuses=_items(StatusItem, ReferralStatus, STATUS_LABELS),
        follow_ups=_items(FollowUpItem, FollowUp, FOLLOW_UP_LABELS),
        refusal_reasons=_items(RefusalReasonItem, RefusalReason, REFUSAL_LABELS),
        outcomes=_items(OutcomeItem, Outcome, OUTCOME_LABELS),
        contact_channels=_items(ContactChannelItem, ContactChannel, CHANNEL_LABELS),
        contact_preferences=_items(ContactPreferenceItem, ContactPreference, CONTACT_PREFERENCE_LABELS),
        heard_via=_items(HeardViaItem, HeardVia, HEARD_VIA_LABELS),
        genders=_items(GenderItem, Gender, GENDER_LABELS),
        stall_rules=_items(StallRuleItem, StallRule, STALL_LABELS),
    )
