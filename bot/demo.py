"""`giamngheo run --demo` (and `make demo`): the bot on a database of examples, to try every role.

The demo never touches the real database: it runs on its own SQLite file, DEMO_FILE under the
working directory, created afresh at every start, and refuses to start when DATABASE_URL names
that same file. Telegram and Zalo stay off (their users would meet example data), ADMIN_IDS is
ignored, and the shipped data files are used rather than DATA_DIR (the examples name the shipped
wards); the web chat is the demo.

The file is filled from the example files shipped in domain/data/, in the same formats the
labour office imports (`giamngheo admin import …`), so they double as templates:
    courses_example.csv     vocational courses; when its dates are near or past, the demo
                            moves them all by the same number of days, so the first course
                            starts DEMO_DEADLINE_DAYS from today
    jobs_example.csv        job notices; the demo sets their deadline to DEMO_DEADLINE_DAYS
                            from today (the file leaves it empty), so they are always open
    households_example.csv  households on the wards' lists
    visits_example.csv      visits to them, dated "so many days before the demo starts"
Every item says "(ví dụ)" in its name or note.

The web chat page asks GET /api/demo; in a demo it shows a banner and a role switcher (a
household, an officer of DEMO_WARD, the labour office as admin) that POSTs /api/demo/role. Outside
a demo those routes do not exist.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.settings import Settings, SettingsError, load_settings
from db.engine import normalise_database_url, sqlite_file
from domain.i18n import N_
from domain.tables import read_table

DEMO_FILE = Path("var") / "giamngheo-demo.db"
DEMO_WARD = "Phan Rang"
DEMO_DEADLINE_DAYS = 30
DEMO_OFFICER = "vidu-can-bo-phuong"  # the example officer who made the example visits
ROLES = {
    "household": ("citizen", N_("A household (resident)")),
    "officer": ("officer", N_("Officer of {ward}")),
    "admin": ("admin", N_("Labour office (admin)")),
}
BANNER = N_("Demo: every course, job, household and visit here is an example (ví dụ), not "
            "real. Nothing you type reaches a real office.")
SWITCH = N_("See the bot as:")


def demo_settings(settings: Settings, demo_file: Path = DEMO_FILE) -> Settings:
    """The settings of a demo: its own database file, no channel but the web chat (no Telegram
    or Zalo), no ADMIN_IDS."""
    demo_url = normalise_database_url(f"sqlite:///{demo_file}")
    real = sqlite_file(settings.database_url)
    if real is not None and real.resolve() == demo_file.resolve():
        raise SettingsError(f"DATABASE_URL: {demo_file} is the demo's own file; the demo never "
                            "runs on the real database, so give the real one another name")
    # The shipped data files, not DATA_DIR: the examples name the shipped wards.
    off: dict[str, None] = {}  # no channel but the web chat: every token and webhook off
    for kind in settings.channel_kinds:
        if kind.build is not None:
            off[f"{kind.name}_{kind.switch}"] = None
            if kind.webhook:
                off[f"{kind.name}_webhook_url"] = None
    return load_settings(database_url=demo_url, admin_ids="", data_dir=None, **off)


def reset_demo_file(demo_file: Path = DEMO_FILE) -> None:
    """A fresh demo at every start: the previous demo's file (and SQLite's side files) go."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{demo_file}{suffix}").unlink(missing_ok=True)


def _example(name: str) -> bytes:
    return (resources.files("domain") / "data" / name).read_bytes()


async def seed(app: Any) -> dict[str, int]:
    """Fill an empty demo database from the shipped examples; returns counts per kind."""
    from db.officers import households as household_repo
    from db.officers import roster as roster_repo
    from db.officers import visits as visit_repo
    from db.users import get_or_create_user

    core = app.core
    translator = app.catalogs[app.settings.locale]
    counts: dict[str, int] = {}
    today = core.services.clock().astimezone(app.settings.tz).date()
    deadline = (today + timedelta(days=DEMO_DEADLINE_DAYS)).strftime("%d/%m/%Y")
    jobs = read_table(_example("jobs_example.csv"), "jobs_example.csv")
    for row in jobs:
        row.cells["han_nop"] = row.cells.get("han_nop") or deadline
    courses = read_table(_example("courses_example.csv"), "courses_example.csv")
    _move_course_dates(courses, today + timedelta(days=DEMO_DEADLINE_DAYS))
    for kind, rows in (
        ("courses", courses),
        ("jobs", jobs),
        ("households", read_table(_example("households_example.csv"),
                                  "households_example.csv")),
    ):
        result = await core.registry.importers[kind].run(core, rows, translator, None)
        if result.errors:
            raise RuntimeError(f"demo: the shipped {kind} example does not import: "
                               f"{result.errors[:3]}")
        counts[kind] = result.imported
    now = core.services.clock()
    async with core.sessions() as session, session.begin():
        officer, _ = await get_or_create_user(session, "web", DEMO_OFFICER, DEMO_OFFICER,
                                              "officer", now)
        await session.flush()
        session.add(roster_repo.OfficerWard(user_id=officer.id, ward=DEMO_WARD, granted_at=now))
        visits = 0
        for row in read_table(_example("visits_example.csv"), "visits_example.csv"):
            household = await household_repo.household_by_code(
                session, row.cells["phuong"], row.cells["ma_ho"])
            if household is None:
                raise RuntimeError(f"demo: visit row {row.number} names no example household")
            when = now - timedelta(days=int(row.cells["so_ngay_truoc"]))
            follow = row.cells.get("hen_sau_so_ngay")
            values = {"kind": row.cells["loai"], "note": row.cells["ghi_chu"],
                      "follow_up_on": (today + timedelta(days=int(follow))) if follow else None}
            await visit_repo.add_visit(session, household, officer, values, when, None)
            visits += 1
        counts["visits"] = visits
    return counts


COURSE_DATES = ("ngay_bat_dau", "ngay_ket_thuc", "han_dang_ky")


def _move_course_dates(rows: list[Any], first_start: date) -> None:
    """Move every date of the example courses by the same days when the first one starts
    before `first_start`, so the demo always has courses open for sign-up."""
    def parse(text: str) -> date | None:
        try:
            return datetime.strptime(text.strip(), "%d/%m/%Y").date()
        except ValueError:
            return None

    starts = [d for row in rows if (d := parse(row.cells.get("ngay_bat_dau", "")))]
    if not starts or min(starts) >= first_start:
        return
    shift = first_start - min(starts)
    for row in rows:
        for key in COURSE_DATES:
            if (day := parse(row.cells.get(key, ""))) is not None:
                row.cells[key] = (day + shift).strftime("%d/%m/%Y")


def routes(app: Any) -> list[tuple[str, str, Any]]:
    """GET /api/demo (banner and roles) and POST /api/demo/role, for the web chat page."""
    from bot.web import CLIENT_ID
    from db.demo import switch_role
    from db.users import find_user, get_or_create_user

    def _(message: str) -> str:
        return app.translate(message)

    async def info(request: web.Request) -> web.Response:
        """The banner, the roles, and which one this browser (?client_id=) has now."""
        current = "household"
        client_id = request.query.get("client_id", "")
        if CLIENT_ID.match(client_id):
            async with app.core.sessions() as session:
                user = await find_user(session, "web", client_id)
            role = user.role if user is not None else "citizen"
            current = next(key for key, (value, _label) in ROLES.items() if value == role)
        return web.json_response({
            "demo": True,
            "banner": _(BANNER),
            "switch": _(SWITCH),
            "roles": [{"id": key, "label": _(label).format(ward=DEMO_WARD)}
                      for key, (_role, label) in ROLES.items()],
            "current": current,
        })

    async def switch(request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="expected JSON") from None
        client_id = body.get("client_id") if isinstance(body, dict) else None
        wanted = body.get("role") if isinstance(body, dict) else None
        if not isinstance(client_id, str) or not CLIENT_ID.match(client_id) or wanted not in ROLES:
            raise web.HTTPBadRequest(text="expected client_id and role: " + ", ".join(ROLES))
        role = ROLES[wanted][0]
        core = app.core
        now = core.services.clock()
        async with core.sessions() as session, session.begin():
            user, _created = await get_or_create_user(session, "web", client_id, client_id,
                                                      "citizen", now)
            await session.flush()
            await switch_role(session, user, role, DEMO_WARD, now)
        return web.json_response({"role": wanted})

    return [("GET", "/api/demo", info), ("POST", "/api/demo/role", switch)]
