"""Indicators (Pilotage): the snapshot runs of a network and their aggregated cells.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stats_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cells', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_stats_run_network_id_network'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_run'))
    )
    with op.batch_alter_table('stats_run', schema=None) as batch_op:
        batch_op.create_index('ix_stats_run_network_id_finished_at', ['network_id', 'finished_at'], unique=False)

    op.create_table('stats_cell',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('scope_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('dim', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['stats_run.id'], name=op.f('fk_stats_cell_run_id_stats_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'scope', 'scope_id', 'month', 'metric', 'dim', name=op.f('pk_stats_cell'))
    )


def downgrade() -> None:
    op.drop_table('stats_cell')
    with op.batch_alter_table('stats_run', schema=None) as batch_op:
        batch_op.drop_index('ix_stats_run_network_id_finished_at')

    op.drop_table('stats_run')
