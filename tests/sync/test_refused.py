"""Households the server refuses are named where the officer looks: the output of
`labour-survey sync` and `sync status`, until they are fixed and accepted."""

from __future__ import annotations

from pathlib import Path

from forms.store import Store, outbox
from tests import factories as fx
from tests.sync.conftest import Server
from tests.sync.test_sync import server_rows
from tests.sync.test_usb import officer_cli


def test_a_refused_household_is_named_with_its_reason_until_it_is_accepted(tmp_path: Path, server: Server) -> None:
    data = tmp_path / "officer"
    assert officer_cli(data, "enroll", server.url, server.add_officer("lan", communes="14797")).returncode == 0
    store = Store(data / "profiles" / "default" / "households.sqlite")
    recs = fx.generated(30, seed=5)
    stray = recs[17]
    stray["household"]["commune_code"] = "14758"  # keyed under a commune this officer does not hold
    with store.transaction():
        for rec in recs:
            store.save_within(rec, actor="lan", action="import", status="complete")
    h = store.get(stray["uuid"])
    code, head = h.household_code, h.head_name
    assert code and head
    store.close()

    r = officer_cli(data, "sync")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "29 accepted, 1 refused" in r.stdout
    refused_lines = [line for line in r.stdout.splitlines() if code in line]
    assert len(refused_lines) == 1, r.stdout
    assert head in refused_lines[0] and "may not write households of commune 14758" in refused_lines[0]

    status = officer_cli(data, "sync", "status")
    assert "Waiting: 0" in status.stdout
    assert "refused by the server (1)" in status.stdout
    line = next(line for line in status.stdout.splitlines() if code in line)
    assert head in line and "commune 14758" in line

    # What households list/show need: the server's reason, counted as an error of the household.
    store = Store(data / "profiles" / "default" / "households.sqlite")
    (named,) = outbox.refused(store)
    assert (named.uuid, named.household_code, named.head_name, named.outcome) == (stray["uuid"], code, head, "rejected")
    problems = outbox.server_problems(store.get(stray["uuid"]))
    assert len(problems) == 1 and "commune 14758" in problems[0].en and problems[0].field == ""
    assert outbox.server_problems(store.get(recs[0]["uuid"])) == []

    # Fixed, still refused on the next sync until it is sent again, then gone from the list.
    rec = store.get(stray["uuid"]).record
    rec["household"]["commune_code"] = "14797"
    store.save(rec, actor="lan")
    assert code in officer_cli(data, "sync", "status").stdout  # edited, not yet accepted: still named
    store.complete(stray["uuid"], actor="lan", accept_warnings=True)
    store.close()
    r = officer_cli(data, "sync")
    assert r.returncode == 0 and "1 accepted, 0 refused" in r.stdout, r.stdout + r.stderr
    status = officer_cli(data, "sync", "status")
    assert code not in status.stdout and "refused by the server" not in status.stdout
    assert len(server_rows(server)) == 30
