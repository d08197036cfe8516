"""stored replies: a retried web chat message gets the answer it missed; wrong invite codes
are counted by action and time

Revision ID: 0009_stored_replies
Revises: 0008_admin_invites
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_stored_replies"
down_revision = "0008_admin_invites"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sender", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("replies", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_processed_updates_sender"), ["sender"],
                              unique=False)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_action_at", ["action", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_action_at")
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_updates_sender"))
        batch_op.drop_column("replies")
        batch_op.drop_column("sender")
