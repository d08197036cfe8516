"""The core: how one incoming event travels, from any channel, to its replies.

One event, one database session, one transaction: find or create the user → drop a repeated
delivery → global commands → the active dialog's step, or the router for buttons and free text →
commit → the adapter sends the replies. One user's events are handled strictly in order (a lock
per user here, a row lock on the user in PostgreSQL across processes); different users run
concurrently. Nothing a user sends raises out of `Core.handle`: an unexpected error is logged
without personal data, the transaction is rolled back (so the dialog state is as it was), and
the user gets a short apology and the menu.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations import payloads
from conversations.context import Ctx
from conversations.engine import CANCEL, RESTART, RESUME, Step, Stepper
from db import users as repo
from db.outbox import payload_to_reply, reply_to_payload
from domain.i18n import N_, pick_locale
from domain.messages import Incoming, Kind, Reply
from handlers import menu, typed
from handlers.flood import SEARCH_COST, TokenBuckets, Verdict, cost_of

if TYPE_CHECKING:
    from bot.settings import Settings
    from domain.i18n import Translator
    from handlers.registry import Registry
    from handlers.services import Services

log = logging.getLogger("giamngheo.core")

MAX_PAYLOAD_BYTES = payloads.MAX_BYTES
MAX_FREE_TEXT = 300
REPLAYED_CHANNELS = frozenset({"web"})  # clients that retry a message and need its answer
FLOOD_NOTICE = N_("You are sending messages very fast. Please wait a minute, then try again.")
# Commands that keep the question active: help explains it, cancel ends it. Any other command
# pauses the dialog, so what the person types next goes to the router.
KEEP_DIALOG_ACTIVE = frozenset({"trogiup", "huy"})
STRONG_QUESTION = 60.0  # a free-text route's score (0-100) that makes text a question


class KeyedLocks:
    """One asyncio.Lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[object, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: object) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class Core:
    """The channel-neutral entry point (`domain.messages.Handler`)."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        registry: Registry,
        services: Services,
        settings: Settings,
        catalogs: dict[str, Translator],
    ) -> None:
        self.sessions = sessions
        self.registry = registry
        self.services = services
        self.settings = settings
        self.catalogs = catalogs
        self.stepper = Stepper(registry.dialogs, menu.main_menu, menu.resume_offer)
        self._locks = KeyedLocks()
        self._repeats: dict[tuple[str, str], list[Reply]] = {}  # under the person's lock
        self.flood = TokenBuckets(settings.flood_burst, settings.flood_per_minute)

    async def handle(self, event: Incoming) -> list[Reply]:
        try:
            event = payloads.clean_event(event)
            verdict = self.flood.admit((event.channel, event.user_id), cost_of(event))
        except Exception as exc:  # noqa: BLE001 - nothing raises out of the core, ever
            _log_failure(event, exc)
            return await self._apology(event)
        if verdict is not Verdict.PASS:
            return self._flood_notice(event) if verdict is Verdict.NOTICE else []
        async with self._locks.hold((event.channel, event.user_id)):
            try:
                replies = await self._process(event)
                _check_payloads(replies)
            except Exception as exc:  # noqa: BLE001 - the user must always get an answer
                _log_failure(event, exc)
                return await self._apology(event)
        return replies

    def _flood_notice(self, event: Incoming) -> list[Reply]:
        """Once per flood: a short notice (no database work); later events are dropped."""
        log.info("flood: events dropped until calm channel=%s", event.channel)
        locale = pick_locale(None, event.language, self.settings.locale, set(self.catalogs))
        return [Reply(self.catalogs[locale].gettext(FLOOD_NOTICE))]

    async def _role_changed(self, event: Incoming, role: str) -> None:
        """After a committed role change (e.g. /canbo CODE), show that role's commands in the
        person's chat, where the channel has per-chat command lists (Telegram; the others do
        nothing)."""
        channel = self.services.outbound.get(event.channel)
        if channel is None:
            return
        try:
            await channel.set_chat_commands(event.chat_id, role)
        except Exception as exc:  # noqa: BLE001 - a stale command list is not worth failing for
            log.warning("command list not updated channel=%s error=%s", event.channel,
                        type(exc).__name__)

    @asynccontextmanager
    async def context(self, event: Incoming) -> AsyncIterator[Ctx | None]:
        """Open the event's session and transaction and build its context (None: a repeat)."""
        now = self.services.clock()
        async with self.sessions() as session, session.begin():
            admin = (event.channel, event.user_id) in self.settings.admins
            found = await repo.user_and_state(session, event.channel, event.user_id)
            if found is None:
                user, _ = await repo.get_or_create_user(
                    session, event.channel, event.user_id, event.chat_id,
                    "admin" if admin else "citizen", now,
                )
                state = None
            else:
                user, state = found
            if event.update_id and not await repo.first_delivery(
                session, event.channel, event.update_id, now
            ):
                self._repeats[(event.channel, event.user_id)] = await self._kept_replies(
                    session, event)
                yield None
                return
            if admin != (user.role == "admin"):  # ADMIN_IDS changed, or an invited admin
                await repo.sync_configured_admin(session, user, admin, now)
            if user.blocked_at is not None:  # they wrote again, so they unblocked the bot
                user.blocked_at = None
            if user.chat_id != event.chat_id:
                user.chat_id = event.chat_id
            if state is None:
                state = await repo.load_state(session, user, now)
            yield self._ctx(session, user, state, event, now)

    async def _checkpoint(self) -> None:
        """SQLite: copy the WAL into the database file and empty it (secure_delete is on, so the
        deleted rows are overwritten there)."""
        async with self.sessions() as session:
            if session.bind.dialect.name != "sqlite":
                return
            try:  # outside any transaction (SQLite refuses to checkpoint inside one)
                connection = await session.connection()
                raw = await connection.get_raw_connection()
                driver = raw.driver_connection
                if driver.in_transaction:  # BEGIN may be sent lazily
                    await (await driver.execute("COMMIT")).close()
                # closed, not left to the garbage collector: an open statement on the
                # connection makes the next COMMIT fail ("SQL statements in progress")
                await (await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")).close()
            except Exception as exc:  # noqa: BLE001 - the deletion itself is committed
                log.warning("checkpoint after a deletion failed error=%s", type(exc).__name__)

    async def _kept_replies(self, session: AsyncSession, event: Incoming) -> list[Reply]:
        if event.channel not in REPLAYED_CHANNELS or not event.update_id:
            return []
        kept = await repo.kept_replies(session, event.channel, event.update_id, event.user_id)
        return [payload_to_reply(item) for item in kept]

    def _repeat_replies(self, event: Incoming) -> list[Reply]:
        return self._repeats.pop((event.channel, event.user_id), [])

    async def _keep_replies(self, ctx: Ctx, replies: list[Reply]) -> None:
        """Where the client retries a message it got no answer to (the web chat), keep the
        answer with the delivery, in the same transaction, so the retry gets it."""
        event = ctx.event
        if event.channel in REPLAYED_CHANNELS and event.update_id and replies:
            # without images and files: the retry gets their captions (they are large)
            kept = [reply_to_payload(Reply(r.text, r.choices)) for r in replies]
            await repo.keep_replies(ctx.session, event.channel, event.update_id, event.user_id,
                                    kept)

    def _ctx(self, session, user, state, event, now) -> Ctx:  # type: ignore[no-untyped-def]
        locale = pick_locale(user.locale, event.language, self.settings.locale, set(self.catalogs))
        return Ctx(
            session=session, user=user, state=state, event=event, locale=locale,
            translator=self.catalogs[locale], settings=self.settings, registry=self.registry,
            services=self.services, dialogs=self.stepper, now=now,
        )

    async def _process(self, event: Incoming) -> list[Reply]:
        after_commit: list[Callable[[], Awaitable[None]]] = []  # per event, never shared
        replies = await self._process_in_transaction(event, after_commit)
        for task in after_commit:
            await task()
        return replies

    async def _process_in_transaction(
        self, event: Incoming, after_commit: list[Callable[[], Awaitable[None]]]
    ) -> list[Reply]:
        async with self.context(event) as ctx:
            if ctx is None:
                log.info("repeated delivery dropped channel=%s", event.channel)
                return self._repeat_replies(event)
            before = (ctx.state.dialog, ctx.state.step, ctx.state.offered)
            role = ctx.user.role
            replies = await self._route(ctx, typed.as_command(event))
            if ctx.user in ctx.session.deleted or sa_inspect(ctx.user).deleted:  # /xoadulieu
                after_commit.append(self._checkpoint)
            else:
                await self._keep_replies(ctx, replies)
            if ctx.user.role != role:
                new_role = ctx.user.role
                after_commit.append(lambda: self._role_changed(event, new_role))
            typed.remember_offered(ctx, replies)
            if (ctx.state.dialog, ctx.state.step, ctx.state.offered) != before or ctx.state.dialog:
                ctx.state.updated_at = ctx.now
            # DEBUG, not INFO: `giamngheo run` logs at INFO, and a line per event is formatted
            # and written for every message; failures and repeats keep their levels.
            log.debug(
                "event channel=%s kind=%s dialog=%s step=%s replies=%d",
                event.channel, event.kind, ctx.state.dialog, ctx.state.step, len(replies),
            )
            return replies

    async def _route(self, ctx: Ctx, event: Incoming) -> list[Reply]:
        step = self.stepper.current_step(ctx)
        if event.choice is not None and not payloads.well_formed(event.choice):
            return await self._stale_button(ctx, step)  # forged or from an old version
        if event.kind == Kind.TEXT:
            event = typed.interpret_text(ctx, event)
            ctx.event = event
        if event.kind == Kind.COMMAND:
            if step is not None and (event.command or "").lower() not in KEEP_DIALOG_ACTIVE:
                self.stepper.pause(ctx)  # free text now goes to the router, not the question
            return await self._command(ctx, event)
        coming_back = step is not None and repo.stale(
            ctx.state, ctx.now, self.settings.resume_after_minutes
        )
        if coming_back and not (event.choice or "").startswith("nav:"):
            self.stepper.pause(ctx)
            return menu.resume_offer(ctx)
        if event.choice:
            return await self._choice(ctx, event)
        if step is not None and not self.stepper.paused(ctx):
            return await self._answer(ctx, step, event)
        if event.kind == Kind.TEXT and event.text.strip():
            return await self._free_text(ctx, event.text)
        note = ctx._("Sorry, I can only read text messages. Please choose from the menu.")
        return [menu.main_menu(ctx, note)]

    async def _answer(self, ctx: Ctx, step: Step, event: Incoming) -> list[Reply]:
        """The active question's answer: one input, several ticks at once, or digits that are
        the answer or else the number of a listed choice."""
        if event.kind == Kind.UNSUPPORTED:
            note = ctx._("Sorry, I can only read text here. Please answer the question below.")
            return await self.stepper.ask(ctx, [Reply(note)])
        if step.multi and event.kind == Kind.TEXT:
            picked = typed.several_choices(ctx, event)
            if picked:
                return await self.stepper.answer_many(ctx, picked)
        return await self.stepper.answer(
            ctx, event, fallback=typed.numbered_choice(ctx, step, event), aside=self._aside)

    async def _aside(self, ctx: Ctx, text: str) -> Reply | None:
        """Typed text the question cannot use that is clearly a question of its own (a strong
        match for a free-text route, or a "?"): say where the person is and how to ask it."""
        best = 0.0
        for route in self.registry.text_routes:
            best = max(best, await route.match(ctx, text))
        if best < STRONG_QUESTION and not text.rstrip().endswith("?"):
            return None
        dialog = self.stepper.active(ctx)
        title = ctx._(dialog.title) if dialog else ""
        return Reply(ctx._(
            "You are in the middle of: {title}. To ask something else, type /menu and then "
            "your question; /huy stops. Or answer the question below.", title=title))

    async def _command(self, ctx: Ctx, event: Incoming) -> list[Reply]:
        name = (event.command or "").lower()
        command = self.registry.commands.get(name)
        if command is None:
            note = ctx._("I don't know the command /{name}.", name=name)
            return [menu.main_menu(ctx, note)]
        if ctx.user.role not in command.roles:
            note = ctx._("This command is only for ward officers and the labour office.")
            return [menu.main_menu(ctx, note)]
        return await command.action(ctx, event.text.strip())

    async def _choice(self, ctx: Ctx, event: Incoming) -> list[Reply]:
        payload = event.choice or ""
        if payload == CANCEL:
            return menu.cancelled(ctx)
        if payload == RESUME:  # "Continue": the dialog may have ended meanwhile (another tab)
            return await self.stepper.resume(ctx) or await self._stale_button(ctx, None)
        if payload == RESTART and ctx.state.dialog:
            return await self.stepper.start(ctx, ctx.state.dialog, fresh=True)
        if payload.startswith("menu:"):
            return await menu.open_item(ctx, menu.MenuButton.unpack(payload))
        action = self.registry.choice_prefixes.get(payload.partition(":")[0])
        if action is not None:
            return await action(ctx, payload)
        if self.stepper.current_step(ctx) is not None:
            self.stepper.unpause(ctx)  # a button of the paused question: they went back to it
            return await self.stepper.answer(ctx, event)
        note = ctx._("That button is no longer in use. Here is the menu.")
        return [menu.main_menu(ctx, note)]

    async def _stale_button(self, ctx: Ctx, step: object) -> list[Reply]:
        if step is None:
            note = ctx._("That button is no longer in use. Here is the menu.")
            return [menu.main_menu(ctx, note)]
        note = ctx._("That button is no longer in use. Please answer the question below.")
        return await self.stepper.ask(ctx, [Reply(note)])

    async def _free_text(self, ctx: Ctx, text: str) -> list[Reply]:
        text = text[:MAX_FREE_TEXT]  # a question or a name, not a page: bounded work per route
        best, best_score = None, 0.0
        for route in self.registry.text_routes:
            score = await route.match(ctx, text)
            if score > best_score:
                best, best_score = route, score
        if best is not None:
            self.flood.charge((ctx.event.channel, ctx.event.user_id), SEARCH_COST - 1)
            return await best.action(ctx, text)
        return [menu.main_menu(ctx, menu.not_understood(ctx))]

    async def _apology(self, event: Incoming) -> list[Reply]:
        """A short apology and the menu, in a fresh transaction; plain text if even that fails."""
        try:
            async with self.context(event) as ctx:
                if ctx is None:
                    return []
                note = ctx._("Sorry, something went wrong on our side. Your answers are kept.")
                return [menu.main_menu(ctx, note)]
        except Exception as exc:  # noqa: BLE001
            _log_failure(event, exc)
            catalog = self.catalogs.get(self.settings.locale)
            text = "Sorry, something went wrong on our side. Please try again later."
            return [Reply(catalog.gettext(text) if catalog else text)]


def _check_payloads(replies: list[Reply]) -> None:
    for reply in replies:
        for choice in reply.choices:
            if not payloads.well_formed(choice.payload):  # it would come back as stale
                raise ValueError(f"choice payload over {MAX_PAYLOAD_BYTES} bytes or not ASCII")


def _log_failure(event: Incoming, exc: BaseException) -> None:
    """Log the error's type and where it happened, never its message (it may hold user data)."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error(
        "event failed channel=%s kind=%s error=%s\n%s",
        event.channel, event.kind, type(exc).__name__, frames,
    )
