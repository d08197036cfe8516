"""Query functions for users, their dialog state, repeated deliveries, consent and the audit log.

Every function takes the event's session; none commits (the core commits once per event).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditLog, Consent, DialogState, ProcessedUpdate, User
from domain.roles import OFFICERS


async def user_and_state(
    session: AsyncSession, channel: str, external_id: str
) -> tuple[User, DialogState | None] | None:
    """The user and their dialog state in one round trip, the user row locked (PostgreSQL)."""
    query = (
        select(User, DialogState)
        .outerjoin(DialogState, DialogState.user_id == User.id)
        .where(User.channel == channel, User.external_id == external_id)
        .with_for_update(of=User)
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row is not None else None


async def find_user(session: AsyncSession, channel: str, external_id: str) -> User | None:
    """The user with a row lock (PostgreSQL), so other processes wait for this event to finish."""
    query = select(User).where(User.channel == channel, User.external_id == external_id)
    return (await session.execute(query.with_for_update())).scalar_one_or_none()


async def get_or_create_user(
    session: AsyncSession, channel: str, external_id: str, chat_id: str, role: str, now: datetime
) -> tuple[User, bool]:
    """Find the user, or create them (role from configuration). Returns (user, created)."""
    user = await find_user(session, channel, external_id)
    if user is not None:
        return user, False
    user = User(
        channel=channel, external_id=external_id, chat_id=chat_id, role=role, created_at=now
    )
    try:
        async with session.begin_nested():
            session.add(user)
    except IntegrityError:  # another process created them a moment ago
        found = await find_user(session, channel, external_id)
        assert found is not None
        return found, False
    return user, True


async def load_state(session: AsyncSession, user: User, now: datetime) -> DialogState:
    state = await session.get(DialogState, user.id)
    if state is None:
        state = DialogState(user_id=user.id, data={}, stack=[], offered=[], updated_at=now)
        session.add(state)
    return state


async def first_delivery(
    session: AsyncSession, channel: str, update_id: str, now: datetime
) -> bool:
    """Record a delivery; False when it was already processed (a platform retry).

    One INSERT … ON CONFLICT DO NOTHING: no read first, no savepoint, and two processes racing
    on the same delivery cannot both win.
    """
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(ProcessedUpdate)
        .values(channel=channel, update_id=update_id, processed_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "update_id"])
    )
    return bool((await session.execute(statement)).rowcount)


async def prune_deliveries(session: AsyncSession, older_than: datetime) -> int:
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < older_than)
    )
    return result.rowcount or 0


async def keep_replies(
    session: AsyncSession, channel: str, update_id: str, sender: str, replies: list[Any]
) -> None:
    """Keep the answer to a delivery, so a retry by the same sender gets it again."""
    await session.execute(
        update(ProcessedUpdate)
        .where(ProcessedUpdate.channel == channel, ProcessedUpdate.update_id == update_id)
        .values(sender=sender, replies=replies)
    )


async def kept_replies(
    session: AsyncSession, channel: str, update_id: str, sender: str
) -> list[Any]:
    """The answer kept for a delivery, for its own sender only ([] when none was kept)."""
    found = await session.scalar(
        select(ProcessedUpdate.replies).where(
            ProcessedUpdate.channel == channel, ProcessedUpdate.update_id == update_id,
            ProcessedUpdate.sender == sender,
        )
    )
    return list(found or [])


async def forget_replies(session: AsyncSession, older_than: datetime) -> None:
    """Kept answers may hold what a person told the bot: they are kept for an hour only."""
    await session.execute(
        update(ProcessedUpdate)
        .where(ProcessedUpdate.processed_at < older_than, ProcessedUpdate.replies.is_not(None))
        .values(sender=None, replies=None)
    )


async def grant_consent(session: AsyncSession, user: User, purpose: str, now: datetime) -> None:
    """Record consent to `purpose` (once; granting again keeps the first time)."""
    current = await active_consent(session, user, purpose)
    if current is None:
        session.add(Consent(user_id=user.id, purpose=purpose, granted_at=now))
    if user.consent_at is None:
        user.consent_at = now


async def active_consent(session: AsyncSession, user: User, purpose: str) -> Consent | None:
    query = select(Consent).where(
        Consent.user_id == user.id, Consent.purpose == purpose, Consent.withdrawn_at.is_(None)
    )
    return (await session.execute(query)).scalars().first()


async def consents(session: AsyncSession, user: User) -> list[Consent]:
    query = select(Consent).where(Consent.user_id == user.id).order_by(Consent.granted_at)
    return list((await session.execute(query)).scalars())


async def audit(
    session: AsyncSession,
    actor: User | None,
    action: str,
    entity: str,
    entity_id: Any,
    now: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Write one audit row: who did what to which record, with before and after."""
    session.add(
        AuditLog(
            actor_user_id=actor.id if actor else None,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            before=before,
            after=after,
            at=now,
        )
    )


async def delete_user(session: AsyncSession, user: User) -> None:
    """Remove the user row; dialog state and consents go with it (ON DELETE CASCADE)."""
    await session.execute(delete(DialogState).where(DialogState.user_id == user.id))
    await session.execute(delete(Consent).where(Consent.user_id == user.id))
    await session.delete(user)


def stale(state: DialogState, now: datetime, minutes: int) -> bool:
    return now - state.updated_at > timedelta(minutes=minutes)


# --- admins from ADMIN_IDS ---------------------------------------------------------------------

CONFIGURED = "admin.configured"


async def admin_by_invite(session: AsyncSession, user: User) -> bool:
    """Whether the person's admin role was granted in the app (an invite), not by ADMIN_IDS:
    the latest audit row that made them an admin tells."""
    rows = await session.execute(
        select(AuditLog.action, AuditLog.after)
        .where(AuditLog.entity == "user", AuditLog.entity_id == str(user.id))
        .order_by(AuditLog.id.desc())
    )
    for action, after in rows:
        if action == CONFIGURED:
            return False
        if isinstance(after, dict) and after.get("role") == "admin":
            return True
    return False


async def sync_configured_admin(
    session: AsyncSession, user: User, configured: bool, now: datetime
) -> bool:
    """ADMIN_IDS is the source of truth for configured admins: promote a listed person, demote
    one no longer listed (unless made admin in the app), both audited. True when changed."""
    if configured and user.role != "admin":
        before, user.role = user.role, "admin"
        await audit(session, None, CONFIGURED, "user", user.id, now,
                    before={"role": before}, after={"role": "admin"})
        return True
    if configured or user.role != "admin" or await admin_by_invite(session, user):
        return False
    from db.officers.roster import OfficerWard  # db.officers builds on this module

    has_wards = await session.scalar(
        select(OfficerWard.user_id).where(OfficerWard.user_id == user.id).limit(1))
    user.role = "officer" if has_wards else "citizen"
    await audit(session, None, "admin.demote", "user", user.id, now,
                before={"role": "admin"}, after={"role": user.role, "reason": "not in ADMIN_IDS"})
    return True


async def sync_configured_admins(
    session: AsyncSession, admins: frozenset[tuple[str, str]], now: datetime
) -> int:
    """At start-up: every stored admin checked against ADMIN_IDS; returns how many changed."""
    stored = (await session.execute(select(User).where(User.role == "admin"))).scalars()
    changed = 0
    for user in list(stored):
        changed += await sync_configured_admin(
            session, user, (user.channel, user.external_id) in admins, now)
    for channel, external_id in admins:
        user = await session.scalar(select(User).where(
            User.channel == channel, User.external_id == external_id))
        if user is not None and user.role != "admin":
            changed += await sync_configured_admin(session, user, True, now)
    return changed


# --- what else a person leaves behind (for /xoadulieu) ----------------------------------------


async def delete_traces(session: AsyncSession, user: User) -> int:
    """Messages waiting for or sent to the person (outbox, delivery records, the web inbox),
    kept answers and delivery ids that name their chat, and audit rows about them or written
    by them about themselves. Audit rows of their work on the ward's records stay (the actor
    link is cleared when the user row goes). Returns how many rows went."""
    from db.models import OutboxMessage, WebInboxMessage

    removed = 0
    statements = [
        delete(OutboxMessage).where(
            (OutboxMessage.user_id == user.id)
            | ((OutboxMessage.channel == user.channel) & (OutboxMessage.chat_id == user.chat_id))),
        delete(ProcessedUpdate).where(ProcessedUpdate.channel == user.channel,
                                      ProcessedUpdate.sender == user.external_id),
        delete(AuditLog).where(
            ((AuditLog.entity == "user") & (AuditLog.entity_id == str(user.id)))
            | ((AuditLog.actor_user_id == user.id) & AuditLog.entity.in_(OWN_RECORDS))),
    ]
    if user.channel == "web":  # the browser's id is in its delivery ids and its inbox
        statements += [
            delete(WebInboxMessage).where(WebInboxMessage.chat_id == user.chat_id),
            delete(ProcessedUpdate).where(ProcessedUpdate.channel == "web",
                                          ProcessedUpdate.update_id.startswith(
                                              f"{user.external_id}/", autoescape=True)),
        ]
    for statement in statements:
        removed += (await session.execute(statement)).rowcount or 0
    return removed


# audit entities that are the person's own records (not the ward's): their rows go with them
# (wrong invite codes stay: they hold no personal data, and they keep the guessing limits)
OWN_RECORDS = ("course_registration", "subscription", "job_seeker", "consent")


# --- who blocked the bot, and who has a command list of their own (the channels) --------------


async def privileged_chats(session: AsyncSession, channel: str) -> list[tuple[str, str]]:
    """(chat id, role) of the officers and admins on `channel`, for their own command lists."""
    rows = await session.execute(
        select(User.chat_id, User.role).where(User.channel == channel,
                                              User.role.in_(sorted(OFFICERS))))
    return [(chat_id, role) for chat_id, role in rows]


async def mark_chat_blocked(session: AsyncSession, channel: str, chat_id: str,
                            now: datetime) -> None:
    """The person of this chat blocked the bot (the core clears it when they write again)."""
    await session.execute(update(User).where(User.channel == channel, User.chat_id == chat_id)
                          .values(blocked_at=now))


async def mark_blocked(session: AsyncSession, user_ids: list[int], now: datetime) -> None:
    """These people blocked the bot (outbox delivery learnt it); an earlier date stays."""
    await session.execute(update(User).where(User.id.in_(user_ids), User.blocked_at.is_(None))
                          .values(blocked_at=now))


async def blocked_among(session: AsyncSession, user_ids: list[int]) -> set[int]:
    """Which of these people have blocked the bot."""
    if not user_ids:
        return set()
    query = select(User.id).where(User.id.in_(user_ids), User.blocked_at.is_not(None))
    return set((await session.execute(query)).scalars())
