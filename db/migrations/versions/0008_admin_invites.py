"""admin invites: an invite code may make its user an admin (the labour office)

Revision ID: 0008_admin_invites
Revises: 0007_assessment_runs
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_admin_invites"
down_revision = "0007_assessment_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("officer_invites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=16), server_default="officer", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("officer_invites", schema=None) as batch_op:
        batch_op.drop_column("role")
