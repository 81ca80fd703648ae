"""Render an email from its templates and put it in the outbox (same transaction as
the change that causes it). Each email is a pair of templates in ``templates/``:
``<name>.txt`` with ``subject`` and ``text`` blocks, and ``<name>.html``."""

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.config import get_settings
from maillage.notifications.models import OutboxEmail


@lru_cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("maillage.notifications", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **context) -> tuple[str, str, str]:
    """(subject, text, html) of ``template`` with ``context``."""
    env = _environment()
    context.setdefault("operator_name", get_settings().operator_name)
    text_template = env.get_template(f"{template}.txt")
    blocks = text_template.new_context(context)
    subject = "".join(text_template.blocks["subject"](blocks)).strip()
    text = "".join(text_template.blocks["text"](blocks)).strip() + "\n"
    html = env.get_template(f"{template}.html").render(subject=subject, **context)
    return subject, text, html


async def enqueue(
    session: AsyncSession,
    template: str,
    to: str,
    *,
    network_id: int | None = None,
    dedupe_key: str | None = None,
    attachments: list[dict] | None = None,
    **context,
) -> OutboxEmail | None:
    """Queue one email. With a ``dedupe_key`` already used, nothing is queued and None
    is returned: that is how a reminder is sent once however many runners try."""
    subject, text, html = render(template, **context)
    values = dict(
        kind=template, to_address=to, subject=subject, text_body=text, html_body=html,
        network_id=network_id, dedupe_key=dedupe_key, attachments=attachments or [],
    )
    if dedupe_key is None:
        email = OutboxEmail(**values)
        session.add(email)
        await session.flush()
        return email
    dialect = session.bind.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(OutboxEmail).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    result = await session.execute(stmt.returning(OutboxEmail.id))
    new_id = result.scalar()
    if new_id is None:
        return None
    return await session.scalar(select(OutboxEmail).where(OutboxEmail.id == new_id))
