"""ward officers: invites, officer wards, households, visits, category changes, reminders

Revision ID: 0003_officers
Revises: 0001
Create Date: 2026-11-27 15:00:00
"""
from alembic import op
import sqlalchemy as sa
import db.models


revision = '0003_officers'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ward', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('head_name', sa.String(length=128), nullable=False),
    sa.Column('address', sa.String(length=256), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=True),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('category_year', sa.Integer(), nullable=False),
    sa.Column('officer_user_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('search', sa.String(length=512), nullable=False),
    sa.Column('created_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['officer_user_id'], ['users.id'], name=op.f('fk_households_officer_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households')),
    sa.UniqueConstraint('ward', 'code', name=op.f('uq_households_ward'))
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_officer_user_id'), ['officer_user_id'], unique=False)
        batch_op.create_index('ix_households_ward_category', ['ward', 'category'], unique=False)

    op.create_table('officer_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('wards', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_by', sa.Integer(), nullable=True),
    sa.Column('used_at', db.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_officer_invites_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['used_by'], ['users.id'], name=op.f('fk_officer_invites_used_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer_invites')),
    sa.UniqueConstraint('code', name=op.f('uq_officer_invites_code'))
    )
    op.create_table('officer_wards',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ward', sa.String(length=64), nullable=False),
    sa.Column('granted_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_officer_wards_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'ward', name=op.f('pk_officer_wards'))
    )
    op.create_table('household_category_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('ward', sa.String(length=64), nullable=False),
    sa.Column('from_category', sa.String(length=16), nullable=False),
    sa.Column('to_category', sa.String(length=16), nullable=False),
    sa.Column('changed_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_household_category_changes_actor_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_category_changes_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_category_changes'))
    )
    with op.batch_alter_table('household_category_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_category_changes_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_household_category_changes_time_ward', ['changed_at', 'ward'], unique=False)

    op.create_table('household_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('ward', sa.String(length=64), nullable=False),
    sa.Column('officer_user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('proposed_category', sa.String(length=16), nullable=True),
    sa.Column('photo_file_id', sa.String(length=256), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('visited_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_visits_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['officer_user_id'], ['users.id'], name=op.f('fk_household_visits_officer_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_visits'))
    )
    with op.batch_alter_table('household_visits', schema=None) as batch_op:
        batch_op.create_index('ix_household_visits_household_time', ['household_id', 'visited_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_visits_officer_user_id'), ['officer_user_id'], unique=False)
        batch_op.create_index('ix_household_visits_time_ward', ['visited_at', 'ward'], unique=False)

    op.create_table('officer_handled_assessments',
    sa.Column('shared_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('handled_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shared_id'], ['shared_assessments.id'], name=op.f('fk_officer_handled_assessments_shared_id_shared_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_officer_handled_assessments_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('shared_id', name=op.f('pk_officer_handled_assessments'))
    )
    op.create_table('officer_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=160), nullable=True),
    sa.Column('due_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('sent_at', db.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', db.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', db.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_officer_reminders_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_officer_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer_reminders')),
    sa.UniqueConstraint('key', name=op.f('uq_officer_reminders_key'))
    )
    with op.batch_alter_table('officer_reminders', schema=None) as batch_op:
        batch_op.create_index('ix_officer_reminders_due', ['status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_officer_reminders_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_officer_reminders_user', ['user_id', 'status'], unique=False)


def downgrade() -> None:
    op.drop_table('officer_reminders')
    op.drop_table('officer_handled_assessments')
    op.drop_table('household_visits')
    op.drop_table('household_category_changes')
    op.drop_table('officer_wards')
    op.drop_table('officer_invites')
    op.drop_table('households')
