"""assessment runs: count a self-assessment once even if confirmed again after going back

Revision ID: 0007_assessment_runs
Revises: 0006_web_inbox
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_assessment_runs"
down_revision = "0006_web_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_runs",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_assessment_runs")),
    )
    with op.batch_alter_table("assessment_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_runs_day"), ["day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assessment_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_runs_day"))
    op.drop_table("assessment_runs")
