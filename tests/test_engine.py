"""The form engine on real questionnaire cases."""

from __future__ import annotations

import copy
import unicodedata
from typing import Any

import pytest

from forms.engine import Engine, Evaluation, FieldRef
from tests import factories as fx


def evaluate(engine: Engine, rec: dict[str, Any]) -> Evaluation:
    return engine.evaluate(rec, today="2026-11-23")


def rules(ev: Evaluation, severity: str | None = None) -> set[tuple[str, str]]:
    return {(str(f.ref), f.rule) for f in ev.findings if severity is None or f.severity == severity}


def test_the_reference_household_is_clean(engine: Engine) -> None:
    ev = evaluate(engine, fx.household())
    assert ev.findings == [], [f"{f.ref}: {f.message.en}" for f in ev.findings]
    assert [r["age"] for r in ev.rows["members"]] == [51, 48, 25, 22, 12]
    assert ev.household["head_name"] == "Đặng Văn Hùng"


def test_employed_branch_asks_employment_questions_only(engine: Engine) -> None:
    rec = fx.household()
    head = rec["members"][0]
    for q in ("employment_status", "job", "workplace_type", "economic_sector", "social_insurance"):
        del head[q]
    ev = evaluate(engine, rec)
    assert rules(ev, "error") == {(f"members[0].{q}", "required") for q in
                                  ("employment_status", "job", "workplace_type", "economic_sector", "social_insurance")}
    # contract is asked only of employees (employment_status 4); it is now not relevant
    assert not ev.is_relevant(FieldRef("contract", "members", 0))
    assert FieldRef("contract", "members", 0) in ev.irrelevant_answers
    assert not ev.is_relevant(FieldRef("unemployment_type", "members", 0))
    assert not ev.is_relevant(FieldRef("inactive_reason", "members", 0))


def test_unemployed_branch(engine: Engine) -> None:
    rec = fx.household()
    son = rec["members"][2]
    son["unemployment_type"] = "1"  # never worked: previous job no longer asked
    ev = evaluate(engine, rec)
    assert FieldRef("previous_job", "members", 2) in ev.irrelevant_answers
    assert not ev.errors
    del son["unemployment_duration"]
    assert ("members[2].unemployment_duration", "required") in rules(evaluate(engine, rec))
    assert not evaluate(engine, rec).is_relevant(FieldRef("employment_status", "members", 2))


def test_switching_status_flags_answers_of_the_other_branch(engine: Engine) -> None:
    rec = fx.household()
    rec["members"][0]["labour_status"] = "3"  # employed head now marked inactive
    ev = evaluate(engine, rec)
    stale = {r.field for r in ev.irrelevant_answers if r.row == 0}
    assert {"employment_status", "job", "workplace_type", "economic_sector", "contract"} <= stale
    assert ("members[0].inactive_reason", "required") in rules(ev, "error")
    # an answer of a question that no longer applies never feeds a calculation or rule
    assert ev.rows["members"][0]["job"] is None


def test_inactive_branch(engine: Engine) -> None:
    rec = fx.household()
    wife = rec["members"][1]
    wife["employment_status"] = "2"
    ev = evaluate(engine, rec)
    assert FieldRef("employment_status", "members", 1) in ev.irrelevant_answers
    assert not ev.errors


def test_under_15_has_no_labour_module(engine: Engine) -> None:
    rec = fx.household()
    child = rec["members"][4]
    ev = evaluate(engine, rec)
    assert not ev.is_relevant(FieldRef("labour_status", "members", 4))
    assert not [f for f in ev.findings if f.ref.row == 4]
    child["labour_status"] = "1"  # written in by mistake for a 12-year-old
    child["job"] = "Chăn trâu"
    ev = evaluate(engine, rec)
    assert {FieldRef("labour_status", "members", 4), FieldRef("job", "members", 4)} <= set(ev.irrelevant_answers)
    # turning 15 makes the module required
    child["birth_date"] = "2011-01-01"
    ev = evaluate(engine, rec)
    assert ("members[4].general_education", "required") in rules(ev, "error")


def test_training_field_and_destination_follow_their_conditions(engine: Engine) -> None:
    rec = fx.household()
    head = rec["members"][0]
    head["qualification"] = "7"
    assert ("members[0].training_field", "required") in rules(evaluate(engine, rec))
    head["training_field"] = "Kỹ thuật điện"
    head["job_wanted"] = "3"
    assert ("members[0].destination_country", "required") in rules(evaluate(engine, rec))
    head["destination_country"] = "KR"
    assert ("members[0].language_test", "required") in rules(evaluate(engine, rec))
    head["language_test"] = "1"
    assert not evaluate(engine, rec).errors


def test_exactly_one_head(engine: Engine) -> None:
    rec = fx.household()
    rec["members"][1]["relation"] = "1"
    assert ("members", "members:constraint:1") in rules(evaluate(engine, rec), "error")
    rec["members"][0]["relation"] = "8"
    rec["members"][1]["relation"] = "2"
    assert ("members", "members:constraint:1") in rules(evaluate(engine, rec), "error")


def test_household_needs_members(engine: Engine) -> None:
    rec = fx.household()
    rec["members"] = []
    assert ("members", "min_rows") in rules(evaluate(engine, rec), "error")


def test_family_age_warnings(engine: Engine) -> None:
    rec = fx.household()
    rec["members"][2]["birth_date"] = "1970"  # a child older than the head
    ev = evaluate(engine, rec)
    assert ("members[2].relation", "relation:constraint:3") in rules(ev, "warning")
    assert not ev.errors or all(f.rule != "relation:constraint:3" for f in ev.errors)
    rec = fx.household()
    rec["members"][0]["birth_date"] = "2013"  # head under 15
    ev = evaluate(engine, rec)
    assert ("members[0].relation", "relation:constraint:1") in rules(ev, "warning")


def test_citizen_id_that_agrees(engine: Engine) -> None:
    rec = fx.household()
    assert not [f for f in evaluate(engine, rec).findings if f.ref.field == "citizen_id"]


@pytest.mark.parametrize(("cid", "rule", "severity"), [
    ("03807500001", "citizen_id:constraint:1", "error"),      # 11 digits
    ("03807500000A", "citizen_id:constraint:1", "error"),
    ("099075000001", "citizen_id:constraint:3", "error"),     # 099: no such province of registration
    ("038076000001", "citizen_id:constraint:4", "warning"),   # born 1976 by the ID, 1975 by the form
    ("038175000001", "citizen_id:constraint:5", "warning"),   # digit 4 odd: female; the head is male
    ("038275000001", "citizen_id:constraint:4", "warning"),   # digit 4 = 2: 2075
    ("123456789", "citizen_id:constraint:2", "warning"),      # old 9-digit card: accepted, flagged
])
def test_citizen_id_rule(engine: Engine, cid: str, rule: str, severity: str) -> None:
    rec = fx.household()
    rec["members"][0]["citizen_id"] = cid
    assert ("members[0].citizen_id", rule) in rules(evaluate(engine, rec), severity)


def test_citizen_id_2000s_female() -> None:
    assert fx.citizen_id(2004, "2").startswith("038304")


def test_citizen_id_duplicated_within_household(engine: Engine) -> None:
    rec = fx.household()
    rec["members"][1]["citizen_id"] = rec["members"][0]["citizen_id"]
    found = rules(evaluate(engine, rec), "error")
    assert ("members[0].citizen_id", "citizen_id:unique:household") in found
    assert ("members[1].citizen_id", "citizen_id:unique:household") in found


def test_database_wide_uniqueness_asks_the_lookup(engine: Engine) -> None:
    rec = fx.household()
    taken = rec["members"][0]["citizen_id"]
    asked: list[tuple[str, tuple[str, ...]]] = []

    def elsewhere(field: str, within: tuple[str, ...], values: list[str]) -> set[str]:
        asked.append((field, within))
        return {taken} if field == "citizen_id" else set()

    ev = engine.evaluate(rec, today="2026-11-23", elsewhere=elsewhere)
    assert ("household_code", ("14797",)) in asked
    assert ("members[0].citizen_id", "citizen_id:unique:database") in rules(ev, "warning")


def test_nfd_input_reads_like_nfc(engine: Engine) -> None:
    from forms.records import normalize

    rec = fx.household()
    nfd = copy.deepcopy(rec)
    nfd["members"][0]["full_name"] = unicodedata.normalize("NFD", "Đặng Văn Hùng")
    assert nfd["members"][0]["full_name"] != rec["members"][0]["full_name"]
    clean = normalize(engine.definition, nfd)
    assert clean["members"][0]["full_name"] == "Đặng Văn Hùng"
    assert evaluate(engine, clean).household["head_name"] == "Đặng Văn Hùng"


def test_codes_checked_against_lists(engine: Engine) -> None:
    rec = fx.household(commune_code="03646")  # Phường Tô Hiệu is in Sơn La, not Thanh Hóa
    rec["members"][0]["ethnicity"] = "77"
    rec["members"][3]["workplace_country"] = "XX"
    ev = evaluate(engine, rec)
    found = rules(ev, "error")
    assert {("commune_code", "type"), ("members[0].ethnicity", "type"), ("members[3].workplace_country", "type")} <= found
    (commune,) = ev.for_ref(FieldRef("commune_code"))
    assert commune.text("en") == 'Code "03646" of "Commune" does not belong to the chosen "Province".'
    assert commune.text("vi") == 'Mã "03646" của "Xã, phường, đặc khu" không thuộc "Tỉnh, thành phố" đã chọn.'
    assert not evaluate(engine, fx.household(province_code="14", commune_code="03646")).errors


def test_priority_group_rules(engine: Engine) -> None:
    rec = fx.household()
    rec["members"][0]["priority_groups"] = ["4"]  # ethnic minority, but Kinh
    assert ("members[0].priority_groups", "priority_groups:constraint:1") in rules(evaluate(engine, rec), "error")
    rec["members"][0]["ethnicity"] = "08"
    assert not evaluate(engine, rec).errors


def test_dates(engine: Engine) -> None:
    rec = fx.household(interview_date="2027-01-01")
    assert ("interview_date", "interview_date:constraint:1") in rules(evaluate(engine, rec), "error")
    rec = fx.household()
    rec["members"][4]["birth_date"] = "2026-10-20"  # after the interview
    assert ("members[4].birth_date", "birth_date:constraint:2") in rules(evaluate(engine, rec), "error")
    rec["members"][4]["birth_date"] = "31/02/2014"
    assert ("members[4].birth_date", "type") in rules(evaluate(engine, rec), "error")


def test_phone_format(engine: Engine) -> None:
    for good in ("0912345678", "+84912345678", "02373123456"):
        assert not evaluate(engine, fx.household(phone=good)).errors
    assert ("phone", "phone:constraint:1") in rules(evaluate(engine, fx.household(phone="12345")), "error")


def test_messages_in_both_languages(engine: Engine) -> None:
    rec = fx.household()
    del rec["members"][0]["job"]
    (f,) = evaluate(engine, rec).errors
    assert f.text("vi") == "Câu hỏi bắt buộc chưa được trả lời."
    assert f.text("en") == "This question must be answered."
