"""What `giamngheo run --demo` writes beyond the example data (bot/demo.py): the role switcher."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import User
from db.officers.roster import OfficerWard, wards_of
from db.users import audit


async def switch_role(session: AsyncSession, user: User, role: str, ward: str,
                      now: datetime) -> None:
    """The person becomes `role`, an officer of `ward` only; audited as "demo.role"."""
    before = {"role": user.role, "wards": await wards_of(session, user.id)}
    await session.execute(delete(OfficerWard).where(OfficerWard.user_id == user.id))
    if role == "officer":
        session.add(OfficerWard(user_id=user.id, ward=ward, granted_at=now))
    user.role = role
    after = {"role": role, "wards": [ward] if role == "officer" else []}
    await audit(session, user, "demo.role", "user", user.id, now, before=before, after=after)
