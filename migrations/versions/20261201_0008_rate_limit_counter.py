"""Rate limits: a fixed-window counter row per key (search and sign-in per client IP,
refused API tokens), shared by every app process. UNLOGGED on PostgreSQL: counted on
every search, it must not wait for a durable write; a crash just resets the counters.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_limit_counter',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('window_start', sa.BigInteger(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counter')),
    prefixes=['UNLOGGED'] if op.get_bind().dialect.name == 'postgresql' else [],
    )


def downgrade() -> None:
    op.drop_table('rate_limit_counter')
