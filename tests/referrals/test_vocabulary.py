"""The referral vocabularies endpoint: every code of every enum, once, in order, with the
label of the backend's table (the one source the SPA reads its labels from)."""

from enum import StrEnum

import pytest
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
from maillage.referrals.schemas import CHANNEL_LABELS, ReferralVocabulary
from maillage.referrals.stall import STALL_LABELS, StallRule

URL = "/api/v1/referrals/vocabulary"

VOCABULARIES: dict[str, tuple[type[StrEnum], dict]] = {
    "statuses": (ReferralStatus, STATUS_LABELS),
    "follow_ups": (FollowUp, FOLLOW_UP_LABELS),
    "refusal_reasons": (RefusalReason, REFUSAL_LABELS),
    "outcomes": (Outcome, OUTCOME_LABELS),
    "contact_channels": (ContactChannel, CHANNEL_LABELS),
    "contact_preferences": (ContactPreference, CONTACT_PREFERENCE_LABELS),
    "heard_via": (HeardVia, HEARD_VIA_LABELS),
    "genders": (Gender, GENDER_LABELS),
    "stall_rules": (StallRule, STALL_LABELS),
}


def test_every_vocabulary_of_the_schema_is_checked_here() -> None:
    assert set(ReferralVocabulary.model_fields) == set(VOCABULARIES)


@pytest.mark.parametrize("key", list(VOCABULARIES))
async def test_every_code_once_in_order_with_its_label(client, key) -> None:
    answer = await client.get(URL)
    assert answer.status_code == 200, answer.text
    enum, labels = VOCABULARIES[key]
    items = answer.json()[key]
    assert [item["code"] for item in items] == [member.value for member in enum]
    assert [item["label"] for item in items] == [labels[member] for member in enum]
    assert all(item["label"].strip() for item in items)


async def test_public_and_french(client) -> None:
    """No sign-in needed (codes and labels, no personal data), like the directory's referentials."""
    answer = await client.get(URL)
    assert answer.status_code == 200
    body = answer.json()
    assert {"code": "doublon", "label": "Doublon"} in body["refusal_reasons"]
    assert {"code": "sent", "label": "envoyée"} in body["statuses"]
    assert {"code": "par-le-prescripteur", "label": "Par l'intermédiaire du prescripteur"} in body["contact_preferences"]
