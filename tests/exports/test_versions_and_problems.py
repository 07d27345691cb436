"""Records of several questionnaire versions in one export; values that do not fit; names."""

from __future__ import annotations

import copy
import csv
from pathlib import Path
from typing import Any

import openpyxl
import pyreadstat
import yaml

from forms import records as recordlib
from forms.definition import DEFAULT_DEFINITION, Definition, build_definition
from forms.exports import build_plan, export_files
from forms.exports.names import NameAllocator, is_valid
from tests import factories as fx


def version_3() -> Definition:
    """Version 3 as a province would make it: a new household question, a member question
    dropped, a relabelled question and a new code."""
    raw = yaml.safe_load(DEFAULT_DEFINITION.read_text(encoding="utf-8"))
    raw["version"] = "3"
    raw["choices"]["internet"] = [{"code": "1", "vi": "Có", "en": "Yes"}, {"code": "2", "vi": "Không", "en": "No"}]
    raw["choices"]["relation"]["items"].append({"code": "9", "vi": "Người giúp việc", "en": "Domestic worker"})
    household_group = raw["fields"][0]["fields"]
    household_group.insert(7, {"id": "internet", "type": "select_one", "list": "internet",
                               "label": {"vi": "Hộ có Internet", "en": "Internet at home"}})
    members = raw["fields"][1]["fields"]
    members[:] = [f for f in members if f["id"] != "social_insurance_no"]
    next(f for f in members if f["id"] == "sex")["label"] = {"vi": "Giới tính khi sinh", "en": "Sex at birth"}
    return build_definition(raw, "labour_supply-3 (test)")


def as_stored(definition: Definition, raw: dict[str, Any], uuid: str) -> dict[str, Any]:
    rec = recordlib.normalize(definition, {**raw, "uuid": uuid})
    rec.update(form_id=definition.form_id, form_version=definition.version, status="draft", revision=1)
    return rec


def test_versions_give_the_union_of_columns(tmp_path: Path, definition: Definition) -> None:
    v3 = version_3()
    old = as_stored(definition, fx.household(household_code="HT-0001"), "00000000-0000-4000-8000-000000000001")
    new_raw = fx.household(household_code="HT-0002", internet="1")
    new_raw["members"][4]["relation"] = "9"
    new = as_stored(v3, new_raw, "00000000-0000-4000-8000-000000000002")
    old["members"][0]["social_insurance_no"] = "0123456789"

    result = export_files([definition, v3], [old, new], tmp_path, formats=["sav", "csv"])
    assert not result.problems
    households, meta = pyreadstat.read_sav(tmp_path / "households.sav", output_format="dict")
    assert households["internet"] == [None, 1]  # version 2 did not ask it
    assert households["form_version"] == ["2", "3"]
    assert meta.column_names.index("internet") == meta.column_names.index("poverty_class") + 1
    members, meta = pyreadstat.read_sav(tmp_path / "members.sav", output_format="dict")
    # the dropped question keeps its column, after the question it followed in version 2
    assert meta.column_names.index("social_insurance_no") == meta.column_names.index("citizen_id") + 1
    assert members["social_insurance_no"][0] == "0123456789" and members["social_insurance_no"][5] == ""
    # labels of the newest version, codes of both
    assert meta.column_names_to_labels["sex"] == "Giới tính khi sinh"
    assert meta.variable_value_labels["relation"][9] == "Người giúp việc"
    assert meta.variable_value_labels["relation"][1] == "Chủ hộ"
    assert members["relation"][9] == 9

    wb = openpyxl.load_workbook(tmp_path / "codebook.xlsx", read_only=True)
    versions = {(r[0], r[1]): r[12] for r in wb["variables"].iter_rows(min_row=2, values_only=True)}
    assert versions[("households", "internet")] == "3"
    assert versions[("members", "social_insurance_no")] == "2"
    assert versions[("members", "sex")] == "2 3"


def test_a_type_change_between_versions_is_exported_as_text(definition: Definition) -> None:
    raw = yaml.safe_load(DEFAULT_DEFINITION.read_text(encoding="utf-8"))
    raw["version"] = "4"
    group = raw["fields"][0]["fields"]
    next(f for f in group if f["id"] == "area").update(type="text", list=None)
    del next(f for f in group if f["id"] == "area")["list"]
    v4 = build_definition(raw, "v4")
    area = next(v for v in build_plan([definition, v4]).levels["households"] if v.name == "area")
    assert area.storage == "string" and area.field_type == "mixed" and area.versions == ["4", "2"]


def test_values_that_do_not_fit_are_left_empty_and_reported(tmp_path: Path, definition: Definition) -> None:
    raw = fx.household(household_code="HT-BAD")
    raw["members"][2]["birth_date"] = "31/02/1990"  # a draft keeps what the paper says
    raw["household"]["area"] = "x"
    rec = as_stored(definition, raw, "00000000-0000-4000-8000-00000000000b")
    result = export_files([definition], [rec], tmp_path, formats=["csv", "dta"])
    found = {(p.level, p.row, p.variable, p.value) for p in result.problems}
    assert found == {("households", None, "area", "x"), ("members", 3, "birth_date", "31/02/1990")}
    assert all(p.household_code == "HT-BAD" for p in result.problems)
    data, _ = pyreadstat.read_dta(tmp_path / "members.dta", output_format="dict")
    assert data["birth_date"][2] is None and data["birth_date_year"][2] is None
    with open(tmp_path / "households.csv", encoding="utf-8-sig", newline="") as fh:
        assert next(csv.DictReader(fh))["area"] == ""
    wb = openpyxl.load_workbook(tmp_path / "codebook.xlsx", read_only=True)
    about = dict(r[:2] for r in wb["about"].iter_rows(values_only=True))
    assert about["Giá trị không ghi được (để trống)"] == 2


def test_variable_names_suit_spss_and_stata() -> None:
    names = NameAllocator()
    long = "training_field_wanted_by_the_member_in_detail"
    got = [names.allocate(w, labelled=lab) for w, lab in
           [(long, False), (long, False), (long, True), ("with", False), ("_n", False), ("1st", False),
            ("Sex", False), ("sex", False), ("str12", False), ("tên", False)]]
    assert got[0] == long[:32] and got[1] == long[:30] + "_2" and got[2] == long[:28]
    assert got[3:6] == ["with_", "v_n", "v1st"]
    assert got[6:8] == ["Sex", "sex_2"]  # SPSS does not tell Sex from sex
    assert got[8] == "str12_" and got[9] == "t_n"
    assert all(is_valid(n) for n in got) and is_valid(got[2], labelled=True)


def test_long_labels_are_cut_for_stata_and_kept_whole_in_the_codebook(tmp_path: Path, definition: Definition) -> None:
    raw = yaml.safe_load(DEFAULT_DEFINITION.read_text(encoding="utf-8"))
    long_label = "Trình độ chuyên môn kỹ thuật cao nhất đã đạt được, kể cả các khoá đào tạo nghề ngắn hạn ở nước ngoài"
    education = raw["fields"][1]["fields"][-1]["fields"][0]["fields"]
    next(f for f in education if f["id"] == "qualification")["label"]["vi"] = long_label
    d = build_definition(copy.deepcopy(raw), "long")
    export_files([d], [], tmp_path, formats=["dta", "sav"])
    _, meta = pyreadstat.read_dta(tmp_path / "members.dta", output_format="dict", metadataonly=True)
    cut = meta.column_names_to_labels["qualification"]
    assert len(cut) == 80 and cut.endswith("…") and long_label.startswith(cut[:-1])
    _, meta = pyreadstat.read_sav(tmp_path / "members.sav", output_format="dict", metadataonly=True)
    assert meta.column_names_to_labels["qualification"] == long_label
    wb = openpyxl.load_workbook(tmp_path / "codebook.xlsx", read_only=True)
    labels = {r[1]: r[2] for r in wb["variables"].iter_rows(min_row=2, values_only=True)}
    assert labels["qualification"] == long_label


def test_whole_numbers_and_decimals(tmp_path: Path) -> None:
    raw = yaml.safe_load(DEFAULT_DEFINITION.read_text(encoding="utf-8"))
    group = raw["fields"][0]["fields"]
    group.append({"id": "rooms", "type": "integer", "label": {"vi": "Số phòng", "en": "Rooms"}})
    group.append({"id": "land_area", "type": "decimal", "label": {"vi": "Diện tích đất (ha)", "en": "Land (ha)"}})
    d = build_definition(raw, "numbers")
    recs = [as_stored(d, fx.household(household_code=f"HT-{i}", **answers), f"00000000-0000-4000-8000-00000000000{i}")
            for i, answers in enumerate([{"rooms": 3, "land_area": "1,25"}, {"rooms": "2", "land_area": 0.5}, {},
                                         {"rooms": "ba"}])]
    result = export_files([d], recs, tmp_path, formats=["dta", "xlsx"])
    assert [(p.variable, p.value) for p in result.problems] == [("rooms", "ba")]
    data, meta = pyreadstat.read_dta(tmp_path / "households.dta", output_format="dict")
    assert data["rooms"] == [3, 2, None, None] and data["land_area"] == [1.25, 0.5, None, None]
    assert meta.readstat_variable_types["rooms"] in ("int32", "int16", "int8")
    assert meta.readstat_variable_types["land_area"] == "double"
    assert meta.column_names_to_labels["land_area"] == "Diện tích đất (ha)"
    rows = list(openpyxl.load_workbook(tmp_path / "households.xlsx", read_only=True).active.iter_rows(values_only=True))
    col = rows[0].index("land_area")
    assert [r[col] if col < len(r) else None for r in rows[1:]] == [1.25, 0.5, None, None]  # read_only trims empty ends
