"""The indicator snapshot of a network: one ``stats_run`` per computation, and its
cells — one aggregated number per scope, month, metric and dimension value.

Why a snapshot: the Pilotage page sums a year of months in a few milliseconds instead of
aggregating up to a million referrals per request. A reader always reads the latest
finished run, so a refresh in progress (or two at once) never shows half a run."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from maillage.db import Base, UTCDateTime, utcnow


class StatsRun(Base):
    __tablename__ = "stats_run"
    __table_args__ = (Index("ix_stats_run_network_id_finished_at", "network_id", "finished_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cells: Mapped[int] = mapped_column(Integer, default=0)


class StatsCell(Base):
    """``scope`` is ``network`` (scope_id 0), ``received`` / ``sent`` (a structure's id)
    or ``service`` (a service's id); ``month`` is ``YYYY-MM`` in Paris time, or ``now``
    for the figures that describe the present (stalled referrals, people without
    solution). Zero values are not stored."""

    __tablename__ = "stats_cell"

    run_id: Mapped[int] = mapped_column(ForeignKey("stats_run.id", ondelete="CASCADE"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(10), primary_key=True)
    scope_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    dim: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
