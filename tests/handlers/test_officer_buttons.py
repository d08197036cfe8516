"""The ward officers' typed buttons: every kind packs and reads back, and a search of several
words pages (its page buttons carry the search, which a payload holds without spaces)."""

from __future__ import annotations

from conversations.officers import category, household, roster, visit
from conversations.payloads import well_formed
from db.officers.households import add_household
from handlers.officers.buttons import OfficerButton, SearchPage
from tests.handlers.test_officers import ADMIN, _join
from tests.support import Chat, open_app


def test_every_officer_button_reads_back_as_packed() -> None:
    samples = [
        roster.InviteButton("done"), roster.InviteWard(4), roster.RevokeButton("ok"),
        household.HouseholdButton("ok"), household.HOUSEHOLD.kind("set", 6, 1),
        household.HOUSEHOLD.kind("num", 7, 2026), household.HOUSEHOLD.kind("fix", 5),
        household.HOUSEHOLD.kind("skip", 4),
        visit.VisitButton("next"), visit.HouseholdPick(17), visit.KindButton("livelihood"),
        visit.ProposalButton("none"), visit.FollowUpButton(30), visit.ChangeButton("follow_up"),
        category.ConfirmButton("ok"), category.ListButton("escaped"),
        OfficerButton("rx"), OfficerButton("vs", 2_147_483_647), SearchPage.of("", 1),
        SearchPage.of("Nguyễn Văn  HGD-01/2", 3),
    ]
    for sample in samples:
        packed = sample.pack()
        assert well_formed(packed) and type(sample).unpack(packed) == sample, packed
    assert roster.InviteButton("done").pack() == "oi:done"  # "Done" last when typed with ticks
    assert SearchPage.of("Nguyễn Văn", 2).text == "nguyen van"


async def test_a_search_of_several_words_pages(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=ADMIN)
    officer = await _join(app, Chat(app, user="admin"), "officer-a", "Phan Rang")
    async with app.core.sessions() as session, session.begin():
        for n in range(10):
            await add_household(session, {
                "ward": "Phan Rang", "code": f"HGD{n:03d}", "head_name": f"Nguyễn Văn {n}",
                "address": "", "phone": None, "members": 3, "category": "poor",
                "category_year": 2025}, None, clock.now)
    await officer.send("/ho nguyen van")
    assert "10 hộ" in officer.text and "1/2" in officer.text
    await officer.press("Trang sau")
    assert "2/2" in officer.text
    assert sum("Nguyễn Văn" in label for label in officer.labels) == 2
    await app.close()
