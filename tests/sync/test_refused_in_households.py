"""A household the provincial server refused is named, with the server's reason, where the
officer looks at households: `households list` and `households show`, its reason counted as
one of its errors, until the server accepts it. A real server process and real commands."""

from __future__ import annotations

from pathlib import Path

from forms.store import Store
from tests import factories as fx
from tests.sync.conftest import Server
from tests.sync.test_usb import officer_cli


def test_list_and_show_name_the_servers_reason(tmp_path: Path, server: Server) -> None:
    data = tmp_path / "officer"
    assert officer_cli(data, "enroll", server.url, server.add_officer("lan", communes="14797")).returncode == 0
    recs = fx.generated(4, seed=3)
    stray = recs[2]
    stray["household"]["commune_code"] = "14758"  # keyed under a commune this officer does not hold
    with Store(data / "profiles" / "default" / "households.sqlite") as store, store.transaction():
        # As a laptop of before the commune check at completion had it: complete, waiting to go.
        for rec in recs:
            store.save_within(rec, actor="lan", action="import", status="complete")
    code = stray["household"]["household_code"]
    r = officer_cli(data, "sync")
    assert "3 accepted, 1 refused" in r.stdout, r.stdout + r.stderr

    r = officer_cli(data, "households", "list")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if code in line)
    assert " 1E 0W " in lines[at]  # the server's reason counted as an error
    assert lines[at + 1].startswith("    REFUSED BY THE SERVER: ") and "commune 14758" in lines[at + 1]
    assert sum("REFUSED BY THE SERVER" in line for line in lines) == 1

    r = officer_cli(data, "households", "show", code)
    assert r.returncode == 0 and " 1E 0W " in r.stdout.splitlines()[0]
    assert any(line.startswith("  REFUSED BY THE SERVER: ") and "commune 14758" in line for line in r.stdout.splitlines())
    r = officer_cli(data, "households", "validate")
    assert r.returncode == 1 and "4 household(s): 1 error(s)" in r.stdout and "REFUSED BY THE SERVER" in r.stdout
    other = recs[0]["household"]["household_code"]
    assert "REFUSED" not in officer_cli(data, "households", "show", other).stdout
