"""The real program under a real X server (Xvfb), typed into with real key events (xdotool),
as an officer keys a paper form: what the member table shows and where F8 goes. One
screenshot per step stays in the test's folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from forms.store import Store

ROOT = Path(__file__).resolve().parents[2]
XVFB = shutil.which("Xvfb")
XDOTOOL = shutil.which("xdotool")
pytestmark = pytest.mark.skipif(XVFB is None or XDOTOOL is None, reason="needs Xvfb and xdotool (apt: xvfb xdotool)")


def free_display() -> int:
    for n in range(90, 200):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    raise RuntimeError("no free X display number")


@pytest.fixture
def x_display() -> Iterator[str]:
    """A real X server of a 1366×768 laptop screen, on a display number nobody uses."""
    for _ in range(5):  # another test may take the same number between the check and the start
        n = free_display()
        proc = subprocess.Popen([XVFB, f":{n}", "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None and not Path(f"/tmp/.X11-unix/X{n}").exists():
            time.sleep(0.05)
        if proc.poll() is None:
            break
    else:
        pytest.fail("Xvfb did not start")
    try:
        yield f":{n}"
    finally:
        proc.terminate()
        proc.wait(10)


class Officer:
    """Keys through xdotool (real X key events) and reads what the program shows."""

    def __init__(self, display: str, out: Path, proc: subprocess.Popen[str]):
        self.display, self.out, self.proc, self.steps = display, out, proc, 0

    def xdotool(self, *args: str) -> None:
        subprocess.run([XDOTOOL, *args], check=True, env={**os.environ, "DISPLAY": self.display}, timeout=30)

    def key(self, *keys: str) -> None:
        self.xdotool("key", "--delay", "40", *keys)

    def type(self, text: str) -> None:
        """Type into the focused line. xdotool types a letter outside the keyboard map (ê, â)
        by remapping a spare key for a moment, and a loaded X server now and then misses it:
        that is the tool, not the program, so the text is typed again until it arrived."""
        for attempt in range(4):
            if attempt:
                self.key("ctrl+a", "BackSpace")
            self.xdotool("type", "--delay", "80", text)
            if self.look("typed")["text"] == text:
                return
        raise AssertionError(f"xdotool could not type {text!r}")

    def look(self, name: str) -> dict:
        """What is on screen now (a screenshot kept as <n>-<name>.png)."""
        self.steps += 1
        step = f"{self.steps:02d}-{name}"
        (self.out / f"{step}.request").touch()
        result = self.out / f"{step}.json"
        deadline = time.monotonic() + 20
        while not result.exists() or (self.out / f"{step}.request").exists():
            assert self.proc.poll() is None, self.proc.stderr.read() if self.proc.stderr else "the program ended"
            assert time.monotonic() < deadline, f"the program did not answer {step}"
            time.sleep(0.05)
        return json.loads(result.read_text(encoding="utf-8"))


@pytest.fixture
def officer(x_display: str, desk_store: Store, data_dir: Path, tmp_path: Path) -> Iterator[Officer]:
    out = tmp_path / "screens"
    out.mkdir()
    env = {**os.environ, "DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb", "LABOUR_SURVEY_DATA": str(data_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "tests.desktop.x_driver", str(out)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.strip() == "ready", proc.stderr.read() if proc.stderr else line
        yield Officer(x_display, out, proc)
    finally:
        proc.terminate()
        proc.wait(10)


def test_members_keyed_show_in_the_table_and_f8_reaches_every_finding(officer: Officer) -> None:
    officer.key("ctrl+n")
    assert officer.look("new-household")["rows"] == []
    names = ["Lê Văn An", "Lê Thị Bình", "Lê Minh Châu"]
    for i, name in enumerate(names, 1):
        officer.key("ctrl+m")
        seen = officer.look(f"member-{i}")
        assert (seen["field"], seen["row"]) == ("full_name", i - 1)
        officer.type(name)
        officer.key("Return")
        seen = officer.look(f"member-{i}-named")
        assert seen["rows"] == names[:i]
        assert seen["field"] == "relation"

    findings = officer.look("findings")["findings"]
    # Less noise: the head problem and the relations passed by Ctrl+M, not the household's
    # questions never reached.
    assert all(f"Thành viên {i} ({name})" in findings[0] for i, name in enumerate(names, 1))  # no head
    assert findings[1:] == [f"✖ Thành viên {i} ({names[i - 1]}) · Quan hệ với chủ hộ: Câu hỏi bắt buộc chưa được trả lời."
                            for i in (1, 2)]

    officer.key("ctrl+Return")  # asking to complete: refused, with every problem listed
    officer.look("complete-refused")
    officer.key("Return")
    findings = officer.look("all-findings")["findings"]
    assert len(findings) > 10
    places = []
    for i in range(len(findings) + 1):
        officer.key("F8")
        seen = officer.look(f"f8-{i + 1}")
        assert seen["field"] is not None, f"F8 left the focus on {seen['focus']}, not on a question"
        places.append((seen["field"], seen["row"]))
    assert ("relation", 0) in places  # no head: the relation of the first member
    assert places[-1] == places[0]  # after the last finding, round again
    assert len(set(places[:-1])) == len(findings) - 1  # every finding reached; two lead to member 1's relation
