"""Search quality in households' own words, measured on a fixed set of real-world questions.

The table mixes questions with and without diacritics, typos, abbreviations (BHYT, NHCSXH, hssv),
synonyms (mượn tiền, đào tạo nghề, làm nhà) and long chatty questions. The quality test prints
top-1 and top-3 accuracy and requires top-1 ≥ 90% and top-3 ≥ 98%.
"""

from __future__ import annotations

import importlib.resources
from datetime import date

import pytest
import yaml

from domain.policies import Catalogue, load_catalogue
from domain.policy_search import search

ON = date(2026, 11, 27)

# (question as a household types it, expected policy id)
QUERIES: list[tuple[str, str]] = [
    # Vay vốn hộ nghèo
    ("vay vốn hộ nghèo", "vay-ho-ngheo"),
    ("vay von ho ngheo", "vay-ho-ngheo"),
    ("vay vôn hộ ngheo", "vay-ho-ngheo"),
    ("NHCSXH cho vay bao nhiêu", "vay-ho-ngheo"),
    ("ngân hàng chính sách xã hội", "vay-ho-ngheo"),
    ("muon tien lam an", "vay-ho-ngheo"),
    ("hộ nghèo vay được tối đa bao nhiêu tiền", "vay-ho-ngheo"),
    ("lai suat vay ho ngheo", "vay-ho-ngheo"),
    ("nha toi ngheo muon vay tien nuoi bo", "vay-ho-ngheo"),
    ("vay uu dai", "vay-ho-ngheo"),
    ("vayj voons hoj ngheof", "vay-ho-ngheo"),
    # Vay vốn hộ cận nghèo
    ("vay vốn hộ cận nghèo", "vay-ho-can-ngheo"),
    ("ho can ngheo vay tien duoc khong", "vay-ho-can-ngheo"),
    ("can ngheo vay nhcsxh lai bao nhieu", "vay-ho-can-ngheo"),
    # Vay vốn hộ mới thoát nghèo
    ("vừa thoát nghèo có được vay vốn không", "vay-ho-moi-thoat-ngheo"),
    ("ho moi thoat ngheo vay von", "vay-ho-moi-thoat-ngheo"),
    # Vay vốn học sinh, sinh viên
    ("vay tiền cho con học đại học", "vay-hoc-sinh-sinh-vien"),
    ("vay von sinh vien", "vay-hoc-sinh-sinh-vien"),
    ("con thi đỗ đại học mà nhà không có tiền", "vay-hoc-sinh-sinh-vien"),
    ("hssv vay von", "vay-hoc-sinh-sinh-vien"),
    # Vay vốn tạo việc làm
    ("vay vốn tạo việc làm", "vay-tao-viec-lam"),
    ("muốn vay tiền mở tiệm buôn bán", "vay-tao-viec-lam"),
    ("vay von giai quyet viec lam 200 trieu", "vay-tao-viec-lam"),
    # Vay vốn nước sạch, vệ sinh
    ("vay tiền làm nhà vệ sinh", "vay-nuoc-sach-ve-sinh"),
    ("vay von nuoc sach", "vay-nuoc-sach-ve-sinh"),
    ("vay tien lam gieng nuoc", "vay-nuoc-sach-ve-sinh"),
    # BHYT hộ nghèo
    ("BHYT", "bhyt-ho-ngheo"),
    ("bảo hiểm y tế hộ nghèo", "bhyt-ho-ngheo"),
    ("bao hiem y te mien phi", "bhyt-ho-ngheo"),
    ("thẻ bảo hiểm y tế cho người nghèo", "bhyt-ho-ngheo"),
    ("ho ngheo di kham benh co mat tien khong", "bhyt-ho-ngheo"),
    ("bhty ho ngheo", "bhyt-ho-ngheo"),
    ("bao hiem y tê", "bhyt-ho-ngheo"),
    # BHYT hộ cận nghèo
    ("bảo hiểm y tế hộ cận nghèo", "bhyt-ho-can-ngheo"),
    ("bhyt can ngheo duoc ho tro bao nhieu", "bhyt-ho-can-ngheo"),
    ("hộ cận nghèo mua thẻ bảo hiểm", "bhyt-ho-can-ngheo"),
    # BHYT hộ mới thoát nghèo
    ("bhyt ho moi thoat ngheo", "bhyt-ho-moi-thoat-ngheo"),
    ("vừa thoát nghèo còn được bảo hiểm y tế không", "bhyt-ho-moi-thoat-ngheo"),
    # Dinh dưỡng trẻ em
    ("trẻ suy dinh dưỡng", "dinh-duong-tre-em"),
    ("con bi coi xuong thap coi", "dinh-duong-tre-em"),
    ("ho tro dinh duong cho tre em", "dinh-duong-tre-em"),
    # Học phí
    ("miễn học phí", "mien-hoc-phi"),
    ("mien hoc phi cho con", "mien-hoc-phi"),
    ("tien hoc cua con co duoc giam khong", "mien-hoc-phi"),
    ("con học mầm non có phải đóng học phí không", "mien-hoc-phi"),
    # Nhà ở
    ("hỗ trợ làm nhà", "ho-tro-nha-o"),
    ("lam nha", "ho-tro-nha-o"),
    ("sửa nhà dột", "ho-tro-nha-o"),
    ("nha toi bi dot nat xin ho tro xay nha", "ho-tro-nha-o"),
    ("xây nhà cho hộ nghèo", "ho-tro-nha-o"),
    # Tiền điện
    ("tiền điện", "tien-dien"),
    ("tien dien ho ngheo", "tien-dien"),
    ("hỗ trợ tiền điện hàng tháng", "tien-dien"),
    ("tien dein", "tien-dien"),
    # Trợ cấp xã hội hằng tháng
    ("trợ cấp", "tro-cap-xa-hoi-hang-thang"),
    ("tro cap hang thang cho nguoi gia", "tro-cap-xa-hoi-hang-thang"),
    ("nguoi khuyet tat duoc tro cap bao nhieu", "tro-cap-xa-hoi-hang-thang"),
    ("bao tro xa hoi", "tro-cap-xa-hoi-hang-thang"),
    # Trợ giúp đột xuất
    ("nhà bị cháy có được hỗ trợ không", "tro-giup-dot-xuat"),
    ("bão lụt mất nhà", "tro-giup-dot-xuat"),
    ("ho tro mai tang", "tro-giup-dot-xuat"),
    ("gia dinh toi bi lu lut cuon troi het do dac", "tro-giup-dot-xuat"),
    # Trợ giúp pháp lý
    ("trợ giúp pháp lý", "tro-giup-phap-ly"),
    ("can luat su mien phi", "tro-giup-phap-ly"),
    ("bi kien ra toa", "tro-giup-phap-ly"),
    ("tranh chấp đất đai cần tư vấn pháp luật", "tro-giup-phap-ly"),
    ("tro gup phap ly", "tro-giup-phap-ly"),
    # Học nghề
    ("học nghề", "hoc-nghe"),
    ("dao tao nghe", "hoc-nghe"),
    ("muon di hoc nghe may", "hoc-nghe"),
    ("hoc nghe mien phi cho nguoi ngheo", "hoc-nghe"),
    ("hocj nghe", "hoc-nghe"),
    (
        "Tôi 45 tuổi, muốn đi học nghề sửa xe máy thì có được hỗ trợ tiền học không?",
        "hoc-nghe",
    ),
    # Việc làm
    ("tìm việc làm", "viec-lam"),
    ("bi mat viec", "viec-lam"),
    ("gioi thieu viec lam", "viec-lam"),
    ("that nghiep", "viec-lam"),
    # Sinh kế, sản xuất
    ("hỗ trợ con giống", "ho-tro-sinh-ke"),
    ("ho tro nuoi bo", "ho-tro-sinh-ke"),
    ("xin cây giống, phân bón", "ho-tro-sinh-ke"),
    ("hỗ trợ sản xuất", "ho-tro-sinh-ke"),
    ("ho tro sinh ke", "ho-tro-sinh-ke"),
    # Quỹ Vì người nghèo
    ("quỹ vì người nghèo", "quy-vi-nguoi-ngheo"),
    ("quy vi nguoi ngheo", "quy-vi-nguoi-ngheo"),
    ("mặt trận tổ quốc giúp đỡ", "quy-vi-nguoi-ngheo"),
    ("nha dai doan ket", "quy-vi-nguoi-ngheo"),
    ("quy vi nguoi ngeo", "quy-vi-nguoi-ngheo"),
    # Long questions
    (
        (
            "Nhà tôi thuộc hộ cận nghèo, cho tôi hỏi mua thẻ bảo hiểm y tế thì được nhà nước "
            "hỗ trợ bao nhiêu phần trăm?"
        ),
        "bhyt-ho-can-ngheo",
    ),
    ("cho em hoi nha em la ho ngheo thi co duoc ho tro tien dien khong a", "tien-dien"),
    (
        "nhà tôi mới thoát nghèo năm ngoái, giờ muốn vay thêm vốn để nuôi dê thì hỏi ở đâu",
        "vay-ho-moi-thoat-ngheo",
    ),
    (
        "bà ngoại tôi già yếu sống một mình có được nhận tiền trợ cấp không",
        "tro-cap-xa-hoi-hang-thang",
    ),
    # Written after the search was tuned, kept to show it generalises
    ("cho vay tiền nuôi heo", "vay-ho-ngheo"),
    ("thẻ khám bệnh miễn phí", "bhyt-ho-ngheo"),
    ("hộ cận nghèo có được miễn tiền bảo hiểm không", "bhyt-ho-can-ngheo"),
    ("con em bị còi, nhẹ cân", "dinh-duong-tre-em"),
    ("nha toi sap sap roi", "ho-tro-nha-o"),
    ("điện nhà tôi mỗi tháng tốn nhiều quá, có hỗ trợ không", "tien-dien"),
    ("người già neo đơn không ai nuôi", "tro-cap-xa-hoi-hang-thang"),
    ("bị lừa mất đất muốn kiện", "tro-giup-phap-ly"),
    ("muốn đi xuất khẩu lao động", "viec-lam"),
    ("hoc lai xe co duoc ho tro khong", "hoc-nghe"),
    ("xin con bò giống", "ho-tro-sinh-ke"),
    ("nhà đại đoàn kết làm sao để xin", "quy-vi-nguoi-ngheo"),
    ("mien hoc fi", "mien-hoc-phi"),
    ("vay vốn sinh viên lãi bao nhiêu", "vay-hoc-sinh-sinh-vien"),
    ("trợ giúp pháp lí", "tro-giup-phap-ly"),
    ("lu lut", "tro-giup-dot-xuat"),
]

NO_MATCH = ["xin chào", "thời tiết hôm nay thế nào", "giá vàng", "toi muon an pho", "ok"]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    text = (importlib.resources.files("domain") / "data" / "policies.yaml").read_text("utf-8")
    return load_catalogue(yaml.safe_load(text))


def _ranked_ids(catalogue: Catalogue, query: str) -> list[str]:
    return [policy.id for policy, _ in search(catalogue, query, ON, limit=3)]


def test_query_set_is_large_and_points_at_real_entries(catalogue: Catalogue) -> None:
    assert len(QUERIES) >= 60
    visible = {p.id for p in catalogue.visible(ON)}
    assert {expected for _, expected in QUERIES} <= visible


def test_search_quality(catalogue: Catalogue) -> None:
    top1 = top3 = 0
    misses: list[str] = []
    for query, expected in QUERIES:
        ranked = _ranked_ids(catalogue, query)
        top1 += ranked[:1] == [expected]
        top3 += expected in ranked
        if ranked[:1] != [expected]:
            misses.append(f"  {query!r}: expected {expected}, got {ranked}")
    total = len(QUERIES)
    print(f"\nsearch quality on {total} queries:", end=" ")
    print(f"top-1 {top1 / total:.1%}, top-3 {top3 / total:.1%}")
    print("\n".join(misses))
    assert top1 / total >= 0.90, "\n".join(misses)
    assert top3 / total >= 0.98, "\n".join(misses)


@pytest.mark.parametrize("query", NO_MATCH)
def test_unrelated_text_finds_nothing(catalogue: Catalogue, query: str) -> None:
    assert search(catalogue, query, ON) == []


def test_results_are_best_first_with_scores_in_range(catalogue: Catalogue) -> None:
    results = search(catalogue, "vay von", ON, limit=10)
    scores = [score for _, score in results]
    assert len(results) > 1
    assert scores == sorted(scores, reverse=True)
    assert all(catalogue.search_settings.min_score <= score <= 100 for score in scores)


def test_limit_caps_the_number_of_results(catalogue: Catalogue) -> None:
    assert len(search(catalogue, "vay von", ON, limit=2)) == 2


def test_expired_entries_are_not_found(catalogue: Catalogue) -> None:
    # The 2024-2025 campaign ended on 31/10/2025: found before, hidden after.
    before = [p.id for p, _ in search(catalogue, "xóa nhà tạm nhà dột nát", date(2025, 6, 1))]
    after = [p.id for p, _ in search(catalogue, "xóa nhà tạm nhà dột nát", ON)]
    assert "xoa-nha-tam-2024-2025" in before
    assert "xoa-nha-tam-2024-2025" not in after
    assert after  # the current housing entry still answers


def test_synonyms_from_the_yaml_are_used(catalogue: Catalogue) -> None:
    # "mượn tiền" is only a synonym of "vay vốn" in the YAML, never a keyword of an entry.
    assert _ranked_ids(catalogue, "mượn tiền hộ cận nghèo")[:1] == ["vay-ho-can-ngheo"]
