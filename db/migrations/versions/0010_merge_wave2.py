"""merge the second wave's side-by-side revisions into one head, so `make migration` has one parent

Revision ID: 0010_merge_wave2
Revises: 0008_year_targets, 0009_stored_replies
"""

revision = "0010_merge_wave2"
down_revision = ("0008_year_targets", "0009_stored_replies")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
