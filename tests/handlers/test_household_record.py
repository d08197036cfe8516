"""The household record is the one place a household's field is declared
(conversations/officers/household.py `HOUSEHOLD`): one more row in a copy of the table is asked
in /themho, shown in the summary and on the card, offered in the Change menu, a column of the
list files (exported, named by /nhapho, read by the import), and handed to the database, which
names the column it lacks rather than dropping the answer. No other code changes."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from conversations.engine import Answer, Retry
from conversations.officers import household, imports
from db.officers import households as repo
from db.officers.households import Household
from domain.tables import Row
from tests.handlers.test_officers import ADMIN, _join
from tests.support import Chat, open_app


def occupation(ctx, answer: Answer) -> str | Retry:  # type: ignore[no-untyped-def]
    text = " ".join(answer.text.split())
    return text if len(text) >= 2 else Retry("Please type an occupation.", "Thợ may")


OCCUPATION = household.HouseholdField(
    "occupation", "Occupation", "What does the head of household do for a living?",
    read=occupation, summary="Occupation: {value}", sheet="Nghề nghiệp")


@pytest.fixture
async def app(database_url, clock, monkeypatch):  # type: ignore[no-untyped-def]
    extended = dataclasses.replace(
        household.HOUSEHOLD, fields=(*household.HOUSEHOLD.fields, OCCUPATION))
    monkeypatch.setattr(household, "HOUSEHOLD", extended)  # one more row, nothing else
    application = await open_app(database_url, clock, admin_ids=ADMIN)
    application.core.registry.dialogs["off_household"] = household.build_household_dialog()
    yield application
    await application.close()


async def test_one_more_row_is_asked_shown_changeable_in_the_files_and_stored(app, clock) -> None:  # type: ignore[no-untyped-def]
    officer = await _join(app, Chat(app, user="admin"), "officer-a", "Phan Rang")
    await officer.send("/themho")
    for answer in ("HGD001", "Nguyễn Văn An", "12 Lê Lợi, khu phố 3", "0912 345 678", "4"):
        await officer.send(answer)
    await officer.press("Hộ nghèo")
    await officer.press("2026")
    await officer.press("Không có ghi chú")
    assert officer.text.startswith("What does the head of household do for a living?")  # asked
    await officer.send("x")
    assert officer.text.startswith("Please type an occupation.")  # its own reader
    await officer.send("Thợ may")
    assert "Diện: Hộ nghèo (từ năm 2026)\nOccupation: Thợ may\n\nLưu hộ này?" in officer.text
    await officer.press("Sửa")  # in the Change menu, after the others; still not ward or code
    assert officer.labels[:8] == ["Họ tên", "Địa chỉ", "Điện thoại", "Số người", "Diện", "Năm",
                                  "Ghi chú", "Occupation"]
    await officer.press("Occupation")
    assert officer.text.startswith("What does the head of household do for a living?")
    await officer.send("Nông dân")  # and back to the summary
    assert "Occupation: Nông dân\n\nLưu hộ này?" in officer.text

    # What the dialog would store has the field, by column; the table has no such column, and
    # saving (one household, or a file's) names it instead of losing the answer.
    state = await _state(app, officer)
    values = household.HOUSEHOLD.values(state)
    assert values["occupation"] == "Nông dân"
    async with app.core.sessions() as session, session.begin():
        with pytest.raises(ValueError, match="households has no column occupation"):
            await repo.add_household(session, values, None, clock.now)
        with pytest.raises(ValueError, match="households has no column occupation"):
            await repo.import_households(session, [values], None, clock.now)

    # The card shows the line too: "—" for a household stored before the field existed.
    async with app.core.sessions() as session, session.begin():
        await repo.add_household(session, {
            "ward": "Phan Rang", "code": "HGD002", "head_name": "Trần Thị Bình", "address": "",
            "phone": None, "members": 3, "category": "near_poor", "category_year": 2025},
            None, clock.now)
    await officer.send("/huy")
    await officer.send("/ho HGD002")
    await officer.press("HGD002")
    assert "Diện: Hộ cận nghèo (từ năm 2025)\nOccupation: —" in officer.text

    # The list files: a column of the export and of /nhapho's question, read by the import.
    headers, rows = await app.core.registry.exporters["households"].run(
        app.core, app.catalogs["vi"])
    assert headers[-2:] == ["Ghi chú", "Nghề nghiệp"] and rows[0][-1] == ""
    await officer.send("/nhapho")
    assert "Năm, Ghi chú, Nghề nghiệp. Hộ đã có" in officer.text
    checked, errors = imports.validate_rows(
        [Row(2, {"phuong": "Phan Rang", "ma_ho": "HGD003", "ho_ten_chu_ho": "Lê Văn C",
                 "so_nhan_khau": "3", "phan_loai": "nghèo", "nghe_nghiep": "  Thợ  hồ "})],
        app.catalogs["vi"], app.core.services.content["localities"], ["Phan Rang"], 2026)
    assert errors == [] and checked[0]["occupation"] == "Thợ hồ"


async def _state(app, chat: Chat) -> dict:  # type: ignore[no-untyped-def]
    from db.models import DialogState, User

    async with app.core.sessions() as session:
        user = (await session.execute(select(User).where(User.external_id == chat.user))
                ).scalar_one()
        state = await session.get(DialogState, user.id)
        assert state is not None and state.step == "confirm"
        return dict(state.data)


async def test_the_table_is_what_the_file_columns_and_the_store_are(app) -> None:  # type: ignore[no-untyped-def]
    """The import takes the columns it always took, by the same names, in the table's order."""
    assert imports.columns() == {
        "ward": ("phuong", "phuong_xa", "xa_phuong", "ward"),
        "code": ("ma_ho", "ma", "code"),
        "head_name": ("ho_ten_chu_ho", "chu_ho", "ho_ten", "ho_va_ten", "name"),
        "address": ("dia_chi", "address"),
        "phone": ("so_dien_thoai", "dien_thoai", "sdt", "phone"),
        "members": ("so_nhan_khau", "nhan_khau", "so_thanh_vien", "so_nguoi", "members"),
        "category": ("phan_loai", "dien", "loai_ho", "category"),
        "category_year": ("nam", "nam_phan_loai", "year"),
        "notes": ("ghi_chu", "notes"),
        "occupation": ("nghe_nghiep",),
    }
    stored = set(Household.__table__.columns.keys())
    assert {f.key for f in household.HOUSEHOLD.fields} - stored == {"occupation"}
