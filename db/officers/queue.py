"""Which shared self-assessments an officer has dealt with (`officer_handled_assessments`), and
the queue of those still waiting for the wards' officers (/hangdoi)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, SharedAssessment, User
from db.users import audit


class HandledAssessment(Base):
    """A shared self-assessment an officer has dealt with (contacted the household)."""

    __tablename__ = "officer_handled_assessments"

    shared_id: Mapped[int] = mapped_column(
        ForeignKey("shared_assessments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime]


async def assessment_queue(
    session: AsyncSession, ward_names: Sequence[str] | None, limit: int, offset: int
) -> tuple[list[tuple[SharedAssessment, datetime | None]], int]:
    """Shared results for these ward names (as households chose them), not yet dealt with or
    changed since: newest first, with when they were handled (None: never)."""
    handled = HandledAssessment
    waiting = (handled.handled_at.is_(None)) | (
        SharedAssessment.reassessed_at.is_not(None)
        & (SharedAssessment.reassessed_at > handled.handled_at)
    )
    base = select(SharedAssessment, handled.handled_at).outerjoin(
        handled, handled.shared_id == SharedAssessment.id
    ).where(waiting)
    counted = select(func.count()).select_from(SharedAssessment).outerjoin(
        handled, handled.shared_id == SharedAssessment.id
    ).where(waiting)
    if ward_names is not None:
        base = base.where(SharedAssessment.ward.in_(list(ward_names)))
        counted = counted.where(SharedAssessment.ward.in_(list(ward_names)))
    total = (await session.execute(counted)).scalar_one()
    newest = func.coalesce(SharedAssessment.reassessed_at, SharedAssessment.shared_at)
    rows = await session.execute(base.order_by(newest.desc(), SharedAssessment.id.desc())
                                 .limit(limit).offset(offset))
    return [(row[0], row[1]) for row in rows], total


async def mark_handled(
    session: AsyncSession, shared: SharedAssessment, actor: User, now: datetime
) -> None:
    row = await session.get(HandledAssessment, shared.id)
    before = {"handled_at": row.handled_at.isoformat()} if row else None
    if row is None:
        session.add(HandledAssessment(shared_id=shared.id, user_id=actor.id, handled_at=now))
    else:
        row.user_id, row.handled_at = actor.id, now
    await audit(session, actor, "assessment.handled", "shared_assessment", shared.id, now,
                before=before, after={"handled_at": now.isoformat()})
