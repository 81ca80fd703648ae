"""Appointments: places, slot series, slots, bookings, calendar feeds; the referral's
booking summary (follow-up status and stall rules without a join) and its indexes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# The inbox counts read only the (structure, status) index on PostgreSQL.
INBOX_INCLUDE = ['last_reached_at', 'appointment_status', 'appointment_ends_at', 'honoured_at']
STALLED = (
    ('ix_referral_stalled_to_confirm', ['network_id', 'appointment_ends_at', 'id'],
     "status = 'accepted' AND appointment_status = 'booked'"),
    ('ix_referral_stalled_missed', ['network_id', 'last_event_at', 'id'],
     "status = 'accepted' AND appointment_status = 'missed'"),
)


def upgrade() -> None:
    op.create_table('calendar_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_calendar_feed_created_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_calendar_feed_structure_id_structure'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feed_token_hash'))
    )
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.create_index('ix_calendar_feed_structure_id', ['structure_id'], unique=False)

    op.create_table('place',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('adresse', sa.String(length=255), nullable=True),
    sa.Column('code_postal', sa.String(length=5), nullable=True),
    sa.Column('commune', sa.String(length=150), nullable=True),
    sa.Column('instructions', sa.Text(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_place_network_id_network'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_place_structure_id_structure'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place'))
    )
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.create_index('ix_place_structure_id', ['structure_id'], unique=False)

    op.create_table('slot_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=150), nullable=True),
    sa.Column('weekdays', sa.JSON(), nullable=False),
    sa.Column('start_time', sa.String(length=5), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('bookable_by', sa.String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('exceptions', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_slot_series_created_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_slot_series_network_id_network'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_slot_series_place_id_place'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_slot_series_service_id_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_slot_series_structure_id_structure'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slot_series'))
    )
    with op.batch_alter_table('slot_series', schema=None) as batch_op:
        batch_op.create_index('ix_slot_series_structure_id', ['structure_id'], unique=False)

    op.create_table('slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=150), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked_count', sa.Integer(), nullable=False),
    sa.Column('bookable_by', sa.String(length=20), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('booked_count >= 0 AND booked_count <= capacity', name=op.f('ck_slot_capacity')),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_slot_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_slot_time_range')),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_slot_network_id_network'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_slot_place_id_place'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['series_id'], ['slot_series.id'], name=op.f('fk_slot_series_id_slot_series'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_slot_service_id_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_slot_structure_id_structure'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slot'))
    )
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.create_index('ix_slot_series_id_starts_at', ['series_id', 'starts_at'], unique=True)
        batch_op.create_index('ix_slot_service_id_starts_at', ['service_id', 'starts_at'], unique=False, postgresql_where=sa.text('cancelled_at IS NULL'), sqlite_where=sa.text('cancelled_at IS NULL'))
        batch_op.create_index('ix_slot_structure_id_starts_at', ['structure_id', 'starts_at'], unique=False)

    op.create_table('booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('booked_by_user_id', sa.Integer(), nullable=True),
    sa.Column('booked_by_structure_id', sa.Integer(), nullable=True),
    sa.Column('notify_person', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('moved_to_id', sa.Integer(), nullable=True),
    sa.Column('attendance_marked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attendance_marked_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attendance_marked_by'], ['user_account.id'], name=op.f('fk_booking_attendance_marked_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['booked_by_structure_id'], ['structure.id'], name=op.f('fk_booking_booked_by_structure_id_structure'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['booked_by_user_id'], ['user_account.id'], name=op.f('fk_booking_booked_by_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['moved_to_id'], ['booking.id'], name=op.f('fk_booking_moved_to_id_booking'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_booking_network_id_network'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_booking_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_booking_referral_id_referral'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_booking_service_id_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], name=op.f('fk_booking_slot_id_slot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_booking_structure_id_structure'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking'))
    )
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.create_index('ix_booking_booked_by_user_id_starts_at', ['booked_by_user_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_booking_booked_starts_at', ['starts_at'], unique=False, postgresql_where=sa.text("status = 'booked'"), sqlite_where=sa.text("status = 'booked'"))
        batch_op.create_index('ix_booking_person_id', ['person_id'], unique=False)
        batch_op.create_index('ix_booking_referral_id', ['referral_id'], unique=False)
        batch_op.create_index('ix_booking_slot_id', ['slot_id'], unique=False)
        batch_op.create_index('ix_booking_slot_id_person_id', ['slot_id', 'person_id'], unique=True, postgresql_where=sa.text("status <> 'cancelled'"), sqlite_where=sa.text("status <> 'cancelled'"))
        batch_op.create_index('ix_booking_structure_id_starts_at', ['structure_id', 'starts_at'], unique=False)

    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appointment_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('appointment_starts_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('appointment_ends_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('honoured_at', sa.DateTime(timezone=True), nullable=True))

    for side in ('receiver', 'sender'):
        op.drop_index(f'ix_referral_{side}_structure_id_status_sent_at', table_name='referral')
        op.create_index(f'ix_referral_{side}_structure_id_status_sent_at', 'referral',
                        [f'{side}_structure_id', 'status', 'sent_at'], unique=False, postgresql_include=INBOX_INCLUDE)
    for name, columns, where in STALLED:
        op.create_index(name, 'referral', columns, unique=False, postgresql_where=sa.text(where),
                        sqlite_where=sa.text(where))



def downgrade() -> None:
    for name, _columns, _where in STALLED:
        op.drop_index(name, table_name='referral')
    for side in ('receiver', 'sender'):
        op.drop_index(f'ix_referral_{side}_structure_id_status_sent_at', table_name='referral')
        op.create_index(f'ix_referral_{side}_structure_id_status_sent_at', 'referral',
                        [f'{side}_structure_id', 'status', 'sent_at'], unique=False)
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_column('honoured_at')
        batch_op.drop_column('appointment_ends_at')
        batch_op.drop_column('appointment_starts_at')
        batch_op.drop_column('appointment_status')

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_structure_id_starts_at')
        batch_op.drop_index('ix_booking_slot_id_person_id', postgresql_where=sa.text("status <> 'cancelled'"), sqlite_where=sa.text("status <> 'cancelled'"))
        batch_op.drop_index('ix_booking_slot_id')
        batch_op.drop_index('ix_booking_referral_id')
        batch_op.drop_index('ix_booking_person_id')
        batch_op.drop_index('ix_booking_booked_starts_at', postgresql_where=sa.text("status = 'booked'"), sqlite_where=sa.text("status = 'booked'"))
        batch_op.drop_index('ix_booking_booked_by_user_id_starts_at')

    op.drop_table('booking')
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.drop_index('ix_slot_structure_id_starts_at')
        batch_op.drop_index('ix_slot_service_id_starts_at', postgresql_where=sa.text('cancelled_at IS NULL'), sqlite_where=sa.text('cancelled_at IS NULL'))
        batch_op.drop_index('ix_slot_series_id_starts_at')

    op.drop_table('slot')
    with op.batch_alter_table('slot_series', schema=None) as batch_op:
        batch_op.drop_index('ix_slot_series_structure_id')

    op.drop_table('slot_series')
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.drop_index('ix_place_structure_id')

    op.drop_table('place')
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_index('ix_calendar_feed_structure_id')

    op.drop_table('calendar_feed')
