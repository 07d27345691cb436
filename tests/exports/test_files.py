"""Exports read back the way a statistician opens them: pyreadstat for SPSS and Stata,
openpyxl for Excel, a naive CSV reader for CSV."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pyreadstat
import pytest

from forms.definition import Definition
from forms.exports import export_files
from forms.exports.names import MAX_LABELLED_LENGTH, MAX_LENGTH, is_valid
from tests.exports.conftest import rows_by


def member_row(data: dict[str, list[Any]], name: str) -> dict[str, Any]:
    (i,) = rows_by(data, "full_name", name)
    return {k: v[i] for k, v in data.items()}


@pytest.fixture
def exported(tmp_path: Path, definition: Definition, records: list[dict[str, Any]]) -> Path:
    result = export_files([definition], records, tmp_path / "out")
    assert {f.path.name for f in result.files} == {
        "households.csv", "members.csv", "households.xlsx", "members.xlsx", "households.sav", "members.sav",
        "households.dta", "members.dta", "codebook.xlsx"}
    assert result.households == 21 and not result.problems
    return tmp_path / "out"


def test_spss_values_value_labels_dates_and_multiple_choice(exported: Path, records: list[dict[str, Any]]) -> None:
    data, meta = pyreadstat.read_sav(exported / "members.sav", output_format="dict")
    assert len(data["full_name"]) == sum(len(r["members"]) for r in records)
    hung = member_row(data, "Đặng Văn Hùng")
    assert hung["sex"] == 1 and meta.variable_value_labels["sex"][1] == "Nam"
    assert meta.column_names_to_labels["sex"] == "Giới tính"
    assert meta.column_names_to_labels["full_name"] == "Họ, chữ đệm và tên"
    assert hung["birth_date"] == dt.date(1975, 4, 12) and meta.original_variable_types["birth_date"] == "DATE11"
    assert hung["citizen_id"] == "038075000001"
    assert hung["age"] == 51
    # a code list of letters keeps its codes, and SPSS labels them
    assert hung["economic_sector"] == "C"
    assert meta.variable_value_labels["economic_sector"]["C"].startswith("Công nghiệp chế biến")

    hoa = member_row(data, "Lê Thị Hoà")
    assert hoa["birth_date"] is None and hoa["birth_date_year"] == 1978  # the year alone
    assert hoa["ethnicity"] == 2 and meta.variable_value_labels["ethnicity"][2] == "Tày"
    assert (hoa["priority_groups_1"], hoa["priority_groups_2"], hoa["priority_groups_4"]) == (1, 0, 1)
    assert hoa["priority_groups"] == "1 4"
    assert meta.column_names_to_labels["priority_groups_4"] == "Đối tượng ưu tiên: Người dân tộc thiểu số"
    assert meta.variable_value_labels["priority_groups_4"] == {0: "Không", 1: "Có"}
    # not answered is system missing, not 0; an empty text is an empty string
    assert hung["priority_groups_1"] is None and hung["social_insurance_no"] == ""
    bao = member_row(data, "Đặng Gia Bảo")  # 12 years old: no labour module
    assert bao["labour_status"] is None and bao["age"] == 12


def test_stata_labels_whole_number_codes_and_names_fit(exported: Path) -> None:
    data, meta = pyreadstat.read_dta(exported / "members.dta", output_format="dict")
    hung = member_row(data, "Đặng Văn Hùng")
    assert hung["sex"] == 1 and meta.variable_value_labels["sex"] == {1: "Nam", 2: "Nữ"}
    assert meta.variable_value_labels["labour_status"][1] == "Có việc làm"
    assert hung["birth_date"] == dt.date(1975, 4, 12) and meta.original_variable_types["birth_date"] == "%td"
    assert hung["economic_sector"] == "C" and "economic_sector" not in meta.variable_value_labels
    assert all(len(n) <= MAX_LENGTH and is_valid(n) for n in meta.column_names)
    assert all(len(n) <= MAX_LABELLED_LENGTH for n in meta.variable_value_labels)
    assert all(len(label) <= 80 for label in meta.column_labels)
    hoa = member_row(data, "Lê Thị Hoà")
    assert meta.value_labels[meta.variable_to_label["ethnicity"]][hoa["ethnicity"]] == "Tày"


def test_english_labels(tmp_path: Path, definition: Definition, records: list[dict[str, Any]]) -> None:
    export_files([definition], records, tmp_path, formats=["sav"], lang="en")
    _, meta = pyreadstat.read_sav(tmp_path / "members.sav", output_format="dict", metadataonly=True)
    assert meta.variable_value_labels["sex"] == {1: "Male", 2: "Female"}
    assert meta.column_names_to_labels["labour_status"] == "Labour force status"
    assert meta.variable_value_labels["priority_groups_4"] == {0: "No", 1: "Yes"}


def test_levels_join_on_uuid_and_household_code(exported: Path, records: list[dict[str, Any]]) -> None:
    households, _ = pyreadstat.read_dta(exported / "households.dta", output_format="dict")
    members, _ = pyreadstat.read_sav(exported / "members.sav", output_format="dict")
    assert len(households["household_uuid"]) == len(records) == len(set(households["household_uuid"]))
    code_of = dict(zip(households["household_uuid"], households["household_code"]))
    assert set(members["household_uuid"]) == set(code_of)
    for uuid, code in zip(members["household_uuid"], members["household_code"]):
        assert code_of[uuid] == code
    for rec in records:
        rows = rows_by(members, "household_uuid", rec["uuid"])
        assert [members["member_no"][i] for i in rows] == list(range(1, len(rec["members"]) + 1))
        assert [members["member_id"][i] for i in rows] == [m["_id"] for m in rec["members"]]
    assert households["interview_date"][0] == dt.date(2026, 10, 15)
    assert set(households["commune_code"]) == {14797}


def test_xlsx_dates_numbers_and_leading_zeros(exported: Path, records: list[dict[str, Any]]) -> None:
    wb = openpyxl.load_workbook(exported / "members.xlsx", read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == sum(len(r["members"]) for r in records)
    hung = dict(zip(header, next(r for r in body if r[header.index("full_name")] == "Đặng Văn Hùng")))
    assert hung["birth_date"] == dt.datetime(1975, 4, 12)  # a date cell, not text
    assert hung["citizen_id"] == "038075000001" and hung["sex"] == 1 and hung["ethnicity"] == 1
    assert hung["workplace_name"] == "Công ty May Thanh Hóa"
    wb = openpyxl.load_workbook(exported / "households.xlsx")
    ws = wb.active
    assert ws.freeze_panes == "A2"
    col = [c.value for c in ws[1]].index("interview_date") + 1
    assert ws.cell(2, col).is_date and ws.cell(2, col).number_format == "yyyy-mm-dd"


def test_csv_opens_in_excel_with_vietnamese(exported: Path) -> None:
    raw = (exported / "members.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    with open(exported / "members.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    hoa = next(r for r in rows if r["full_name"] == "Lê Thị Hoà")
    assert hoa["ethnicity"] == "2" and hoa["birth_date"] == "" and hoa["birth_date_year"] == "1978"
    assert hoa["priority_groups"] == "1 4" and hoa["priority_groups_4"] == "1" and hoa["priority_groups_3"] == "0"
    hung = next(r for r in rows if r["full_name"] == "Đặng Văn Hùng")
    assert hung["birth_date"] == "1975-04-12" and hung["job"] == "Công nhân may" and hung["priority_groups_1"] == ""


def test_csv_labels_and_excel_text(tmp_path: Path, definition: Definition, records: list[dict[str, Any]]) -> None:
    export_files([definition], records, tmp_path, formats=["csv"], labels=True, excel_text=True, lang="en")
    with open(tmp_path / "members.csv", encoding="utf-8-sig", newline="") as fh:
        hung = next(r for r in csv.DictReader(fh) if r["full_name"] == "Đặng Văn Hùng")
    assert hung["sex"] == "Male" and hung["labour_status"] == "Employed" and hung["ethnicity"] == "Kinh"
    assert hung["citizen_id"] == '="038075000001"'


def test_codebook_lists_every_variable_with_codes(exported: Path) -> None:
    wb = openpyxl.load_workbook(exported / "codebook.xlsx", read_only=True)
    assert wb.sheetnames == ["about", "variables", "values"]
    variables = list(wb["variables"].iter_rows(values_only=True))
    by_name = {(r[0], r[1]): r for r in variables[1:]}
    _, meta = pyreadstat.read_sav(exported / "members.sav", metadataonly=True, output_format="dict")
    assert {n for (level, n) in by_name if level == "members"} == set(meta.column_names)
    sex = by_name[("members", "sex")]
    assert sex[2:4] == ("Giới tính", "Sex") and sex[7] == "sex" and sex[8] == "Có"  # provisional codes
    training = by_name[("members", "training_field")]
    assert training[9] == "${age} >= 15 and ${qualification} >= 4"
    assert by_name[("members", "ethnicity")][7] == "ethnic_groups (ethnic_groups_gso 1979-03-02)"
    values = list(wb["values"].iter_rows(values_only=True))
    assert ("members", "ethnicity", 2, "02", "Tày", "Tay") in values
    assert ("members", "priority_groups_4", 1, None, "Có", "Yes") in values
    assert any(v[:4] == ("members", "economic_sector", "C", "C") for v in values)


def test_nothing_to_export_still_writes_readable_files(tmp_path: Path, definition: Definition) -> None:
    result = export_files([definition], [], tmp_path)
    assert result.households == 0 and all(f.rows == 0 for f in result.files if f.level != "codebook")
    data, meta = pyreadstat.read_dta(tmp_path / "members.dta", output_format="dict")
    assert data["full_name"] == [] and meta.variable_value_labels["sex"][2] == "Nữ"
    data, meta = pyreadstat.read_sav(tmp_path / "members.sav", output_format="dict")
    assert meta.original_variable_types["birth_date"] == "DATE11"
