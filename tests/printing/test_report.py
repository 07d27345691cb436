"""The commune summary report: the counts, checked against the households, and the PDF."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from forms.printing import report
from forms.printing.batch import Cancelled, PrintState
from forms.store import Store
from tests import factories
from tests.printing.pdf import Pdf


def households() -> list[dict]:
    """Three households: factories' five members (4 aged 15+), one with a Korean destination and
    a woman of 70, and a Sơn La household interviewed later by another officer."""
    a = factories.household()
    b = factories.household(household_code="HT-0002", interview_date="2026-10-02")
    b["members"][2]["destination_country"] = "KR"  # a man of 25, unemployed
    b["members"].append(factories.member("Hà Thị Mơ", "4", "1956-01-01", "2", citizen_id=factories.citizen_id(1956, "2", serial=9),
                                         **factories.inactive("2")))
    c = copy.deepcopy(factories.household(household_code="SL-0001", interview_date="2026-10-20", officer="Lò Văn Sáng"))
    for i, m in enumerate(c["members"]):
        if "citizen_id" in m:
            m["citizen_id"] = factories.citizen_id(int(m["birth_date"][:4]), m["sex"], serial=500 + i)
    for rec in (a, b):
        for i, m in enumerate(rec["members"]):
            if "citizen_id" in m:
                m["citizen_id"] = factories.citizen_id(int(m["birth_date"][:4]), m["sex"], serial=(100 if rec is b else 0) + i)
    return [a, b, c]


@pytest.fixture
def filled(tmp_path: Path) -> Store:
    store = Store(tmp_path / "x.sqlite")
    for rec in households():
        store.save(rec, actor="lan")
    yield store
    store.close()


def test_counts(filled: Store) -> None:
    s = report.summarize(PrintState(), filled)
    assert (s.households, s.drafts, s.members, s.adults) == (3, 3, 16, 13)
    assert (s.first_date, s.last_date) == ("2026-10-02", "2026-10-20")
    assert s.officers == {"Nguyễn Thị Lan": 2, "Lò Văn Sáng": 1}
    # factories: a man of 51 employed, a woman of 48 inactive, a man of 25 unemployed, a woman of 22 employed
    assert s.status[("1", "1", "45–54")] == 3 and s.status[("1", "2", "15–24")] == 3
    assert s.status[("2", "1", "25–34")] == 3 and s.status[("3", "2", "45–54")] == 3
    assert s.status[("3", "2", "65+")] == 1
    assert sum(s.status.values()) == 13
    assert s.abroad == {("JP", "1"): 2, ("KR", "1"): 1}
    assert s.education[("4", "1")] == 6 and s.education[("2", "2")] == 4
    assert s.training[("1", "1")] == 3 and sum(s.training.values()) == 13


def test_filters(filled: Store) -> None:
    assert report.summarize(PrintState(), filled, commune="14797").households == 3
    assert report.summarize(PrintState(), filled, commune="99999").households == 0
    assert report.summarize(PrintState(), filled, status="complete").households == 0


def test_age_groups() -> None:
    assert [report.age_group(a) for a in (14, 15, 24, 25, 64, 65, 101, None)] == \
        [None, "15–24", "15–24", "25–34", "55–64", "65+", "65+", None]


def test_report_pdf(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    report.write_report(PrintState(), filled, out, lang="vi", officer="Nguyễn Thị Lan")
    pdf = Pdf(out.read_bytes())
    text = pdf.text()
    for heading in ("Báo cáo tổng hợp thông tin cung lao động", "Thời gian thu thập: từ 02/10/2026 đến 20/10/2026",
                    "Người thu thập: Nguyễn Thị Lan", "Phường Hạc Thành (14797)", "Tình trạng hoạt động kinh tế theo giới tính",
                    "Biểu đồ 1", "Trình độ chuyên môn kỹ thuật theo giới tính", "KR Hàn Quốc", "JP Nhật Bản",
                    "Nhu cầu học nghề theo giới tính", "Số hộ: 3 (trong đó 3 phiếu nháp)", "Từ 15 tuổi trở lên: 13"):
        assert heading in text, heading
    assert pdf.font_problems() == []
    assert pdf.layout_problems() == []


def test_report_cancel(filled: Store, tmp_path: Path) -> None:
    state = PrintState()
    state.cancel()
    with pytest.raises(Cancelled):
        report.write_report(state, filled, tmp_path / "r.pdf")
    assert list(tmp_path.glob("r.pdf*")) == []
