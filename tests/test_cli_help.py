"""The --help of both command lines (`labour-survey`, `labour-survey-server`) speaks the language
of the messages, from the same catalog: --lang before the command, else $LABOUR_SURVEY_LANG,
else Vietnamese; argparse's own words ("usage:", "options", its errors) too."""

from __future__ import annotations

import argparse
import ast
import inspect
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import launcher
from forms.i18n import argparse_in_language, catalog, language_from_argv, set_language, tr
from forms.profile_cli import ENV_KEY_PASSWORD
from sync.server import cli as server_cli

ROOT = Path(__file__).resolve().parent.parent
LAPTOP = [sys.executable, "-m", "desktop.launcher"]
SERVER = [sys.executable, "-m", "sync.server.cli"]
# argparse's words, and the start of its help line, as they are in English.
ARGPARSE_ENGLISH = ("usage:", "positional arguments", "options:", "show this help message and exit", "error:",
                    "the following arguments are required", "invalid choice")


def run(command: list[str], *args: str, lang_env: str | None = "en") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LABOUR_SURVEY_LANG"}
    if lang_env is not None:
        env["LABOUR_SURVEY_LANG"] = lang_env
    env["COLUMNS"] = "1000"  # no wrapping: a help sentence stays on one line, whole
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=60, encoding="utf-8",
                          env=env, cwd=ROOT)


def english_help() -> list[str]:
    """Every English help sentence of the catalog (long enough to be a sentence, not a word)."""
    return [m.en for key, m in catalog().items() if key.startswith("help_") and len(m.en) > 12]


def assert_vietnamese(text: str) -> None:
    assert "cách dùng:" in text and "tùy chọn:" in text and "hiện hướng dẫn này rồi thoát" in text, text
    for english in ARGPARSE_ENGLISH:
        assert english not in text, (english, text)
    for sentence in english_help():
        assert sentence.format(variable="$X") not in text, (sentence, text)


# -- labour-survey ------------------------------------------------------------------------------
def test_a_command_s_help_in_vietnamese() -> None:
    r = run(LAPTOP, "--lang", "vi", "households", "import", "--help")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("cách dùng: labour-survey households import")
    assert "nhập hộ từ tệp JSON Lines" in r.stdout  # the command
    assert "tệp JSON Lines, mỗi dòng một hộ ('-' để đọc từ đầu vào chuẩn)" in r.stdout  # its argument
    assert "không lưu gì nếu có dòng lỗi" in r.stdout  # its options
    assert "ghi đè các hộ đã có nhưng với câu trả lời khác" in r.stdout
    assert "tham số:" in r.stdout
    assert_vietnamese(r.stdout)


def test_the_same_help_in_english() -> None:
    r = run(LAPTOP, "--lang", "en", "households", "import", "--help", lang_env="vi")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("usage: labour-survey households import")
    assert "import households from a JSON Lines file" in r.stdout
    assert "JSON Lines file, one household per line ('-' for standard input)" in r.stdout
    assert "store nothing if any line is bad (default: store the good lines, list the bad)" in r.stdout
    assert "positional arguments:" in r.stdout and "options:" in r.stdout
    assert "show this help message and exit" in r.stdout
    assert "cách dùng" not in r.stdout and "tệp" not in r.stdout


def test_the_list_of_commands_and_the_global_options() -> None:
    vi = run(LAPTOP, "--lang=vi", "--help")
    assert vi.returncode == 0, vi.stderr
    assert_vietnamese(vi.stdout)
    for text in ("các hộ lưu trên máy này", "đăng ký máy này với máy chủ của tỉnh (bằng mã dùng một lần)",
                 "hồ sơ của cán bộ (mặc định: default)", "hiện số phiên bản của chương trình rồi thoát",
                 "thư mục dữ liệu (mặc định: $LABOUR_SURVEY_DATA hoặc thư mục dữ liệu của người dùng)"):
        assert text in vi.stdout, text
    en = run(LAPTOP, "--lang=en", "--help")
    for text in ("households in the local store", "enroll this laptop with the provincial server (one-time code)",
                 "officer profile (default: default)", "show program's version number and exit"):
        assert text in en.stdout, text


@pytest.mark.parametrize("command", [["profile", "recover"], ["print", "village"], ["sync"], ["enroll"], ["export"],
                                     ["forms", "import"], ["households", "export"]])
def test_other_commands_in_vietnamese(command: list[str]) -> None:
    r = run(LAPTOP, "--lang", "vi", *command, "--help")
    assert r.returncode == 0, r.stderr
    assert_vietnamese(r.stdout)


def test_the_language_without_lang_the_environment_then_vietnamese() -> None:
    assert run(LAPTOP, "enroll", "--help", lang_env="en").stdout.startswith("usage:")
    r = run(LAPTOP, "enroll", "--help", lang_env="vi")
    assert "mã đăng ký dùng một lần do quản trị viên cấp" in r.stdout
    assert_vietnamese(r.stdout)
    r = run(LAPTOP, "enroll", "--help", lang_env=None)  # nothing said: Vietnamese
    assert_vietnamese(r.stdout)
    # --lang after another global option with its value; the last --lang wins, as argparse reads it
    r = run(LAPTOP, "--profile", "lan", "--lang", "en", "--data-dir", "x", "--lang", "vi", "enroll", "--help")
    assert_vietnamese(r.stdout)


def test_a_lang_after_the_command_is_that_command_s_option() -> None:
    """`export --lang en` is the language of the labels, not of the messages: the help stays Vietnamese."""
    r = run(LAPTOP, "export", "--lang", "en", "--help", lang_env="vi")
    assert "ngôn ngữ của nhãn biến và nhãn giá trị" in r.stdout
    assert_vietnamese(r.stdout)


def test_argparse_s_errors_in_vietnamese() -> None:
    r = run(LAPTOP, "--lang", "vi", "households", "import")
    assert r.returncode == 2
    assert "cách dùng: labour-survey households import" in r.stderr
    assert "labour-survey households import: lỗi: thiếu tham số bắt buộc: file" in r.stderr
    r = run(LAPTOP, "--lang", "vi", "households", "list", "--status", "done")
    assert r.returncode == 2
    assert "lỗi: tham số --status: giá trị không hợp lệ: 'done' (chọn một trong: 'draft'" in r.stderr
    r = run(LAPTOP, "--lang", "vi", "households", "list", "--limit")
    assert "lỗi: tham số --limit: cần một giá trị đi kèm" in r.stderr
    r = run(LAPTOP, "--lang", "vi", "households", "list", "extra")
    assert "lỗi: không hiểu các tham số: extra" in r.stderr
    r = run(LAPTOP, "--lang", "en", "households", "list", "extra", lang_env="vi")
    assert "error: unrecognized arguments: extra" in r.stderr


# -- labour-survey-server -----------------------------------------------------------------------
def test_the_server_s_help_in_vietnamese_and_english() -> None:
    r = run(SERVER, "--lang", "vi", "officers", "add", "--help")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("cách dùng: labour-survey-server officers add")
    assert "thêm một cán bộ; in ra mã đăng ký dùng một lần cho máy của cán bộ" in r.stdout
    assert "các mã xã 5 chữ số, cách nhau bằng dấu phẩy" in r.stdout
    assert "officer: cán bộ thu thập trên máy; supervisor: giám sát viên" in r.stdout
    assert_vietnamese(r.stdout)
    r = run(SERVER, "--lang", "en", "officers", "add", "--help", lang_env="vi")
    assert r.stdout.startswith("usage: labour-survey-server officers add")
    assert "add an officer; prints a one-time enrollment code for their laptop" in r.stdout
    assert "comma-separated 5-digit commune codes" in r.stdout


def test_the_server_s_commands_and_errors_in_vietnamese() -> None:
    r = run(SERVER, "--db", "sqlite:///x.sqlite", "--help", lang_env="vi")
    assert "Máy chủ của tỉnh cho chương trình labour-survey." in r.stdout
    assert "chạy máy chủ (API cho các máy của cán bộ)" in r.stdout
    assert_vietnamese(r.stdout)
    r = run(SERVER, "--lang", "vi", "recovery-key", "create", "--help")
    assert "(hỏi khi chạy, hoặc lấy từ $LABOUR_SURVEY_RECOVERY_KEY_PASSPHRASE)" in r.stdout
    assert_vietnamese(r.stdout)
    r = run(SERVER, "--lang", "vi", "assignments", "add", "--help")
    assert 'mỗi dòng một hộ: {"household": {"commune_code": "14797", ...}, "members": [...]}' in r.stdout
    r = run(SERVER, "--lang", "vi", "recovery-key", "create", "--out", "k.pem", "--add", "--replace")
    assert r.returncode == 2
    assert "lỗi: tham số --replace: không dùng cùng được với --add" in r.stderr
    r = run(SERVER, "--lang", "vi")
    assert "labour-survey-server: lỗi: thiếu tham số bắt buộc: command" in r.stderr


# -- every help goes through the catalog ----------------------------------------------------------
def parsers(parser: argparse.ArgumentParser, path: str = "") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path or parser.prog, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, f"{path} {name}".strip())


def texts(parser: argparse.ArgumentParser) -> dict[tuple[str, str], str]:
    """Every description, epilog and help of a command line, by where it is."""
    found: dict[tuple[str, str], str] = {}
    for path, p in parsers(parser):
        for what in ("description", "epilog"):
            if getattr(p, what):
                found[(path, what)] = getattr(p, what)
        for action in p._actions:
            if action.help and action.help != argparse.SUPPRESS:
                found[(path, "/".join(action.option_strings) or action.dest)] = action.help
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:  # each command's line in the list of commands
                    found[(path, f"command {choice.dest}")] = choice.help
    return found


def built(build, lang: str) -> dict[tuple[str, str], str]:
    set_language(lang)
    with argparse_in_language():
        return texts(build())


@pytest.mark.parametrize("build", [launcher.build_parser, server_cli.build_parser], ids=["laptop", "server"])
def test_every_help_is_the_catalog_s_in_both_languages(build) -> None:
    vi, en = built(build, "vi"), built(build, "en")
    assert vi.keys() == en.keys()
    assert len(vi) > 40
    # The catalog's texts as the program fills them in (the recovery key's variable, {{ }} as braces).
    catalog_english = {m.en for m in catalog().values()} | {
        tr(key, "en", variable=ENV_KEY_PASSWORD) for key in catalog() if key.startswith("help_")}
    for where, text in en.items():
        assert text in catalog_english, where
        assert vi[where] != text, (where, text)  # nothing is a code or a placeholder only: all is said in vi


def test_no_help_text_is_written_in_the_modules() -> None:
    """A help, description or epilog given as a literal in a module that builds a command line would
    be English in the Vietnamese help: each is the catalog's, tr(key) (or add_command's key)."""
    modules = [f for folder in ("forms", "sync", "desktop") for f in sorted((ROOT / folder).rglob("*.py"))
               if re.search(r"\.add_(parser|argument)\(", f.read_text(encoding="utf-8"))]
    assert {m.relative_to(ROOT).as_posix() for m in modules} >= {
        "desktop/launcher.py", "forms/cli.py", "forms/profile_cli.py", "forms/printing/cli.py", "sync/cli.py",
        "sync/server/cli.py"}
    literal = []
    for module in modules:
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg in ("help", "description", "epilog") and isinstance(kw.value, ast.Constant | ast.JoinedStr):
                        literal.append(f"{module.relative_to(ROOT)}:{node.lineno} {kw.arg}=")
                if getattr(node.func, "id", None) == "ArgumentParser" or getattr(node.func, "attr", None) == "ArgumentParser":
                    positional = node.args[1:3]  # ArgumentParser(prog, usage, description, ...)
                    literal += [f"{module.relative_to(ROOT)}:{node.lineno}" for a in positional
                                if isinstance(a, ast.Constant)]
    assert not literal, literal


def test_argparse_s_words_are_the_ones_argparse_asks_for() -> None:
    """The English of each help_argparse_ key is a text argparse passes to gettext, letter for letter
    (else its Vietnamese is never shown); a Python with other wording says so here."""
    source = inspect.getsource(argparse)
    for key, m in catalog().items():
        if key.startswith("help_argparse_"):
            literal = m.en.replace("\n", "\\n")
            assert f"_('{literal}')" in source or f'_("{literal}")' in source, key


def test_language_from_argv() -> None:
    with_value = ("--data-dir", "--profile", "--actor")
    assert language_from_argv(["--lang", "vi", "households"]) == "vi"
    assert language_from_argv(["--lang=en", "households", "list"]) == "en"
    assert language_from_argv(["--profile", "lan", "--lang", "en", "sync"], with_value) == "en"
    assert language_from_argv(["--data-dir", "d", "--lang", "en", "export", "--lang", "vi"], with_value) == "en"
    assert language_from_argv(["export", "--lang", "en"]) is None  # the labels' language, after the command
    assert language_from_argv(["--lang", "fr", "households"]) is None  # argparse refuses it, in the default language
    assert language_from_argv(["--lang"]) is None
    assert language_from_argv([]) is None
    assert language_from_argv(["--", "--lang", "en"]) is None
