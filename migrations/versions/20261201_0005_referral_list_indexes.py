"""Indexes for the inboxes' first page and counts, and one partial index per stall rule
for the animators' queue (see docs/benchmarks.md, "Referrals").

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

NEVER_REACHED = "status = 'accepted' AND last_reached_at IS NULL"


def _partial(name: str, columns: list[str], where: str, include: list[str]) -> None:
    op.create_index(name, 'referral', columns, unique=False, postgresql_where=sa.text(where),
                    sqlite_where=sa.text(where), postgresql_include=include)


def upgrade() -> None:
    for side in ('receiver', 'sender'):
        op.create_index(f'ix_referral_{side}_structure_id_sent_at_id', 'referral',
                        [f'{side}_structure_id', 'sent_at', 'id'], unique=False)
    _partial('ix_referral_stalled_no_answer', ['network_id', 'sent_at', 'id'], "status = 'sent'",
             ['snoozed_until'])
    _partial('ix_referral_stalled_never_contacted', ['network_id', 'answered_at', 'id'], NEVER_REACHED,
             ['snoozed_until'])
    _partial('ix_referral_stalled_dormant', ['network_id', 'last_event_at', 'id'], "status = 'accepted'",
             ['snoozed_until', 'last_reached_at', 'answered_at'])


def downgrade() -> None:
    for name in ('ix_referral_stalled_dormant', 'ix_referral_stalled_never_contacted', 'ix_referral_stalled_no_answer'):
        op.drop_index(name, table_name='referral')
    for side in ('sender', 'receiver'):
        op.drop_index(f'ix_referral_{side}_structure_id_sent_at_id', table_name='referral')
