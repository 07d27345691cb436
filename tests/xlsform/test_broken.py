"""A broken workbook is refused with the sheet, the row and the reason of every problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from forms.definition import Definition
from forms.xlsform import WorkbookError, read_workbook, write_workbook
from tests.xlsform.helpers import column, edit, run, survey_rows


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory, definition: Definition) -> Path:
    path = tmp_path_factory.mktemp("xlsform") / "labour_supply-1.xlsx"
    write_workbook(definition, path)
    return path


@pytest.fixture(scope="module")
def rows(workbook: Path) -> dict[str, int]:
    return survey_rows(openpyxl.load_workbook(workbook)["survey"])


def refused(workbook: Path, tmp_path: Path, change: Callable[[openpyxl.Workbook], None]) -> list[str]:
    broken = edit(workbook, tmp_path / "broken.xlsx", change)
    with pytest.raises(WorkbookError) as exc:
        read_workbook(broken)
    return [p.text("en") for p in exc.value.problems]


def set_cell(sheet: str, row: int, title: str, value: object) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb[sheet]
        ws.cell(row, column(ws, title)).value = value
    return change


def test_missing_sheet(workbook: Path, tmp_path: Path) -> None:
    assert refused(workbook, tmp_path, lambda wb: wb.remove(wb["settings"])) == [
        'sheet settings: the workbook has no "settings" sheet']


def test_unknown_type(workbook: Path, tmp_path: Path, rows: dict[str, int]) -> None:
    problems = refused(workbook, tmp_path, set_cell("survey", rows["area"], "type", "select_on area"))
    assert problems == [f'sheet survey, row {rows["area"]}: unknown type "select_on area"; use one of: calculate, date, '
                        "decimal, integer, partial_date, text, select_one LIST, select_multiple LIST, begin group, "
                        "end group, begin repeat, end repeat"]


def test_expression_syntax_error_points_at_its_row(workbook: Path, tmp_path: Path, rows: dict[str, int]) -> None:
    (problem,) = refused(workbook, tmp_path, set_cell("survey", rows["contract"], "relevant", "${employment_status} = = 4"))
    assert problem.startswith(f'sheet survey, row {rows["contract"]}: "contract": relevant: ')


def test_unknown_field_in_an_expression(workbook: Path, tmp_path: Path, rows: dict[str, int]) -> None:
    (problem,) = refused(workbook, tmp_path, set_cell("survey", rows["previous_job"], "relevant", "${unemploymnt_type} = 2"))
    assert problem == (f'sheet survey, row {rows["previous_job"]}: "previous_job": relevant: relevant refers to '
                       "${unemploymnt_type}, which is not a field of this form")


def test_cycle_among_calculations(workbook: Path, tmp_path: Path, rows: dict[str, int]) -> None:
    # age would read head_age_if_head, which reads age
    (problem,) = refused(workbook, tmp_path, set_cell("survey", rows["age"], "calculation", "${head_age_if_head} + 0"))
    assert any(problem.startswith(f'sheet survey, row {rows[name]}: "{name}": calculations and conditions depend on '
                                  "each other in a cycle") for name in ("age", "head_age_if_head"))


def test_a_bad_rule_on_the_constraints_sheet_points_at_that_sheet(workbook: Path, tmp_path: Path) -> None:
    (problem,) = refused(workbook, tmp_path, set_cell("constraints", 3, "constraint", "not(${relation} = 3 and ${age} >="))
    assert problem.startswith('sheet constraints, row 3: "relation": constraint ')


def test_choice_list_missing(workbook: Path, tmp_path: Path, rows: dict[str, int]) -> None:
    assert refused(workbook, tmp_path, set_cell("survey", rows["sex"], "type", "select_one gender")) == [
        f'sheet survey, row {rows["sex"]}: choice list "gender" is on neither the choices nor the code_lists sheet']


def test_duplicate_name(workbook: Path, tmp_path: Path, rows: dict[str, int]) -> None:
    assert refused(workbook, tmp_path, set_cell("survey", rows["job"], "name", "sex")) == [
        f'sheet survey, row {rows["job"]}: name "sex" is already used on row {rows["sex"]}']


def test_label_in_one_language_only(workbook: Path, tmp_path: Path, rows: dict[str, int]) -> None:
    assert refused(workbook, tmp_path, set_cell("survey", rows["village"], "label::English (en)", None)) == [
        f'sheet survey, row {rows["village"]}: "label::Vietnamese (vi)" is filled in but "label::English (en)" is empty: '
        "every text needs Vietnamese and English"]


def test_choice_label_in_one_language_only_and_duplicate_code(workbook: Path, tmp_path: Path) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb["choices"]
        ws.cell(2, 3).value = None  # area 1 without its Vietnamese label
        ws.cell(3, 2).value = "1"  # area 2 becomes a second code 1
    assert refused(workbook, tmp_path, change) == [
        'sheet choices, row 2: "label::English (en)" is filled in but "label::Vietnamese (vi)" is empty: '
        "every text needs Vietnamese and English",
        'sheet choices, row 3: code "1" of list "area" is already on row 2']


def test_unclosed_repeat(workbook: Path, tmp_path: Path, rows: dict[str, int]) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb["survey"]
        end = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "end repeat")
        ws.delete_rows(end)
    assert refused(workbook, tmp_path, change) == [
        f'sheet survey, row {rows["members"]}: "begin repeat members" has no "end repeat"']


def test_end_group_closing_a_repeat(workbook: Path, tmp_path: Path, rows: dict[str, int]) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb["survey"]
        end = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "end group" and ws.cell(r, 2).value == "labour")
        ws.delete_rows(end)  # the labour group is left open, so "end repeat" meets it
    problems = refused(workbook, tmp_path, change)
    assert problems[0].startswith("sheet survey, row ") and 'does not match "begin group labour" on row ' in problems[0]
    assert problems[1] == f'sheet survey, row {rows["members"]}: "begin repeat members" has no "end repeat"'


def test_constraint_without_message_and_a_bad_severity(workbook: Path, tmp_path: Path, rows: dict[str, int]) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        set_cell("survey", rows["phone"], "constraint_message::Vietnamese (vi)", None)(wb)
        set_cell("survey", rows["phone"], "constraint_message::English (en)", None)(wb)
        set_cell("survey", rows["village"], "constraint", "string-length(.) > 1")(wb)
        set_cell("survey", rows["village"], "constraint_message::Vietnamese (vi)", "Quá ngắn")(wb)
        set_cell("survey", rows["village"], "constraint_message::English (en)", "Too short")(wb)
        set_cell("survey", rows["village"], "constraint_severity", "fatal")(wb)
    assert refused(workbook, tmp_path, change) == [
        f'sheet survey, row {rows["village"]}: severity "fatal" must be error or warning',
        f"sheet survey, row {rows['phone']}: a constraint needs a constraint_message in Vietnamese and English"]


def test_unknown_name_on_the_unique_sheet(workbook: Path, tmp_path: Path) -> None:
    assert refused(workbook, tmp_path, set_cell("unique", 2, "name", "household_no")) == [
        'sheet unique, row 2: "household_no" is not the name of a row of the survey sheet']


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    path.write_text("form_id,version\n", encoding="utf-8")
    with pytest.raises(WorkbookError) as exc:
        read_workbook(path)
    assert exc.value.problems[0].text("en").startswith(f"{path} is not an Excel workbook (.xlsx) that can be read")


def test_the_command_lists_every_problem_in_vietnamese(workbook: Path, tmp_path: Path, rows: dict[str, int]) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        set_cell("survey", rows["area"], "type", "select_on area")(wb)
        set_cell("survey", rows["job"], "name", "sex")(wb)
    broken = edit(workbook, tmp_path / "broken.xlsx", change)
    r = run("forms", "import", str(broken), "-o", str(tmp_path / "out"), lang="vi")
    assert r.returncode == 1 and not (tmp_path / "out").exists()
    assert f"Bảng tính {broken} không dùng được:" in r.stderr
    assert f'trang survey, dòng {rows["area"]}: type "select_on area" không dùng được' in r.stderr
    assert f'trang survey, dòng {rows["job"]}: tên "sex" đã dùng ở dòng {rows["sex"]}' in r.stderr
