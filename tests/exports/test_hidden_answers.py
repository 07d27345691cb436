"""A draft keeps answers whose question no longer applies (the officer changed a birth date and
the member is now under 15; they are removed only when the household is completed). The
export must not carry them: a statistician would count a 11-year-old as employed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from forms.definition import load_definition
from forms.engine import Engine
from tests import factories as fx
from tests.exports.test_command import run


def test_a_drafts_export_leaves_out_answers_whose_question_no_longer_applies(tmp_path: Path) -> None:
    draft = fx.household(household_code="HT-0042")
    draft["status"] = "draft"
    hung = draft["members"][0]
    hung["birth_date"] = "2015-04-12"  # keyed as under 15 after his labour answers
    stale = {r.field for r in Engine(load_definition()).evaluate(draft).irrelevant_answers if r.row == 0}
    assert {"labour_status", "job", "employment_status"} <= stale
    src = tmp_path / "village.jsonl"
    src.write_text(json.dumps(draft, ensure_ascii=False), encoding="utf-8")
    data = tmp_path / "data"
    assert run(data, "households", "import", str(src)).returncode == 0

    out = tmp_path / "plain"
    r = run(data, "export", "--plain", "--format", "csv", "-o", str(out))
    assert r.returncode == 0, r.stderr
    with open(out / "members.csv", encoding="utf-8-sig", newline="") as fh:
        rows = {row["full_name"]: row for row in csv.DictReader(fh)}
    assert rows["Đặng Văn Hùng"]["birth_date"] == "2015-04-12"
    assert all(rows["Đặng Văn Hùng"][name] == "" for name in stale if name in rows["Đặng Văn Hùng"])
    assert rows["Đặng Văn Hùng"]["labour_status"] == ""
    assert rows["Lê Thị Hoà"]["labour_status"] == "3"  # answers that apply stay
    assert rows["Đặng Minh Đức"]["previous_job"] == "Phụ hồ"
