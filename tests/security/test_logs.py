"""After a whole working session on an encrypted profile (import, list, search, show, complete,
history, export, print, a failed sync, errors), no file under the data folder or in the temporary
folder holds a name, citizen ID or address in clear, except the files the officer explicitly
exported. The desktop's error log holds exception types and code locations, not messages."""

from __future__ import annotations

import json
import subprocess
import sys
import traceback
from pathlib import Path

from tests.security.data import CITIZEN_IDS, NAMES, SECRETS, secret_household
from tests.security.helpers import PASSPHRASE, ROOT, cli, files_under, found_in

# Writes the desktop's error log as the program does when a programming error reaches it, with
# exceptions whose messages quote answers (as KeyError and ValueError messages do).
LOG_ERRORS = f"""
import sys
from pathlib import Path
from desktop.errors import ErrorReporter
reporter = ErrorReporter(Path(sys.argv[1]) / "logs" / "desktop-errors.log")
def lookup(answers):
    return answers["{CITIZEN_IDS[0]}"]
try:
    lookup({{}})
except KeyError as exc:
    reporter.log(exc)
try:
    try:
        int("{NAMES[0]}")
    except ValueError as exc:
        raise RuntimeError("while checking {NAMES[1]} ({CITIZEN_IDS[1]})") from exc
except RuntimeError as exc:
    reporter.log(exc)
"""


def test_a_whole_session_leaves_personal_data_only_in_the_encrypted_database(tmp_path: Path) -> None:
    data, temp, exports = tmp_path / "data", tmp_path / "tmp", tmp_path / "data" / "exports"
    temp.mkdir()
    env = {"TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp),
           "LABOUR_SURVEY_EXPORT_PASSPHRASE": "district office 2026"}
    src = tmp_path / "village.jsonl"  # the officer's own file, outside the data folder
    lines = [json.dumps(secret_household(i), ensure_ascii=False) for i in range(3)]
    bad = secret_household(5)
    bad["members"][0]["not_a_question"] = CITIZEN_IDS[0]  # a bad line, quoting a citizen ID
    src.write_text("\n".join([*lines, json.dumps(bad, ensure_ascii=False)]) + "\n", encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return cli(data, "--profile", "lan", *args, passphrase=PASSPHRASE, env=env)

    assert cli(data, "--profile", "lan", "profile", "create", new=PASSPHRASE, env=env).returncode == 0
    r = run("households", "import", str(src))
    assert r.returncode == 1 and "Imported 3 new household(s)" in r.stdout
    assert "HT-SEC-0" in run("households", "list").stdout
    assert "HT-SEC-0" in run("households", "search", "khong thi xuyen").stdout
    assert "HT-SEC-0" in run("households", "search", CITIZEN_IDS[2]).stdout
    assert NAMES[0] in run("households", "show", "HT-SEC-0").stdout
    assert CITIZEN_IDS[0] in run("households", "show", "HT-SEC-0", "--json").stdout
    assert run("households", "validate").returncode == 0
    assert run("households", "complete", "HT-SEC-0").returncode == 0
    assert run("households", "history", "HT-SEC-0").returncode == 0
    assert run("households", "delete", "HT-SEC-2").returncode == 0
    exports.mkdir(parents=True)
    assert run("households", "export", "--format", "csv", "-o", str(exports / "households.csv")).returncode == 0
    assert run("export", "--format", "csv", "-o", str(exports / "statistics")).returncode == 0
    assert run("print", "household", "HT-SEC-0", "-o", str(exports / "HT-SEC-0.pdf")).returncode == 0
    assert run("sync").returncode == 2  # not enrolled: an error, said on the terminal
    assert run("households", "show", CITIZEN_IDS[3]).returncode == 2  # no such household
    assert cli(data, "--profile", "lan", "households", "list", passphrase="a wrong one, once", env=env).returncode == 2
    logged = subprocess.run([sys.executable, "-c", LOG_ERRORS, str(data)], capture_output=True, text=True, cwd=ROOT,
                            env={**env, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert logged.returncode == 0, logged.stderr

    log = data / "logs" / "desktop-errors.log"
    text = log.read_text(encoding="utf-8")
    assert "KeyError" in text and "in lookup" in text and "RuntimeError" in text and "ValueError" in text
    explicit = files_under(exports)
    assert found_in(explicit, CITIZEN_IDS[:1]), "the session did handle the citizen IDs"
    left = files_under(data, exclude=explicit) + files_under(temp)
    assert log in left and any(p.name == "households.sqlite" for p in left)
    assert found_in(left, SECRETS) == []


def test_the_log_check_would_catch_a_message_written_in_clear(tmp_path: Path) -> None:
    """What the error log used to hold: the same search finds it."""
    log = tmp_path / "desktop-errors.log"
    try:
        {}[CITIZEN_IDS[0]]
    except KeyError as exc:
        log.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    assert found_in([log], SECRETS) == [("desktop-errors.log", CITIZEN_IDS[0].encode())]
