"""Tables of the operations side."""

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from maillage.db import Base


class RateLimitCounter(Base):
    """A fixed-window counter per key (``search:<ip>``, ``sign_in:<ip>``…): one row per
    key, reset when a new window starts. In the database so that every app process shares
    the limits; old rows are purged by the jobs. UNLOGGED on PostgreSQL (see the
    migration): no durable write per count."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    # Start of the current window, in seconds since the epoch.
    window_start: Mapped[int] = mapped_column(BigInteger)
    hits: Mapped[int] = mapped_column(Integer)
