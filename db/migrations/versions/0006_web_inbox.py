"""web inbox: messages waiting for a web-chat browser to poll

Revision ID: 0006_web_inbox
Revises: 0005_merge_features
"""

import sqlalchemy as sa
from alembic import op

import db.models

revision = "0006_web_inbox"
down_revision = "0005_merge_features"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", db.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_inbox")),
    )
    with op.batch_alter_table("web_inbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_inbox_chat_id"), ["chat_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_inbox_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_inbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_inbox_created_at"))
        batch_op.drop_index(batch_op.f("ix_web_inbox_chat_id"))
    op.drop_table("web_inbox")
