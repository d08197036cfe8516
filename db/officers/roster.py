"""Who is an officer of which ward: the officers' wards (`officer_wards`), one-time invite codes
(`officer_invites`), joining with a code, listing officers and revoking them.

Functions take the event's session and do not commit; every change by a person writes an audit
row (`db.users.audit`) in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db.models import AuditLog, Base, User
from db.officers.visits import OfficerReminder
from db.users import audit

# Unambiguous when read aloud or typed on a phone: no 0/O, 1/I/L.
INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
INVITE_LENGTH = 8


class OfficerWard(Base):
    """An officer may see and change the households of this ward (a unit name of the current
    list in wards.yaml, e.g. "Phan Rang")."""

    __tablename__ = "officer_wards"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    ward: Mapped[str] = mapped_column(String(64), primary_key=True)
    granted_at: Mapped[datetime]


class OfficerInvite(Base):
    """A one-time code that makes whoever sends `/canbo CODE` an officer of `wards`, or an admin
    (the labour office) when `role` is "admin" (`giamngheo admin invite --admin`)."""

    __tablename__ = "officer_invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    wards: Mapped[list[Any]] = mapped_column(default=list)
    role: Mapped[str] = mapped_column(String(16), default="officer", server_default="officer")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None]


class InviteError(Exception):
    """An invite code cannot be used: `reason` is "unknown", "used", "expired", or
    "locked_person" / "locked_everyone" after too many wrong codes."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason



async def create_invite(
    session: AsyncSession, wards: Sequence[str], actor: User | None, now: datetime, days: int,
    role: str = "officer",
) -> OfficerInvite:
    """A fresh one-time code for `wards` (an officer) or for an admin (`role="admin"`, no
    wards: an admin sees every ward), valid for `days` days."""
    if role not in ("officer", "admin"):
        raise ValueError(f"an invite is for an officer or an admin, not {role!r}")
    code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    invite = OfficerInvite(
        code=code, wards=list(wards) if role == "officer" else [], role=role,
        created_by=actor.id if actor else None, created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(invite)
    await session.flush()
    await audit(session, actor, "invite.create", "officer_invite", invite.id, now,
                after={"role": role, "wards": list(invite.wards),
                       "expires_at": invite.expires_at.isoformat()})
    return invite


INVITE_WRONG_PER_PERSON = 5  # wrong codes in INVITE_LOCK, then the person is locked out
INVITE_LOCK = timedelta(hours=1)
INVITE_WRONG_EVERYONE = 30  # wrong codes from anyone in INVITE_WINDOW: everyone waits
INVITE_WINDOW = timedelta(minutes=10)


async def invite_lock(session: AsyncSession, user: User, now: datetime) -> str | None:
    """"person" when this person typed too many wrong codes lately, "everyone" when too many
    came from anyone (a guessing attack from many accounts), else None."""
    wrong = select(func.count()).select_from(AuditLog).where(AuditLog.action == "invite.wrong")
    mine = await session.scalar(wrong.where(AuditLog.actor_user_id == user.id,
                                            AuditLog.at > now - INVITE_LOCK))
    if (mine or 0) >= INVITE_WRONG_PER_PERSON:
        return "person"
    everyone = await session.scalar(wrong.where(AuditLog.at > now - INVITE_WINDOW))
    return "everyone" if (everyone or 0) >= INVITE_WRONG_EVERYONE else None


async def redeem_invite(session: AsyncSession, code: str, user: User, now: datetime) -> list[str]:
    """Make `user` an officer of the invite's wards, or an admin for an admin invite (then the
    list is empty: an admin sees every ward); InviteError when the code is not usable or the
    person (or everyone) is locked out after wrong codes. Every failed attempt is audited
    (the code typed is not: it may be someone's real code with a typo)."""
    locked = await invite_lock(session, user, now)
    if locked is not None:
        await audit(session, user, "invite.refused", "officer_invite", None, now,
                    after={"locked": locked})
        raise InviteError(f"locked_{locked}")
    query = select(OfficerInvite).where(OfficerInvite.code == code.strip().upper()[:16])
    invite = (await session.execute(query.with_for_update())).scalar_one_or_none()
    reason = ("unknown" if invite is None else "used" if invite.used_at is not None
              else "expired" if invite.expires_at <= now else None)
    if reason is not None:
        await audit(session, user, "invite.wrong", "officer_invite",
                    None if invite is None else invite.id, now, after={"reason": reason})
        raise InviteError(reason)
    assert invite is not None
    before = {"role": user.role, "wards": await wards_of(session, user.id)}
    invite.used_by, invite.used_at = user.id, now
    if invite.role == "admin":
        user.role = "admin"
        await audit(session, user, "admin.join", "user", user.id, now, before=before,
                    after={"role": "admin", "wards": before["wards"], "invite": invite.id})
        return []
    for ward in invite.wards:
        if ward not in before["wards"]:
            session.add(OfficerWard(user_id=user.id, ward=ward, granted_at=now))
    if user.role == "citizen":
        user.role = "officer"
    after = {"role": user.role, "wards": sorted({*before["wards"], *invite.wards})}
    await audit(session, user, "officer.join", "user", user.id, now, before=before, after=after)
    return list(invite.wards)


async def wards_of(session: AsyncSession, user_id: int) -> list[str]:
    query = select(OfficerWard.ward).where(OfficerWard.user_id == user_id).order_by(
        OfficerWard.ward
    )
    return list((await session.execute(query)).scalars())


async def officers(session: AsyncSession) -> list[tuple[User, list[str]]]:
    """Every officer and admin with their wards, oldest first."""
    query = select(User).where(User.role.in_(("officer", "admin"))).order_by(User.id)
    users = list((await session.execute(query)).scalars())
    rows = await session.execute(
        select(OfficerWard.user_id, OfficerWard.ward).order_by(OfficerWard.ward)
    )
    by_user: dict[int, list[str]] = {}
    for user_id, ward in rows:
        by_user.setdefault(user_id, []).append(ward)
    return [(user, by_user.get(user.id, [])) for user in users]


async def revoke_officer(
    session: AsyncSession, officer: User, actor: User | None, now: datetime
) -> None:
    """Take the officer role and every ward away; their open reminders go too."""
    before = {"role": officer.role, "wards": await wards_of(session, officer.id)}
    await session.execute(delete(OfficerWard).where(OfficerWard.user_id == officer.id))
    await session.execute(delete(OfficerReminder).where(OfficerReminder.user_id == officer.id))
    officer.role = "citizen"
    await audit(session, actor, "officer.revoke", "user", officer.id, now, before=before,
                after={"role": "citizen", "wards": []})


async def revoke_admin(
    session: AsyncSession, admin: User, actor: User | None, now: datetime
) -> None:
    """Take the admin role away (back to an officer of the wards they still hold, else a
    citizen), with an audit row."""
    wards = await wards_of(session, admin.id)
    before = {"role": admin.role, "wards": wards}
    admin.role = "officer" if wards else "citizen"
    await audit(session, actor, "admin.revoke", "user", admin.id, now, before=before,
                after={"role": admin.role, "wards": wards})


async def user_by_id(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def officer_ids(session: AsyncSession) -> list[int]:
    """Users who are officers of at least one ward."""
    query = select(OfficerWard.user_id).distinct().order_by(OfficerWard.user_id)
    return list((await session.execute(query)).scalars())



async def delete_officer_data(session: AsyncSession, user_id: int) -> int:
    """An officer's own rows (wards, reminders); visits and households stay with the ward."""
    removed = 0
    for model in (OfficerReminder, OfficerWard):
        result = await session.execute(delete(model).where(model.user_id == user_id))
        removed += result.rowcount or 0
    return removed
