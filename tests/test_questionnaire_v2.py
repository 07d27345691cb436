"""Questionnaire version 2: the labour-export module (work abroad under contract now, before,
wanted), checked through the engine as the officer's window and the server use it, and version 1
records still valid beside it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from forms.printing import report
from forms.progress import TaskState
from forms.registry import FormRegistry
from forms.store import Store
from tests import factories

REGISTRY = FormRegistry()
TODAY = "2026-11-01"


def findings(record: dict[str, Any], version: str = "2", lang: str = "en") -> dict[str, list[str]]:
    engine = REGISTRY.engine(REGISTRY.get("labour_supply", version))
    ev = engine.evaluate(record, today=TODAY)
    out: dict[str, list[str]] = {}
    for f in ev.errors + ev.warnings:
        out.setdefault(str(f.ref), []).append(f"{f.severity}: {f.text(lang)}")
    return out


def v1_household() -> dict[str, Any]:
    return factories.household_v1()


def test_version_2_is_current_and_version_1_is_still_installed() -> None:
    assert REGISTRY.current().version == "2"
    v1 = REGISTRY.get("labour_supply", "1")
    assert "abroad_status" not in v1.by_id and "abroad_status" in REGISTRY.current().by_id


def test_the_factories_household_is_clean_in_version_2_and_its_version_1_form_in_version_1() -> None:
    assert findings(factories.household()) == {}
    assert findings(v1_household(), version="1") == {}


def test_every_adult_answers_the_work_abroad_question_and_children_are_not_asked() -> None:
    found = findings(v1_household())
    for i in range(4):  # the four adults, not the child of 12
        assert found[f"members[{i}].abroad_status"] == ["error: This question must be answered."]
    assert "members[4].abroad_status" not in found


def test_a_member_abroad_under_contract_is_employed_with_workplace_type_11() -> None:
    rec = factories.household()
    son = rec["members"][2]  # unemployed, wants to go to Japan
    son.update(abroad_status="1")
    found = findings(rec)
    assert "error: A member working abroad under contract has labour force status Employed (1)." in \
        found["members[2].abroad_status"]
    assert found["members[2].departure_month"] == ["error: This question must be answered."]
    assert any("recorded as wanting to go" in f for f in found["members[2].job_wanted"])

    rec = factories.household()
    rec["members"][0]["abroad_status"] = "1"  # the head, employed in Viet Nam (workplace type 3)
    assert "error: A member working abroad under contract has workplace type Working abroad (11)." in \
        findings(rec)["members[0].workplace_type"]

    rec = factories.household()
    rec["members"][3]["abroad_status"] = "3"  # works in Taiwan, but "never under contract"
    assert findings(rec)["members[3].workplace_type"] == [
        "warning: Working abroad but not under contract: check the work-abroad question."]


def test_departure_dates_and_loans_are_checked() -> None:
    rec = factories.household()
    daughter = rec["members"][3]
    daughter.update(departure_year=2026, departure_month=11)  # the household was interviewed in October 2026
    assert findings(rec)["members[3].departure_year"] == ["error: The departure is after the collection date."]
    daughter.update(departure_year=2018, departure_month=1)  # born 2004: 14 years old then
    assert findings(rec)["members[3].departure_year"] == [
        "warning: Departed before the age of 15: check the year of departure."]
    daughter.update(departure_year=2024, departure_month=13, policy_loan="1")
    found = findings(rec)
    assert found["members[3].departure_month"] == ["error: A month is 1 to 12."]
    assert found["members[3].policy_loan_amount"] == ["error: This question must be answered."]
    daughter.update(departure_month=8, policy_loan_amount=64)  # a Sơn La family borrowed 64 million
    assert findings(rec) == {}
    daughter["policy_loan_amount"] = 64_000_000  # typed in đồng, not millions
    assert findings(rec)["members[3].policy_loan_amount"] == [
        "warning: A loan over 200 million VND: check the unit (millions)."]


def test_a_member_back_home_who_wants_to_go_again() -> None:
    rec = factories.household()
    head = rec["members"][0]
    head.update(abroad_status="2")
    assert findings(rec)["members[0].return_year"] == ["error: This question must be answered."]
    head.update(return_year=2019, go_again="1")  # but job wanted: no
    assert findings(rec)["members[0].job_wanted"] == [
        "warning: Wants to work abroad again but the job wanted is not abroad (2 or 3)."]
    head.update(job_wanted="2", destination_country="KR", language_test="1", abroad_needs=["1", "3"])
    assert findings(rec) == {}


def test_messages_in_vietnamese() -> None:
    rec = factories.household()
    rec["members"][0]["abroad_status"] = "1"
    assert "error: Đang làm việc ở nước ngoài theo hợp đồng thì loại hình nơi làm việc là Làm việc ở nước ngoài (11)." \
        in findings(rec, lang="vi")["members[0].workplace_type"]


@pytest.fixture
def both_versions(tmp_path: Path) -> Store:
    """A store with a version 1 household (taken before the upgrade) and version 2 households."""
    store = Store(tmp_path / "x.sqlite")
    old = v1_household()
    old["household"]["household_code"] = "HT-V1"
    store.save(old, actor="lan")
    new = factories.household(household_code="HT-V2")
    new["household"]["poverty_class"] = "2"
    back = copy.deepcopy(new["members"][0])
    back.update(full_name="Đặng Văn Lộc", relation="6", birth_date="1990-05-05",
                citizen_id=factories.citizen_id(1990, "1", serial=55),
                abroad_status="2", return_year=2023, go_again="1", job_wanted="2", destination_country="JP",
                abroad_needs=["1", "3"], language_test="2")
    new["members"].append(back)
    new["members"][3].update(departure_year=2026, departure_month=3, policy_loan="1", policy_loan_amount=64)
    for i, m in enumerate(new["members"]):
        if "citizen_id" in m:
            m["citizen_id"] = factories.citizen_id(int(m["birth_date"][:4]), m["sex"], serial=300 + i)
    store.save(new, actor="lan")
    for h in store.list():
        store.complete(h.uuid, actor="lan", accept_warnings=True)
    yield store
    store.close()


def test_a_version_1_and_a_version_2_household_side_by_side_in_the_report(both_versions: Store, tmp_path: Path) -> None:
    assert sorted(h.form_version for h in both_versions.list()) == ["1", "2"]
    s = report.summarize(TaskState(), both_versions)
    assert s.households == 2
    assert s.working_abroad == {("TW", "2"): 2}  # v1 by workplace type 11, v2 by the module
    assert s.departed_this_year == {("TW", "2"): 1}  # only v2 records the departure
    assert (s.loans, s.loan_total) == (1, 64)
    assert dict(s.back) == {"1": 1} and dict(s.back_going_again) == {"1": 1}
    assert s.abroad == {("JP", "1"): 3}  # the two unemployed sons and the man back from abroad
    assert s.needs == {("1", "1"): 2, ("3", "1"): 1}  # v1 asks no needs: only the v2 members count
    assert sum(s.language_test.values()) == 1
    assert s.poor[("2", "households")] == 1 and s.poor[("2", "abroad")] == 2
    out = tmp_path / "report.pdf"
    report.write_report(TaskState(), both_versions, out, lang="vi")
    from tests.printing.pdf import Pdf
    text = Pdf(out.read_bytes()).text()
    for expected in ("Số hộ đã hoàn thành: 2", "TW Đài Loan", "Đã đi làm việc ở nước ngoài, nay đã về: 1",
                     "muốn đi lần nữa: 1", "Vay vốn Ngân hàng Chính sách xã hội để đi: 1 người, tổng 64 triệu đồng",
                     "1 Học ngoại ngữ", "3 Vay vốn", "2 Hộ cận nghèo"):
        assert expected in text, expected
