"""`labour-survey --self-test` from source: it passes on a working installation, says in plain
words (Vietnamese by default) what is broken otherwise, and never touches the officer's data.
The frozen bundle's self-test is run by test_bundle.py."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import resources
from desktop import self_test
from forms.registry import FormRegistry
from forms.store import Store

ROOT = Path(__file__).resolve().parents[2]
CHECKS = len(self_test.CHECKS)


@pytest.fixture(autouse=True)
def _vietnamese(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process checks speak the officer's default language, whatever a test before set."""
    import forms.i18n

    monkeypatch.setattr(forms.i18n, "_language", [])
    monkeypatch.delenv("LABOUR_SURVEY_LANG", raising=False)


def run_self_test(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "LABOUR_SURVEY_LANG"}
    environ.update(QT_QPA_PLATFORM="offscreen", LABOUR_SURVEY_DATA=str(tmp_path / "officer-data"),
                   PYTHONIOENCODING="utf-8", **env)
    return subprocess.run([sys.executable, "-m", "desktop.launcher", *args, "--self-test"], capture_output=True,
                          text=True, encoding="utf-8", timeout=180, cwd=ROOT, env=environ)


def test_passes_in_vietnamese_without_touching_the_officers_data(tmp_path: Path) -> None:
    done = run_self_test(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line[:4] for line in lines[:CHECKS]] == ["OK  "] * CHECKS, done.stdout
    assert lines[CHECKS] == f"Tất cả {CHECKS} phép kiểm tra đều đạt: chương trình đã được cài đặt đúng."
    assert any(line.startswith("OK   In phiếu PDF: phiếu hộ") for line in lines)
    assert any(line.startswith("OK   Cửa sổ chương trình (Qt): khởi động được (nền tảng offscreen") for line in lines)
    assert not (tmp_path / "officer-data").exists()  # a temporary profile only


def test_passes_in_english(tmp_path: Path) -> None:
    done = run_self_test(tmp_path, "--lang", "en")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == f"All {CHECKS} checks passed: the program is installed correctly."
    assert "OK   Search without diacritics: \"dang van hung\" finds Đặng Văn Hùng" in done.stdout


def test_a_missing_font_fails_in_plain_words(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LABOUR_SURVEY_LANG", "vi")
    monkeypatch.setattr(self_test, "FONT_FILES", ("DejaVuSans.ttf", "Missing-Bold.ttf"))
    code = self_test.run([("selftest_check_fonts", self_test.check_fonts),
                          ("selftest_check_certificates", self_test.check_certificates)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0].startswith("LỖI  Phông chữ: thiếu tệp ") and "Missing-Bold.ttf" in out[0]
    assert out[0].endswith("Bản cài đặt không đầy đủ.")
    assert out[1].startswith("OK   Chứng chỉ")  # one broken part does not hide the others
    assert out[2].startswith("1 trong 2 phép kiểm tra không đạt.")


def test_a_text_missing_its_english_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "translations"
    folder.mkdir()
    for file in resources.path("translations").glob("*.yaml"):
        (folder / file.name).write_bytes(file.read_bytes())
    broken = yaml.safe_load((folder / "printing.yaml").read_text(encoding="utf-8"))
    key = next(iter(broken))
    broken[key] = {"vi": broken[key]["vi"], "en": " "}
    (folder / "printing.yaml").write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")

    class Shipped:
        @staticmethod
        def path(*parts: str) -> Path:
            return folder.joinpath(*parts[1:]) if parts[0] == "translations" else resources.path(*parts)

    monkeypatch.setattr(self_test, "resources", Shipped)
    monkeypatch.setenv("LABOUR_SURVEY_LANG", "en")
    assert self_test.run([("selftest_check_translations", self_test.check_translations)]) == 1
    assert f'FAIL Translations: printing.yaml: text "{key}" has no en version' in capsys.readouterr().out


def test_a_broken_pdf_is_caught(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from forms.printing import batch

    def half_written(state, store, uuids, target, **_kw):  # what a broken reportlab could leave
        Path(target).write_bytes(b"%PDF-1.4\n")
        return batch.Printed(Path(target), 1, 0)

    monkeypatch.setattr(batch, "print_households", half_written)
    monkeypatch.setenv("LABOUR_SURVEY_LANG", "en")
    checks = [(k, f) for k, f in self_test.CHECKS if f in (self_test.check_questionnaire, self_test.check_store,
                                                          self_test.check_pdf)]
    assert self_test.run(checks) == 1
    out = capsys.readouterr().out
    assert "FAIL PDF printing: the PDF made is not right (cut short, only 9 bytes, no embedded font, no page)" in out


def test_a_qt_that_cannot_start_is_reported_not_crashed(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "no-such-platform")
    monkeypatch.setenv("LABOUR_SURVEY_LANG", "vi")
    assert self_test.run([("selftest_check_qt", self_test.check_qt)]) == 1
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("LỖI  Cửa sổ chương trình (Qt): không mở được cửa sổ: ")
    assert "no-such-platform" in line  # Qt's own explanation is passed on


@pytest.mark.parametrize("today", [dt.date.today(), dt.date(2026, 1, 1), dt.date(2030, 6, 30)])
def test_the_sample_household_is_complete_whatever_the_year(today: dt.date, tmp_path: Path) -> None:
    """The ages count back from the interview date, so the sample stays valid in later years
    (only the dates after today are refused, by the questionnaire itself)."""
    forms = FormRegistry()
    record = self_test.sample_household(today)
    with Store(tmp_path / "s.sqlite", forms) as store:
        evaluation = store.evaluate(record)
    errors = [f"{f.ref}: {f.text('en')}" for f in evaluation.errors]
    future = ["interview_date: The collection date cannot be in the future."]
    assert errors == (future if today > dt.date.today() else [])
