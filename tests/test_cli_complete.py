"""`households complete` as an officer uses it at the end of a day: several households in one
run, all clean ones at once, warnings that name the option that accepts them, and a household
of another commune refused on the laptop. Real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from forms.store import Store
from tests import factories as fx


def run(data: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop.launcher", "--data-dir", str(data), "--lang", lang, *args],
                          capture_output=True, text=True, timeout=120, encoding="utf-8")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    recs = fx.generated(5)
    broken = fx.household(household_code="HT-BAD")
    del broken["members"][0]["job"]
    src = tmp_path / "village.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [*recs, broken]), encoding="utf-8")
    assert run(tmp_path / "data", "households", "import", str(src)).returncode == 0
    return tmp_path / "data"


def statuses(data: Path) -> dict[str, str]:
    with Store(data / "profiles" / "default" / "households.sqlite") as store:
        return {h.household_code: h.status for h in store.list(limit=100)}


def test_several_households_in_one_run(data: Path) -> None:
    r = run(data, "households", "complete", "HT-000001", "HT-000002", "HT-BAD")
    assert r.returncode == 1
    assert "Household HT-000001 is marked complete" in r.stdout and "Household HT-000002 is marked complete" in r.stdout
    assert "HT-BAD: Cannot mark complete: 1 error(s)" in r.stderr and "Marked 2 household(s) complete; 1 not" in r.stderr
    got = statuses(data)
    assert got["HT-000001"] == got["HT-000002"] == "complete" and got["HT-BAD"] == "draft"


def test_all_clean_households_at_once(data: Path) -> None:
    r = run(data, "households", "complete", "--all-clean", "--accept-warnings", lang="vi")
    assert r.returncode == 0, r.stderr
    assert "Đã đánh dấu hoàn thành 5 hộ; 0 hộ chưa được" in r.stdout
    got = statuses(data)
    assert got.pop("HT-BAD") == "draft" and set(got.values()) == {"complete"}
    r = run(data, "households", "complete", "--all-clean")
    assert r.returncode == 1 and "No draft household is free of errors" in r.stderr


def test_refusing_for_warnings_names_the_option(data: Path, tmp_path: Path) -> None:
    rec = fx.household(household_code="HT-WARN")
    rec["members"][0]["birth_date"] = "1900-01-01"  # 126 years old: a warning, not an error
    src = tmp_path / "warn.jsonl"
    src.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run(data, "households", "import", str(src)).returncode == 0
    r = run(data, "households", "validate", "HT-WARN", "--warnings")
    assert "WARNING" in r.stdout, r.stdout
    r = run(data, "households", "complete", "HT-WARN", lang="vi")
    assert r.returncode == 1 and "cảnh báo" in r.stderr and "--accept-warnings" in r.stderr
    r = run(data, "households", "complete", "HT-WARN", "--accept-warnings")
    assert r.returncode == 0 and "HT-WARN is marked complete" in r.stdout


def test_a_household_outside_the_enrolled_communes_cannot_be_completed(data: Path) -> None:
    with Store(data / "profiles" / "default" / "households.sqlite") as store:
        store.set_setting("sync.communes", json.dumps(["14800"]))  # what enrollment keeps
        commune = store.list(limit=1)[0].commune_code
    r = run(data, "households", "complete", "HT-000001", lang="vi")
    assert r.returncode == 1 and f"thuộc xã {commune}, không phải xã của anh/chị (14800)" in r.stderr, r.stderr
    assert statuses(data)["HT-000001"] == "draft"
    with Store(data / "profiles" / "default" / "households.sqlite") as store:
        store.set_setting("sync.communes", json.dumps(["14800", commune]))
    r = run(data, "households", "complete", "HT-000001")
    assert r.returncode == 0 and "is marked complete" in r.stdout
