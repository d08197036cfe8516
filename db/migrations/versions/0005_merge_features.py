"""Join the courses, officers and broadcasts revisions, written side by side on 0001.

Revision ID: 0005_merge_features
Revises: 0002_courses, 0003_officers, 0004_broadcasts
"""

revision = "0005_merge_features"
down_revision = ("0002_courses", "0003_officers", "0004_broadcasts")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
