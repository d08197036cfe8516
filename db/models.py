"""SQLAlchemy models: every table the bot keeps, in one declarative base.

Times are stored as UTC (`UTCDateTime`), chat and user ids as text (Zalo's are not integers).
Schema changes go through Alembic (db/migrations); keep this file and the migrations in step.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on both engines (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    """A person on one channel (the same person on Telegram and Zalo is two users)."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16), default="citizen")
    ward: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    consent_at: Mapped[datetime | None]
    blocked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class DialogState(Base):
    """Where a user is: the active dialog and step, its answers, back-stack and last buttons."""

    __tablename__ = "dialog_states"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    dialog: Mapped[str | None] = mapped_column(String(64))
    step: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    stack: Mapped[list[Any]] = mapped_column(default=list)
    offered: Mapped[list[Any]] = mapped_column(default=list)
    updated_at: Mapped[datetime]


class ProcessedUpdate(Base):
    """Platform deliveries already handled, so a repeated delivery is dropped."""

    __tablename__ = "processed_updates"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(index=True)
    # The web chat retries a message whose answer it did not get (e.g. the server stopped
    # between saving and answering): the answer is kept, for its sender only, for a while.
    sender: Mapped[str | None] = mapped_column(String(128), index=True)
    replies: Mapped[list[Any] | None] = mapped_column(JSON)


class Consent(Base):
    """A user's consent to one purpose, with when it was given and, if so, withdrawn."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]


class AuditLog(Base):
    """Who did what, when, with the record before and after. Officer and admin actions."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity", "entity_id"),
        Index("ix_audit_log_action_at", "action", "at"),  # counting wrong invite codes
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)


class AssessmentTally(Base):
    """Anonymous self-assessment statistics: how many households of a ward got a category under
    a standard on a day. No user, no answers, no time of day, so no row leads back to a person.
    `ward` is "" when the household did not say."""

    __tablename__ = "assessment_tallies"
    __table_args__ = (UniqueConstraint("ward", "day", "standard_id", "category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ward: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    standard_id: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer, default=0)


class AssessmentRun(Base):
    """One random token per self-assessment run, so its result is counted once even when the
    household goes back and confirms again (the back-stack restores the run's answers, so a flag
    in them could not remember it). No link to any person; pruned after two days."""

    __tablename__ = "assessment_runs"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)


class SharedAssessment(Base):
    """A self-assessment the household agreed to share with its ward officers (their queue).

    Keeps the answers as given under `answered_standard_id`, so the result can be re-assessed
    when the standard in force changes: `standard_id`/`category` are the latest result,
    `previous_*` and `reassessed_at` record the last change, `notified_at` when the household
    was told about it.
    """

    __tablename__ = "shared_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    ward: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    phone: Mapped[str] = mapped_column(String(16))
    members: Mapped[int] = mapped_column(Integer)
    area: Mapped[str] = mapped_column(String(8))
    monthly_income: Mapped[int] = mapped_column(BigInteger)
    deprived: Mapped[list[Any]] = mapped_column(default=list)
    unknown: Mapped[list[Any]] = mapped_column(default=list)
    answered_standard_id: Mapped[str] = mapped_column(String(16))
    standard_id: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    shared_at: Mapped[datetime]
    reassessed_at: Mapped[datetime | None]
    previous_standard_id: Mapped[str | None] = mapped_column(String(16))
    previous_category: Mapped[str | None] = mapped_column(String(16))
    notified_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """One message to one recipient that the bot sends on its own (reminder, notice, broadcast).

    Written in the same transaction as what caused it, then delivered by bot/delivery.py under
    the channel's rate limit. `dedup_key` (unique) makes "never twice" a database guarantee:
    enqueueing the same reminder again is a no-op. `group_key` ties a broadcast's rows together.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    dedup_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    group_key: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))


class WebInboxMessage(Base):
    """A message the bot sent on its own to a web-chat browser, kept until the page fetches it
    (the page polls), so a restart in between loses nothing."""

    __tablename__ = "web_inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(128), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(index=True)
