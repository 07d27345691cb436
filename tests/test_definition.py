"""Questionnaire definitions: the shipped one, and broken ones refused with file, field, reason."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from forms.definition import DEFAULT_DEFINITION, Definition, DefinitionError, load_definition

RAW: dict[str, Any] = yaml.safe_load(DEFAULT_DEFINITION.read_text(encoding="utf-8"))


def find(raw: dict[str, Any], fid: str) -> dict[str, Any]:
    def walk(fields: list[dict[str, Any]]) -> dict[str, Any] | None:
        for f in fields:
            if f["id"] == fid:
                return f
            found = walk(f.get("fields", []))
            if found:
                return found
        return None
    result = walk(raw["fields"])
    assert result is not None, fid
    return result


def refused(tmp_path: Path, raw: dict[str, Any] | str) -> DefinitionError:
    path = tmp_path / "province.yaml"
    path.write_text(raw if isinstance(raw, str) else yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load_definition(path)
    assert str(path) in str(info.value)
    return info.value


def edited(change) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    change(raw)
    return raw


def test_the_shipped_questionnaire_is_complete(definition: Definition) -> None:
    spec_questions = {
        "province_code", "commune_code", "village", "household_code", "address", "area", "poverty_class", "phone",
        "interview_date", "officer", "full_name", "relation", "birth_date", "sex", "citizen_id", "social_insurance_no",
        "ethnicity", "residence", "priority_groups", "general_education", "qualification", "training_field",
        "labour_status", "employment_status", "job", "social_insurance", "contract", "workplace_name", "workplace_type",
        "economic_sector", "workplace_address", "unemployment_type", "previous_job", "unemployment_duration",
        "inactive_reason", "job_wanted", "destination_country", "training_wanted", "training_field_wanted",
    }
    assert spec_questions <= set(definition.by_id)
    for f in definition.by_id.values():
        if f.is_answer:
            assert f.label and f.label.vi and f.label.en, f.id
    assert len(definition.lists["communes"].items) == 3321
    assert definition.lists["provinces"].label("38", "vi") == "Tỉnh Thanh Hóa"
    assert definition.lists["labour_status"].label("2", "vi") == "Thất nghiệp"
    assert definition.lists["relation"].provisional
    assert definition.lists["vsic_sections"].source == "vsic_2025_sections"


def test_a_province_edit_is_followed(tmp_path: Path) -> None:
    """A province adds a question and relabels another: no code change needed."""
    def change(raw: dict[str, Any]) -> None:
        raw["version"] = "1.1-thanhhoa"
        find(raw, "job")["label"] = {"vi": "Nghề nghiệp hiện tại", "en": "Present occupation"}
        find(raw, "needs")["fields"].append({
            "id": "wants_loan", "type": "select_one", "list": "job_wanted", "required": True,
            "relevant": "${job_wanted} = 2", "label": {"vi": "Có cần vay vốn đi xuất khẩu lao động?", "en": "Needs a loan?"},
        })
    path = tmp_path / "thanhhoa.yaml"
    path.write_text(yaml.safe_dump(edited(change), allow_unicode=True), encoding="utf-8")
    d = load_definition(path)
    assert d.version == "1.1-thanhhoa"
    assert d.by_id["job"].label.vi == "Nghề nghiệp hiện tại"
    assert d.by_id["wants_loan"].roster == "members"


@pytest.mark.parametrize(("change", "field", "reason"), [
    (lambda r: find(r, "contract").update(relevant="${employment_stat} = 4"), "contract",
     "refers to ${employment_stat}, which is not a field of this form"),
    (lambda r: find(r, "contract").update(relevant="${employment_status} == 4"), "contract", "syntax error at column"),
    (lambda r: find(r, "contract").update(relevant="lookup(${employment_status})"), "contract", "unknown function lookup()"),
    (lambda r: find(r, "household")["fields"].append({"id": "village", "type": "text", "label": {"vi": "a", "en": "b"}}),
     "village", "duplicate id"),
    (lambda r: find(r, "age").update(calculation="${is_head} + 1") or find(r, "is_head").update(calculation="${age}"),
     "", "cycle"),
    (lambda r: find(r, "sex").update(list="genders"), "sex", "unknown code list 'genders'"),
    (lambda r: find(r, "sex").update(type="radio"), "sex", "unknown type 'radio'"),
    (lambda r: find(r, "sex").update(label={"vi": "Giới tính"}), "sex", "needs both a Vietnamese (vi) and an English (en)"),
    (lambda r: find(r, "phone")["constraints"][0].update(severity="fatal"), "phone", "severity of error or warning"),
    (lambda r: find(r, "phone")["constraints"][0].update(expr="regex(., '^0')) and"), "phone", "syntax error"),
    (lambda r: find(r, "commune_code").update(filter_by="district_code"), "commune_code", "filter_by names 'district_code'"),
    (lambda r: r["choices"]["sex"]["items"].append({"code": "1", "vi": "Khác", "en": "Other"}), "-", "code '1' appears twice"),
    (lambda r: r["code_lists"].update(communes="communes_2031"), "-", "no national code list named 'communes_2031'"),
    (lambda r: r.pop("version"), "-", "missing top-level key 'version'"),
])
def test_broken_definitions_are_refused(tmp_path: Path, change, field: str, reason: str) -> None:
    err = refused(tmp_path, edited(change))
    text = str(err)
    assert reason in text, text
    if field not in ("", "-"):
        assert any(fid == field for fid, _ in err.problems), err.problems


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    def change(raw: dict[str, Any]) -> None:
        find(raw, "sex").update(list="genders")
        find(raw, "job").update(relevant="${nothing} = 1")
    err = refused(tmp_path, edited(change))
    assert {fid for fid, _ in err.problems} >= {"sex"}
    assert "genders" in str(err)


def test_yaml_traps_are_named(tmp_path: Path) -> None:
    text = DEFAULT_DEFINITION.read_text(encoding="utf-8")
    comma = text.replace('{vi: "Tỉnh, thành phố", en: "Province"}', "{vi: Tỉnh, thành phố, en: Province}")
    assert comma != text
    assert "a comma inside {...} splits a text" in str(refused(tmp_path, comma))
    bare_no = text.replace('en: "No"}', "en: No}")
    assert bare_no != text
    assert "is not text; put it in quotes" in str(refused(tmp_path, bare_no))
    assert "not valid YAML" in str(refused(tmp_path, "fields: [\n  - id: x\n    type: : text"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="cannot read the file"):
        load_definition(tmp_path / "nowhere.yaml")
