"""The questionnaire to an XLSForm workbook and back; an edited workbook as version 2."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from forms.definition import DEFINITIONS_DIR, Definition, load_definition
from forms.engine import Engine
from forms.registry import FormRegistry
from forms.xlsform import read_workbook, save_version, write_workbook
from tests import factories as fx
from tests.xlsform.helpers import column, edit, run, snapshot, survey_rows


@pytest.fixture
def workbook(tmp_path: Path, definition: Definition) -> Path:
    path = tmp_path / "labour_supply-2.xlsx"
    write_workbook(definition, path)
    return path


def test_the_shipped_questionnaire_round_trips(workbook: Path, definition: Definition, tmp_path: Path) -> None:
    imported = read_workbook(workbook)
    assert not imported.warnings
    assert snapshot(imported.definition) == snapshot(definition)
    # and through the YAML file it is saved as, read by the normal loader
    saved = save_version(imported, tmp_path / "defs", known=[])
    assert saved.written and saved.path.name == "labour_supply-2.yaml"
    assert snapshot(load_definition(saved.path)) == snapshot(definition)


def test_the_workbook_follows_xlsform(workbook: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    assert wb.sheetnames[:3] == ["survey", "choices", "settings"]
    survey = wb["survey"]
    header = [c.value for c in survey[1]]
    assert header[:6] == ["type", "name", "label::Vietnamese (vi)", "label::English (en)", "hint::Vietnamese (vi)",
                          "hint::English (en)"]
    rows = survey_rows(survey)
    types = {name: survey.cell(r, 1).value for name, r in rows.items()}
    assert types["members"] == "begin repeat" and types["household"] == "begin group"
    assert types["sex"] == "select_one sex" and types["priority_groups"] == "select_multiple priority_groups"
    assert types["birth_date"] == "partial_date" and types["age"] == "calculate"
    ends = [survey.cell(r, 1).value for r in range(2, survey.max_row + 1) if str(survey.cell(r, 1).value).startswith("end")]
    assert ends.count("end repeat") == 1 and ends.count("end group") == 10
    sex = rows["sex"]
    assert survey.cell(sex, column(survey, "label::Vietnamese (vi)")).value == "Giới tính"
    assert survey.cell(sex, column(survey, "required")).value == "yes"
    commune = rows["commune_code"]
    assert survey.cell(commune, column(survey, "choice_filter")).value == "parent = ${province_code}"
    phone = rows["phone"]
    assert survey.cell(phone, column(survey, "constraint")).value.startswith("regex(., ")
    assert survey.cell(phone, column(survey, "constraint_message::English (en)")).value.startswith("Not a Vietnamese phone")
    choices = [tuple(c.value for c in row) for row in wb["choices"].iter_rows(min_row=2)]
    assert ("sex", "2", "Nữ", "Female") in choices
    code_lists = {r[0].value: (r[1].value, r[2].value) for r in wb["code_lists"].iter_rows(min_row=2)}
    assert code_lists["communes"] == ("communes_2025", None) and code_lists["sex"] == (None, "yes")
    settings = [c.value for c in wb["settings"][2]]
    assert settings[:2] == ["labour_supply", "2"]


def add_internet_question(wb: openpyxl.Workbook, version: str | None = "3") -> None:
    """What a province does: a new question with its own code list, a changed label, a new code."""
    survey = wb["survey"]
    rows = survey_rows(survey)
    at = rows["poverty_class"] + 1
    survey.insert_rows(at)
    for title, value in (("type", "select_one internet"), ("name", "internet"), ("required", "yes"),
                         ("label::Vietnamese (vi)", "Hộ có kết nối Internet"), ("label::English (en)", "Internet at home")):
        survey.cell(at, column(survey, title)).value = value
    survey.cell(survey_rows(survey)["sex"], column(survey, "label::Vietnamese (vi)")).value = "Giới tính khi sinh"
    wb["choices"].append(["internet", "1", "Có", "Yes"])
    wb["choices"].append(["internet", "2", "Không", "No"])
    wb["choices"].append(["relation", "9", "Người giúp việc", "Domestic worker"])
    if version:
        wb["settings"].cell(2, 2).value = version


def test_an_edited_workbook_becomes_version_3(workbook: Path, tmp_path: Path) -> None:
    edited = edit(workbook, tmp_path / "tinh-thanh-hoa.xlsx", add_internet_question)
    folder = tmp_path / "definitions"
    r = run("forms", "import", str(edited), "-o", str(folder))
    assert r.returncode == 0, r.stderr
    assert f"Wrote {folder / 'labour_supply-3.yaml'}: questionnaire labour_supply version 3, 55 question(s)" in r.stdout
    assert run("forms", "check", str(folder / "labour_supply-3.yaml")).returncode == 0

    registry = FormRegistry([DEFINITIONS_DIR, folder])
    v2 = registry.current()
    assert v2.version == "3" and registry.get("labour_supply", "2").by_id.get("internet") is None
    internet = v2.by_id["internet"]
    assert internet.label.vi == "Hộ có kết nối Internet" and internet.required and internet.parent == "household"
    assert [f.id for f in v2.answer_fields(None)].index("internet") == [f.id for f in v2.answer_fields(None)].index(
        "poverty_class") + 1
    assert v2.by_id["sex"].label.vi == "Giới tính khi sinh"
    assert v2.lists["relation"].label("9", "en") == "Domestic worker" and v2.lists["relation"].provisional
    # the engine follows the new version: the new question is required
    findings = Engine(v2).evaluate(fx.household()).findings
    assert [f.ref.field for f in findings if f.rule == "required"] == ["internet"]
    assert not Engine(v2).evaluate(fx.household(internet="1")).errors


def test_same_version_with_other_content_is_refused(workbook: Path, tmp_path: Path) -> None:
    edited = edit(workbook, tmp_path / "edited.xlsx", lambda wb: add_internet_question(wb, version=None))
    folder = tmp_path / "definitions"
    r = run("forms", "import", str(edited), "-o", str(folder))
    assert r.returncode == 2 and not folder.exists()
    assert "version 2 already exists" in r.stderr and "--version 3" in r.stderr
    r = run("forms", "import", str(edited), "--version", "3", "-o", str(folder))
    assert r.returncode == 0, r.stderr
    # version 3 is now taken: importing it again with yet other content is refused too
    other = edit(edited, tmp_path / "other.xlsx", lambda wb: wb["choices"].append(["internet", "3", "Không rõ", "Unknown"]))
    r = run("forms", "import", str(other), "--version", "3", "-o", str(folder))
    assert r.returncode == 2 and "version 3 already exists" in r.stderr and "--version 4" in r.stderr
    r = run("forms", "import", str(other), "--version", "0.9", "-o", str(folder))
    assert r.returncode == 2 and "lower than the newest one (3)" in r.stderr
    # the same content again writes nothing and says so
    r = run("forms", "import", str(edited), "--version", "3", "-o", str(folder))
    assert r.returncode == 0 and "nothing written" in r.stdout


def test_forms_export_command_writes_the_installed_version(tmp_path: Path, definition: Definition) -> None:
    out = tmp_path / "form.xlsx"
    r = run("forms", "export", "--form", "labour_supply", "--version", "2", "-o", str(out), lang="vi")
    assert r.returncode == 0, r.stderr
    assert "phiếu labour_supply phiên bản 2" in r.stdout
    assert snapshot(read_workbook(out).definition) == snapshot(definition)
    r = run("forms", "export", "--version", "7", "-o", str(out))
    assert r.returncode == 2 and "version 7 is not installed" in r.stderr
