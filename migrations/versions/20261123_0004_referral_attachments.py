"""Documents joined to referrals (PDF, PNG, JPEG), stored in the database.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('referral_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_attachment_referral_id_referral'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by'], ['user_account.id'], name=op.f('fk_referral_attachment_uploaded_by_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_attachment'))
    )
    with op.batch_alter_table('referral_attachment', schema=None) as batch_op:
        batch_op.create_index('ix_referral_attachment_referral_id', ['referral_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('referral_attachment', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_attachment_referral_id')

    op.drop_table('referral_attachment')
