"""Database plumbing: declarative base, engine factory and the request session."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

PARIS = ZoneInfo("Europe/Paris")
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both databases (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _parse_utc(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _paris_month(value: str | None) -> str | None:
    """SQLite has no time zones: ``YYYY-MM`` of a stored UTC timestamp, in Paris time
    (what PostgreSQL's ``to_char(ts AT TIME ZONE 'Europe/Paris', 'YYYY-MM')`` gives)."""
    return None if value is None else _parse_utc(value).astimezone(PARIS).strftime("%Y-%m")


def _age_years(birth: str | None, at: str | None) -> int | None:
    """Whole years between a birth date and a UTC timestamp (its Paris date)."""
    if birth is None or at is None:
        return None
    born, day = date.fromisoformat(birth[:10]), _parse_utc(at).astimezone(PARIS).date()
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def make_engine(url: str, echo: bool = False) -> AsyncEngine:
    # No bound values in error messages: they can hold personal data, and errors get logged.
    kwargs: dict = {"echo": echo, "hide_parameters": not echo}
    if not is_sqlite(url):
        kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()
            dbapi_connection.create_function("paris_month", 1, _paris_month, deterministic=True)
            dbapi_connection.create_function("age_years", 2, _age_years, deterministic=True)

    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session: commits once at the end if the route succeeded."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# "function" scope: the commit happens before the response leaves, so a client that
# sends its next request as soon as it has the answer reads what it just wrote, and a
# failed commit is an error response rather than a 200 (FastAPI's default would end
# the dependency after sending the response).
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
