"""year targets: the year's poverty-reduction targets set by an admin (issue 14)

Revision ID: 0008_year_targets
Revises: 0007_assessment_runs
"""

import sqlalchemy as sa
from alembic import op

from db.models import UTCDateTime

revision = "0008_year_targets"
down_revision = "0007_assessment_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "year_targets",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("poor_rate_from", sa.Float(), nullable=False),
        sa.Column("poor_rate_to", sa.Float(), nullable=False),
        sa.Column("poor_reduce_by", sa.Integer(), nullable=False),
        sa.Column("near_rate_from", sa.Float(), nullable=False),
        sa.Column("near_rate_to", sa.Float(), nullable=False),
        sa.Column("near_reduce_by", sa.Integer(), nullable=False),
        sa.Column("new_houses", sa.Integer(), nullable=True),
        sa.Column("set_by_user_id", sa.Integer(), nullable=True),
        sa.Column("set_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_by_user_id"], ["users.id"],
            name=op.f("fk_year_targets_set_by_user_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_year_targets")),
    )


def downgrade() -> None:
    op.drop_table("year_targets")
