"""People (personnes accompagnées) and referrals with their timeline, contacts and messages.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("network", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settings", sa.JSON(), nullable=False, server_default="{}"))
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('gender', sa.String(length=20), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('contact_preference', sa.String(length=30), nullable=True),
    sa.Column('commune', sa.String(length=150), nullable=True),
    sa.Column('code_insee', sa.String(length=5), nullable=True),
    sa.Column('quartier', sa.String(length=150), nullable=True),
    sa.Column('situation', sa.JSON(), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('heard_via', sa.String(length=40), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('informed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('informed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_structure_id', sa.Integer(), nullable=True),
    sa.Column('first_name_key', sa.String(length=100), nullable=False),
    sa.Column('last_name_key', sa.String(length=100), nullable=False),
    sa.Column('phone_key', sa.String(length=20), nullable=True),
    sa.Column('email_key', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_structure_id'], ['structure.id'], name=op.f('fk_person_created_by_structure_id_structure'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['informed_by_id'], ['user_account.id'], name=op.f('fk_person_informed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_person_network_id_network'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_last_activity_at', ['last_activity_at'], unique=False)
        batch_op.create_index('ix_person_created_by_structure_id', ['created_by_structure_id'], unique=False)
        batch_op.create_index('ix_person_network_id_email_key', ['network_id', 'email_key'], unique=False)
        batch_op.create_index('ix_person_network_id_names', ['network_id', 'last_name_key', 'first_name_key'], unique=False)
        batch_op.create_index('ix_person_network_id_phone_key', ['network_id', 'phone_key'], unique=False)

    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('receiver_structure_id', sa.Integer(), nullable=False),
    sa.Column('sender_structure_id', sa.Integer(), nullable=False),
    sa.Column('sender_user_id', sa.Integer(), nullable=True),
    sa.Column('reoriented_from_id', sa.Integer(), nullable=True),
    sa.Column('motive', sa.Text(), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('preferred_contact', sa.String(length=30), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('refusal_reason', sa.String(length=40), nullable=True),
    sa.Column('outcome', sa.String(length=40), nullable=True),
    sa.Column('status_detail', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_reached_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_event_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('snoozed_until', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_referral_network_id_network'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_referral_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['receiver_structure_id'], ['structure.id'], name=op.f('fk_referral_receiver_structure_id_structure'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reoriented_from_id'], ['referral.id'], name=op.f('fk_referral_reoriented_from_id_referral'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sender_structure_id'], ['structure.id'], name=op.f('fk_referral_sender_structure_id_structure'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['sender_user_id'], ['user_account.id'], name=op.f('fk_referral_sender_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_referral_service_id_service'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_network_id_status_sent_at', ['network_id', 'status', 'sent_at'], unique=False)
        batch_op.create_index('ix_referral_person_id', ['person_id'], unique=False)
        batch_op.create_index('ix_referral_receiver_structure_id_status_sent_at', ['receiver_structure_id', 'status', 'sent_at'], unique=False)
        batch_op.create_index('ix_referral_sender_structure_id_status_sent_at', ['sender_structure_id', 'status', 'sent_at'], unique=False)
        batch_op.create_index('ix_referral_service_id', ['service_id'], unique=False)

    op.create_table('referral_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('contacted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('reached', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_referral_contact_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_contact_referral_id_referral'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_contact'))
    )
    with op.batch_alter_table('referral_contact', schema=None) as batch_op:
        batch_op.create_index('ix_referral_contact_referral_id', ['referral_id'], unique=False)

    op.create_table('referral_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_structure_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_structure_id'], ['structure.id'], name=op.f('fk_referral_event_actor_structure_id_structure'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user_account.id'], name=op.f('fk_referral_event_actor_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_event_referral_id_referral'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_event'))
    )
    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.create_index('ix_referral_event_referral_id_created_at', ['referral_id', 'created_at'], unique=False)

    op.create_table('referral_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_structure_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_referral_message_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_structure_id'], ['structure.id'], name=op.f('fk_referral_message_author_structure_id_structure'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_message_referral_id_referral'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_message'))
    )
    with op.batch_alter_table('referral_message', schema=None) as batch_op:
        batch_op.create_index('ix_referral_message_referral_id_created_at', ['referral_id', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("network", schema=None) as batch_op:
        batch_op.drop_column("settings")
    with op.batch_alter_table('referral_message', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_message_referral_id_created_at')

    op.drop_table('referral_message')
    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_event_referral_id_created_at')

    op.drop_table('referral_event')
    with op.batch_alter_table('referral_contact', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_contact_referral_id')

    op.drop_table('referral_contact')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_service_id')
        batch_op.drop_index('ix_referral_sender_structure_id_status_sent_at')
        batch_op.drop_index('ix_referral_receiver_structure_id_status_sent_at')
        batch_op.drop_index('ix_referral_person_id')
        batch_op.drop_index('ix_referral_network_id_status_sent_at')

    op.drop_table('referral')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_network_id_phone_key')
        batch_op.drop_index('ix_person_network_id_names')
        batch_op.drop_index('ix_person_network_id_email_key')
        batch_op.drop_index('ix_person_last_activity_at')
        batch_op.drop_index('ix_person_created_by_structure_id')

    op.drop_table('person')
