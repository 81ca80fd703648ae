"""Listing freshness: a service is "à mettre à jour" once it is older than its update
frequency (6 months by default, as DORA does)."""

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_

from maillage.directory.cards import add_months
from maillage.directory.models import Service

MIN_FREQUENCY, MAX_FREQUENCY = 1, 24


def outdated(now: datetime) -> ColumnElement[bool]:
    """SQL condition equal to ``cards.needs_update`` (one branch per allowed frequency,
    so that it stays portable and each branch can use the index on ``updated_at``)."""
    return or_(*(
        and_(Service.update_frequency_months == months, Service.updated_at < add_months(now, -months))
        for months in range(MIN_FREQUENCY, MAX_FREQUENCY + 1)
    ))
