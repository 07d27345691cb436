"""`labour-survey --self-test`: is this installation whole and working?

Run by an officer or the district's support after installing, and by CI on the frozen bundle.
Every check works in a temporary profile (a temporary data folder), never the officer's data:
the translations, the fonts, the national code lists, the questionnaire, saving, completing
and reading back a household, search without diacritics, a printed PDF form, the certificates
used to reach the provincial server, and the Qt window system. One line per check, "OK ..."
or what is broken in plain words; exit code 0 when all pass, 1 otherwise.

The Qt check runs in a child process (`--self-test-part qt`): a Qt that cannot load its platform
plugin aborts the whole process, and the officer should still read which part is broken.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

import resources
from forms.i18n import LANGUAGES, Message, current_language, message

if TYPE_CHECKING:  # the checks import the program's parts themselves: a missing one is a finding
    from forms.registry import FormRegistry

QT_TIMEOUT = 120  # seconds; a first start on a slow laptop with a cold disk cache takes a while
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
SAMPLE_HEAD = "Đặng Văn Hùng"
SAMPLE_QUERY = "dang van hung"  # the head's name typed without diacritics
SAMPLE_CODE = "TU-KIEM-TRA-01"


class Broken(Exception):
    """A check failed; `msg` says why in both languages."""

    def __init__(self, msg: Message):
        super().__init__(msg.en)
        self.msg = msg


@dataclass(eq=False)
class _Run:
    """What the checks share: the temporary folder and what earlier checks made."""

    tmp: Path
    forms: FormRegistry | None = None  # once the questionnaire check has loaded it
    uuid: str | None = None  # the sample household, once saved


Check = tuple[str, Callable[[_Run], Message]]


def _say(key: str, **params: object) -> str:
    """A catalog message in the current language; the bare key and values when even the
    catalog is broken (that is what the translations check then reports)."""
    try:
        return message(key, **params).text()
    except Exception:
        return " ".join([key, *(f"{k}={v}" for k, v in params.items())])


def _reason(exc: BaseException) -> Message:
    if isinstance(exc, Broken):
        return exc.msg
    if isinstance(getattr(exc, "msg", None), Message):  # the store's and sync's own errors say it plainly
        return exc.msg
    if isinstance(exc, FileNotFoundError):
        return message("selftest_missing_file", path=exc.filename or exc)
    return message("selftest_unexpected", reason=f"{type(exc).__name__}: {exc}")


# -- the checks, each returning the detail of its OK line or raising -------------------------
def check_translations(_run: _Run) -> Message:
    from desktop import text as desktop_text
    from forms import i18n
    from forms.printing import text as printing_text

    folder = resources.path("translations")
    files = sorted(folder.glob("messages*.yaml"))
    if not files:
        raise Broken(message("selftest_missing_file", path=folder / "messages.yaml"))
    files += [folder / "desktop.yaml", folder / "printing.yaml"]
    count = 0
    for file in files:
        if not file.is_file():
            raise Broken(message("selftest_missing_file", path=file))
        try:
            raw = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise Broken(message("selftest_bad_file", path=file, reason=exc)) from None
        for key, entry in raw.items():
            for lang in LANGUAGES:
                text = entry.get(lang) if isinstance(entry, dict) else None
                if text is None or not str(text).strip():
                    raise Broken(message("selftest_empty_text", file=file.name, entry=key, lang=lang))
        count += len(raw)
    # The catalogs as the program loads them (a key defined twice is refused there).
    for load in (i18n.catalog, desktop_text.catalog, printing_text.catalog):
        load.cache_clear()
        load()
    return message("selftest_translations_detail", n=count)


def check_fonts(_run: _Run) -> Message:
    for name in FONT_FILES:
        path = resources.path("fonts", name)
        if not path.is_file():
            raise Broken(message("selftest_missing_file", path=path))
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head not in (b"\x00\x01\x00\x00", b"true") or path.stat().st_size < 100_000:
            raise Broken(message("selftest_bad_file", path=path, reason="not a TrueType font"))
    return message("selftest_fonts_detail", names=", ".join(FONT_FILES))


def check_code_lists(_run: _Run) -> Message:
    from forms import codelists

    codelists.catalog.cache_clear()
    names = list(codelists.catalog())
    sizes = {}
    for name in names:
        codelists.load.cache_clear()
        sizes[name] = len(codelists.load(name).items)
        if not sizes[name]:
            raise Broken(message("selftest_bad_file", path=codelists.catalog_dir() / codelists.catalog()[name]["file"],
                                 reason="no codes"))
    communes = sum(n for name, n in sizes.items() if name.startswith("communes"))
    return message("selftest_code_lists_detail", lists=len(names), communes=communes)


def check_questionnaire(run: _Run) -> Message:
    from forms.definition import DefinitionError
    from forms.registry import FormRegistry

    try:
        forms = FormRegistry()
        definition = forms.current()
    except (DefinitionError, KeyError) as exc:
        raise Broken(message("selftest_no_questionnaire", reason=str(exc).strip("'\""))) from None
    forms.engine(definition)  # compiles every expression
    run.forms = forms
    questions = sum(1 for f in definition.by_id.values() if f.is_answer)
    return message("selftest_questionnaire_detail", form=definition.title, version=definition.version, questions=questions)


def sample_household(today: dt.date | None = None) -> dict[str, Any]:
    """A valid household of three, taken today: an employed head, a spouse outside the labour
    force, a child under 15. Birth years count back from today, so the ages (and so the
    questions that apply) stay the same whatever the year."""
    today = today or dt.date.today()

    def citizen_id(age: int, sex: str, serial: int) -> str:
        year = today.year - age
        century = (year // 100 - 19) * 2 + (0 if sex == "1" else 1)
        return f"038{century}{year % 100:02d}{serial:06d}"

    head = {"full_name": SAMPLE_HEAD, "relation": "1", "birth_date": str(today.year - 50), "sex": "1",
            "citizen_id": citizen_id(50, "1", 1), "ethnicity": "01", "residence": "1",
            "general_education": "4", "qualification": "1", "labour_status": "1", "abroad_status": "3", "employment_status": "4",
            "job": "Công nhân may", "social_insurance": "1", "contract": "2", "workplace_name": "Công ty May Thanh Hóa",
            "workplace_type": "3", "economic_sector": "C", "workplace_address": "Phường Hạc Thành, Thanh Hóa",
            "job_wanted": "0", "training_wanted": "0"}
    spouse = {"full_name": "Lê Thị Hoà", "relation": "2", "birth_date": str(today.year - 47), "sex": "2",
              "citizen_id": citizen_id(47, "2", 2), "ethnicity": "01", "residence": "1",
              "general_education": "2", "qualification": "1", "labour_status": "3", "abroad_status": "3", "inactive_reason": "3",
              "job_wanted": "0", "training_wanted": "0"}
    child = {"full_name": "Đặng Gia Bảo", "relation": "3", "birth_date": str(today.year - 10), "sex": "1",
             "ethnicity": "01", "residence": "1"}
    return {
        "household": {"province_code": "38", "commune_code": "14797", "village": "Tổ dân phố Đông Sơn",
                      "household_code": SAMPLE_CODE, "address": "12 Lê Lợi", "area": "1", "poverty_class": "3",
                      "phone": "0912345678", "interview_date": today.isoformat(), "officer": "Nguyễn Thị Lan"},
        "members": [head, spouse, child],
    }


def _first_difference(a: Any, b: Any, where: str = "") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            found = _first_difference(a.get(key), b.get(key), f"{where}.{key}" if where else str(key))
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            found = _first_difference(x, y, f"{where}[{i}]")
            if found:
                return found
        return None
    return None if a == b else (where or "record")


SELF_TEST_PASSPHRASE = "self-test: không phải mật khẩu thật"
EXPORT_PASSPHRASE = "self test, not a real one"  # export passphrases are without diacritics


def check_store(run: _Run) -> Message:
    from forms import profiles
    from forms.registry import FormRegistry
    from forms.store import NotCompletable, Store, cipher, keys
    from forms.store.schema import LATEST

    forms = run.forms or FormRegistry()
    path = run.tmp / "profiles" / "self-test" / "households.sqlite"
    # Encrypted as the officer's profile is: SQLCipher and the passphrase's key derivation are
    # in the bundle and work (the real Argon2id parameters: a part of a second).
    profiles.create(path, SELF_TEST_PASSPHRASE, forms=forms)
    keys.forget(path)
    profiles.unlock(path, SELF_TEST_PASSPHRASE)  # the key comes back from the passphrase alone
    with Store(path, forms) as store:
        saved = store.save(sample_household(), actor="self-test")
        uuid = saved.household.uuid
        try:
            done = store.complete(uuid, actor="self-test", accept_warnings=True)
        except NotCompletable as exc:
            errors = "; ".join(f"{f.ref}: {f.text()}" for f in exc.evaluation.errors[:3])
            raise Broken(message("selftest_household_errors", errors=errors)) from None
        expected = done.household.record
    with Store(path, forms) as store:  # opened again: what a restarted program finds
        h = store.get(uuid)
        log = [entry["action"] for entry in store.history(uuid)]
        state = (h.status, log[-1:], store.schema_version, store.integrity_check())
        wanted = ("complete", ["complete"], LATEST, "ok")
        if state != wanted or h.revision < 2:
            raise Broken(message("selftest_store_state", found=state, expected=wanted))
        difference = _first_difference(expected, h.record)
        if difference:
            raise Broken(message("selftest_household_changed", field=difference))
    if cipher.is_plain_file(path) or SAMPLE_CODE.encode() in path.read_bytes():
        raise Broken(message("selftest_not_encrypted"))
    run.uuid = uuid
    return message("selftest_store_detail", schema=LATEST, code=SAMPLE_CODE, members=h.member_count)


def _sample_store(run: _Run) -> Path:
    if run.uuid is None:
        raise Broken(message("selftest_no_household"))
    return run.tmp / "profiles" / "self-test" / "households.sqlite"


def check_search(run: _Run) -> Message:
    from forms.store import Store

    with Store(_sample_store(run), run.forms) as store:
        found = [h.uuid for h in store.search(SAMPLE_QUERY)]
    if run.uuid not in found:
        raise Broken(message("selftest_not_found", query=SAMPLE_QUERY))
    return message("selftest_search_detail", query=SAMPLE_QUERY, name=SAMPLE_HEAD)


def check_export(run: _Run) -> Message:
    """The statistics export as officers make it: an encrypted 7z archive (py7zr and its
    compiled parts, pyreadstat, openpyxl are in the bundle), read back with its passphrase."""
    from forms.exports.archive import export_archive, read_archive
    from forms.store import Store

    target = run.tmp / "exports" / "self-test.7z"
    target.parent.mkdir(parents=True, exist_ok=True)
    with Store(_sample_store(run), run.forms) as store:
        h = store.get(run.uuid)
        export_archive([store.definition_of(h)], [h.export()], target, EXPORT_PASSPHRASE, formats=("csv", "sav"))
    files = read_archive(target, EXPORT_PASSPHRASE)
    wanted = {"households.csv", "members.csv", "households.sav", "members.sav", "codebook.xlsx"}
    members = files.get("members.csv", b"").decode("utf-8-sig", errors="replace")
    if not wanted <= set(files) or SAMPLE_HEAD not in members:
        raise Broken(message("selftest_export_content", found=", ".join(sorted(files))))
    if SAMPLE_CODE.encode() in target.read_bytes() or SAMPLE_HEAD.encode() in target.read_bytes():
        raise Broken(message("selftest_not_encrypted_export"))
    return message("selftest_export_detail", files=len(files), size=max(1, target.stat().st_size // 1024))


def check_pdf(run: _Run) -> Message:
    from forms.printing.batch import print_households
    from forms.progress import TaskState
    from forms.store import Store

    target = run.tmp / "exports" / f"{SAMPLE_CODE}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    with Store(_sample_store(run), run.forms) as store:
        printed = print_households(TaskState(), store, [run.uuid], target)
    data = target.read_bytes()
    problems = [why for ok, why in (
        (data.startswith(b"%PDF-"), "no %PDF header"),
        (data.rstrip().endswith(b"%%EOF"), "cut short"),
        (len(data) > 10_000, f"only {len(data)} bytes"),
        (b"/FontFile2" in data, "no embedded font"),
        (printed.pages >= 1, "no page"),
    ) if not ok]
    if problems:
        raise Broken(message("selftest_pdf_bad", reason=", ".join(problems)))
    return message("selftest_pdf_detail", code=SAMPLE_CODE, pages=printed.pages, size=round(len(data) / 1024))


def check_certificates(_run: _Run) -> Message:
    import certifi

    path = Path(certifi.where())
    if not path.is_file():
        raise Broken(message("selftest_missing_file", path=path))
    count = path.read_text(encoding="ascii", errors="replace").count("BEGIN CERTIFICATE")
    if count < 10:
        raise Broken(message("selftest_bad_file", path=path, reason=f"{count} certificates"))
    return message("selftest_certificates_detail", n=count)


def _child_command() -> list[str]:
    """This program again, frozen or from source, with only the Qt check to do."""
    own = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "desktop.launcher"]
    return [*own, "--lang", current_language(), "--self-test-part", "qt"]


def _needs_offscreen(env: dict[str, str]) -> bool:
    """On Linux with no display Qt's default platform cannot start: check offscreen instead."""
    return (sys.platform.startswith("linux") and not env.get("QT_QPA_PLATFORM")
            and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"))


def check_qt(_run: _Run) -> Message:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONUTF8="1")
    offscreen = _needs_offscreen(env)
    if offscreen:
        env["QT_QPA_PLATFORM"] = "offscreen"
    try:
        done = subprocess.run(_child_command(), env=env, capture_output=True, timeout=QT_TIMEOUT,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise Broken(message("selftest_qt_failed", reason=message("selftest_qt_timeout", seconds=QT_TIMEOUT))) from None
    out = [line for line in done.stdout.decode("utf-8", "replace").splitlines() if line.strip()]
    if done.returncode != 0 or not out:
        err = [line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        # Qt's own explanation ("Could not load the Qt platform plugin ...") and the exit status.
        reason = " | ".join([*err[-3:], f"exit status {done.returncode}"])
        raise Broken(message("selftest_qt_failed", reason=reason))
    detail = Message(out[-1], out[-1])  # the child wrote it in the current language
    if offscreen:
        note = message("selftest_qt_offscreen")
        return Message(f"{detail.vi}; {note.vi}", f"{detail.en}; {note.en}")
    return detail


CHECKS: list[Check] = [
    ("selftest_check_translations", check_translations),
    ("selftest_check_fonts", check_fonts),
    ("selftest_check_code_lists", check_code_lists),
    ("selftest_check_questionnaire", check_questionnaire),
    ("selftest_check_store", check_store),
    ("selftest_check_search", check_search),
    ("selftest_check_pdf", check_pdf),
    ("selftest_check_export", check_export),
    ("selftest_check_certificates", check_certificates),
    ("selftest_check_qt", check_qt),
]


@contextmanager
def _temporary_profile() -> Iterator[Path]:
    """A temporary data folder, also given to anything that asks forms.paths for the data
    folder (and to the Qt child): the self-test never touches the officer's data."""
    with tempfile.TemporaryDirectory(prefix="labour-survey-self-test-", ignore_cleanup_errors=True) as tmp:
        before = os.environ.get("LABOUR_SURVEY_DATA")
        os.environ["LABOUR_SURVEY_DATA"] = str(Path(tmp) / "data")
        try:
            yield Path(tmp)
        finally:
            if before is None:
                os.environ.pop("LABOUR_SURVEY_DATA", None)
            else:
                os.environ["LABOUR_SURVEY_DATA"] = before


def run(checks: list[Check] | None = None) -> int:
    """Run the checks, print one line each and a summary; 0 if all passed, else 1."""
    checks = CHECKS if checks is None else checks
    failed = 0
    with _temporary_profile() as tmp:
        state = _Run(tmp)
        for key, check in checks:
            try:
                line = _say("selftest_ok", check=_say(key), detail=check(state).text())
            except Exception as exc:
                failed += 1
                try:
                    reason = _reason(exc).text()
                except Exception:  # the catalog itself is broken: the translations check says so
                    reason = f"{type(exc).__name__}: {exc}"
                line = _say("selftest_failed", check=_say(key), reason=reason)
            print(line, flush=True)
    if failed:
        print(_say("selftest_some_failed", failed=failed, n=len(checks)), flush=True)
        return 1
    print(_say("selftest_all_ok", n=len(checks)), flush=True)
    return 0


def qt_main() -> int:
    """The child's part: start the QApplication as the program does, draw Vietnamese text."""
    try:
        from PySide6.QtWidgets import QLabel

        from desktop.app import FONT_FAMILY, make_app

        app = make_app([sys.argv[0]])
        if app.font().family() != FONT_FAMILY:
            print(message("selftest_qt_font_missing", font=FONT_FAMILY).text(), file=sys.stderr)
            return 1
        label = QLabel(SAMPLE_HEAD)
        label.adjustSize()
        image = label.grab().toImage()
        colours = {image.pixel(x, y) for x in range(image.width()) for y in range(image.height())}
        if image.isNull() or len(colours) < 2:
            print(message("selftest_qt_blank").text(), file=sys.stderr)
            return 1
        detail = message("selftest_qt_detail", platform=app.platformName(), font=app.font().family())
    except Exception as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(detail.text(), flush=True)
    return 0


def main(part: str = "all") -> int:
    """`--self-test` (everything) or `--self-test-part qt` (the child's part)."""
    return qt_main() if part == "qt" else run()
