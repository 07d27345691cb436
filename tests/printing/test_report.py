"""The commune summary report: the counts, checked against the households, and the PDF."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from forms.printing import report
from forms.progress import Cancelled, TaskState
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


def test_complete_households_only_unless_drafts_are_asked_for(filled: Store) -> None:
    s = report.summarize(TaskState(), filled)
    assert (s.households, s.drafts, s.drafts_left_out, s.adults) == (0, 0, 3, 0)
    first = filled.list(limit=1)[0]
    filled.complete(first.uuid, actor="lan", accept_warnings=True)
    s = report.summarize(TaskState(), filled)
    assert (s.households, s.drafts, s.drafts_left_out) == (1, 0, 2)
    s = report.summarize(TaskState(), filled, drafts=True)
    assert (s.households, s.drafts, s.drafts_left_out) == (3, 2, 0)


def test_counts(filled: Store) -> None:
    s = report.summarize(TaskState(), filled, drafts=True)
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
    # version 1 records a member abroad by workplace type 11: the daughter of 22 works in Taiwan
    assert s.working_abroad == {("TW", "2"): 3}
    assert s.poor == {}  # all three households are classed "other"


def test_every_table_adds_up_to_the_people_aged_15_and_over(filled: Store, tmp_path: Path) -> None:
    """A draft member of 30 with no labour answers yet is counted as "not recorded", not dropped."""
    rec = households()[0]
    rec["household"]["household_code"] = "HT-0099"
    rec["members"] = [factories.member("Vũ Văn Tâm", "1", "1996-01-01", "1", citizen_id=factories.citizen_id(1996, "1", serial=77))]
    filled.save(rec, actor="lan")
    s = report.summarize(TaskState(), filled, drafts=True)
    assert s.adults == 14
    for counter in (s.status, s.education, s.qualification, s.training):
        assert sum(counter.values()) == s.adults
    assert s.status[("", "1", "25–34")] == 1
    out = tmp_path / "report.pdf"
    report.write_report(TaskState(), filled, out, lang="vi", drafts=True)
    text = Pdf(out.read_bytes()).text()
    assert "Chưa ghi" in text and "TÍNH CẢ 4 PHIẾU NHÁP" in text


def test_poor_households_wanting_work_or_training(filled: Store) -> None:
    rec = households()[0]
    rec["household"].update(household_code="HT-0100", poverty_class="1")
    for i, m in enumerate(rec["members"]):
        if "citizen_id" in m:
            m["citizen_id"] = factories.citizen_id(int(m["birth_date"][:4]), m["sex"], serial=900 + i)
    filled.save(rec, actor="lan")
    s = report.summarize(TaskState(), filled, drafts=True)
    # factories: only the unemployed son wants a job (abroad, Japan) and training
    assert s.poor == {("1", "households"): 1, ("1", "households_wanting"): 1, ("1", "job"): 1, ("1", "abroad"): 1,
                      ("1", "training"): 1}


def test_filters(filled: Store) -> None:
    assert report.summarize(TaskState(), filled, commune="14797", drafts=True).households == 3
    assert report.summarize(TaskState(), filled, commune="99999", drafts=True).households == 0
    assert report.summarize(TaskState(), filled, status="complete").households == 0


def test_age_groups() -> None:
    assert [report.age_group(a) for a in (14, 15, 24, 25, 64, 65, 101, None)] == \
        [None, "15–24", "15–24", "25–34", "55–64", "65+", "65+", None]


def test_report_pdf(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    report.write_report(TaskState(), filled, out, lang="vi", officer="Nguyễn Thị Lan", drafts=True)
    pdf = Pdf(out.read_bytes())
    text = pdf.text()
    for heading in ("Báo cáo tổng hợp thông tin cung lao động", "Thời gian thu thập: từ 02/10/2026 đến 20/10/2026",
                    "Người thu thập: Nguyễn Thị Lan", "Phường Hạc Thành (14797)", "Tình trạng hoạt động kinh tế theo giới tính",
                    "Biểu đồ 1", "Trình độ chuyên môn kỹ thuật theo giới tính", "KR Hàn Quốc", "JP Nhật Bản",
                    "Nhu cầu học nghề theo giới tính", "Số hộ: 3, TÍNH CẢ 3 PHIẾU NHÁP", "Từ 15 tuổi trở lên: 13",
                    "Lao động đang làm việc ở nước ngoài theo hợp đồng", "TW Đài Loan",
                    "Hộ nghèo, hộ cận nghèo có người cần việc làm hoặc học nghề"):
        assert heading in text, heading
    assert "Chưa ghi" not in text  # every answer is there
    assert "labour-survey" not in text and "labour_supply" not in text  # no internal names on paper (issue 14)
    assert pdf.font_problems() == []
    assert pdf.layout_problems() == []


def test_report_cancel(filled: Store, tmp_path: Path) -> None:
    state = TaskState()
    state.cancel()
    with pytest.raises(Cancelled):
        report.write_report(state, filled, tmp_path / "r.pdf")
    assert list(tmp_path.glob("r.pdf*")) == []
