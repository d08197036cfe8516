"""broadcasts: subscriptions, job board, job seekers, broadcasts, outbox media

Revision ID: 0004_broadcasts
Revises: 0001
Create Date: 2026-11-27 14:10:00
"""
from alembic import op
import sqlalchemy as sa
import db.models


revision = '0004_broadcasts'
down_revision = '0001'
branch_labels = None
depends_on = None

UTC = db.models.UTCDateTime(timezone=True)


def _user_fk(table: str, ondelete: str = 'CASCADE', column: str = 'user_id') -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ['users.id'], name=op.f(f'fk_{table}_{column}_users'),
                                   ondelete=ondelete)


def upgrade() -> None:
    op.create_table('outbox_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('mime_type', sa.String(length=100), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_media'))
    )
    op.create_table('subscriptions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ward', sa.String(length=64), nullable=True),
    sa.Column('category', sa.String(length=16), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    _user_fk('subscriptions'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_subscriptions'))
    )
    op.create_table('subscription_topics',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=16), nullable=False),
    _user_fk('subscription_topics'),
    sa.PrimaryKeyConstraint('user_id', 'topic', name=op.f('pk_subscription_topics'))
    )
    with op.batch_alter_table('subscription_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscription_topics_topic'), ['topic'], unique=False)
    op.create_table('job_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('employer', sa.String(length=200), nullable=False),
    sa.Column('workplace', sa.String(length=300), nullable=False),
    sa.Column('ward', sa.String(length=64), nullable=True),
    sa.Column('trade', sa.String(length=32), nullable=False),
    sa.Column('wage_min', sa.BigInteger(), nullable=True),
    sa.Column('wage_max', sa.BigInteger(), nullable=True),
    sa.Column('requirements', sa.Text(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    _user_fk('job_notices', 'SET NULL', 'created_by'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_notices'))
    )
    with op.batch_alter_table('job_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_notices_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_notices_trade'), ['trade'], unique=False)
    op.create_table('job_seekers',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('trade', sa.String(length=32), nullable=False),
    sa.Column('ward', sa.String(length=64), nullable=True),
    sa.Column('availability', sa.String(length=16), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    _user_fk('job_seekers'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_job_seekers'))
    )
    op.create_table('broadcasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender_user_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=True),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('scheduled_at', UTC, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('progress_step', sa.Integer(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('started_at', UTC, nullable=True),
    sa.Column('finished_at', UTC, nullable=True),
    sa.ForeignKeyConstraint(['media_id'], ['outbox_media.id'], name=op.f('fk_broadcasts_media_id_outbox_media'), ondelete='SET NULL'),
    _user_fk('broadcasts', 'SET NULL', 'sender_user_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcasts'))
    )
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcasts_sender_user_id'), ['sender_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_broadcasts_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcasts_status'))
        batch_op.drop_index(batch_op.f('ix_broadcasts_sender_user_id'))
    op.drop_table('broadcasts')
    op.drop_table('job_seekers')
    with op.batch_alter_table('job_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_notices_trade'))
        batch_op.drop_index(batch_op.f('ix_job_notices_deadline'))
    op.drop_table('job_notices')
    with op.batch_alter_table('subscription_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscription_topics_topic'))
    op.drop_table('subscription_topics')
    op.drop_table('subscriptions')
    op.drop_table('outbox_media')
