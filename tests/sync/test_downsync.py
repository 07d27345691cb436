"""What the province sends down: returned households, households to visit, new questionnaires."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import create_engine, text

from forms.registry import FormRegistry
from forms.store import Store
from sync import client
from tests import factories as fx
from tests.sync.conftest import Server
from tests.sync.test_sync import complete_households, laptop


def sync(store: Store) -> client.SyncResult:
    return client.SyncClient(store, actor="lan").sync()


def review_state(server: Server, uuid: str) -> tuple[str | None, int, int]:
    engine = create_engine(server.db_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT review_state, review_round, server_revision FROM households WHERE uuid = :u"),
                           {"u": uuid}).one()
    engine.dispose()
    return tuple(row)  # type: ignore[return-value]


def test_a_returned_household_comes_back_with_its_comments_and_goes_again_once_corrected(
        tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    uuid = complete_households(store, 1)[0]
    sync(store)
    r = server.admin("households", "return", uuid[:8], "--comment", "Kiểm tra lại trình độ của con trai",
                     "--field", "members[2].general_education=Tốt nghiệp THPT chứ không phải đại học?", "--by", "Giám sát Hoa")
    assert r.returncode == 0, r.stderr
    assert review_state(server, uuid) == ("returned", 1, 2)

    result = sync(store)
    assert result.returned == 1
    h = store.get(uuid)
    assert h.status == "returned" and h.server_revision == 2
    note = json.loads(h.server_note)
    assert note["message"]["vi"] == "Kiểm tra lại trình độ của con trai"
    assert note["findings"] == [{"field": "members[2].general_education", "severity": "comment",
                                 "vi": "Tốt nghiệp THPT chứ không phải đại học?",
                                 "en": "Tốt nghiệp THPT chứ không phải đại học?"}]
    assert client.status(store).waiting == 0  # nothing to send until it is corrected
    actions = [e["action"] for e in store.history(uuid)]
    assert actions[-2:] == ["returned", "comment"]

    again = sync(store)  # the same return is not applied twice
    assert again.returned == 0 and len(store.history(uuid)) == len(actions)

    rec = store.get(uuid).record
    # looked at the education; the address was wrong
    rec["household"]["address"] = "14 Lê Lợi"
    store.save(rec, actor="lan")
    store.complete(uuid, actor="lan", accept_warnings=True)
    result = sync(store)
    assert (result.accepted, result.conflicts) == (1, 0)
    assert store.get(uuid).status == "sent" and store.get(uuid).server_note is None
    assert review_state(server, uuid) == ("resubmitted", 1, 3)
    shown = json.loads(server.admin("households", "show", uuid).stdout)
    assert shown["household"]["address"] == "14 Lê Lợi"
    assert [(h["round"], h["action"]) for h in shown["review_history"]] == [(1, "returned"), (1, "resubmitted")]

    # A second round, then approval.
    assert server.admin("households", "return", uuid, "--comment", "Số điện thoại?").returncode == 0
    sync(store)
    assert store.get(uuid).status == "returned" and json.loads(store.get(uuid).server_note)["round"] == 2
    store.complete(uuid, actor="lan", accept_warnings=True)
    assert sync(store).accepted == 1
    assert server.admin("households", "approve", uuid).returncode == 0
    assert review_state(server, uuid)[0] == "approved"


def test_a_return_while_the_officer_is_still_editing_keeps_the_edits(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    uuid = complete_households(store, 1)[0]
    sync(store)
    rec = store.get(uuid).record
    rec["household"]["address"] = "99 Nguyễn Trãi"  # typed at home, not yet sent
    store.save(rec, actor="lan")
    assert server.admin("households", "return", uuid, "--comment", "Sai địa chỉ").returncode == 0
    sync(store)
    h = store.get(uuid)
    assert h.record["household"]["address"] == "99 Nguyễn Trãi"
    assert json.loads(h.server_note)["message"]["vi"] == "Sai địa chỉ"
    store.complete(uuid, actor="lan", accept_warnings=True)
    result = sync(store)
    assert (result.accepted, result.conflicts) == (1, 0)  # built on the returned revision: no conflict
    assert review_state(server, uuid)[0] == "resubmitted"


def test_a_returned_household_that_also_had_a_conflict_is_returned_with_both_notes(
        tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    uuid = complete_households(store, 1)[0]
    sync(store)
    rec = store.get(uuid).record
    rec["household"]["address"] = "99 Nguyễn Trãi"  # corrected and completed at home ...
    store.save(rec, actor="lan")
    store.complete(uuid, actor="lan", accept_warnings=True)
    # ... while the supervisor returned it: the upload meets a newer revision, then the return comes down.
    assert server.admin("households", "return", uuid, "--comment", "Sai địa chỉ").returncode == 0
    result = sync(store)
    assert (result.conflicts, result.returned) == (1, 1)
    h = store.get(uuid)
    assert h.status == "returned" and h.record["household"]["address"] == "99 Nguyễn Trãi"
    note = json.loads(h.server_note)
    assert note["outcome"] == "returned" and note["message"]["vi"] == "Sai địa chỉ"
    assert any("changed at the province" in f["en"] for f in note["findings"])  # the conflict's note is kept
    store.complete(uuid, actor="lan", accept_warnings=True)
    result = sync(store)
    assert (result.accepted, result.conflicts) == (1, 0)  # built on the returned revision
    assert review_state(server, uuid)[0] == "resubmitted"


def second_laptop(tmp_path: Path, server: Server, officer: str) -> Store:
    """Another laptop of an officer already enrolled (a replaced or second computer)."""
    r = server.admin("officers", "code", officer)
    assert r.returncode == 0, r.stderr
    code = re.search(r"[A-Z0-9]{5}-[A-Z0-9]{5}", r.stdout).group(0)  # type: ignore[union-attr]
    store = Store(tmp_path / f"{officer}-2.sqlite")
    client.enroll(store, server.url, code, f"laptop-{officer}-2")
    return store


def test_a_returned_household_reaches_only_the_laptops_of_its_officer(tmp_path: Path, server: Server) -> None:
    lan = laptop(tmp_path, server, name="lan")
    uuid = complete_households(lan, 1)[0]
    head = lan.get(uuid).record["members"][0]["full_name"]
    sync(lan)
    # Laptop B: another officer of the same commune, who never held this household.
    hoa = laptop(tmp_path, server, name="hoa", communes="14797")
    assert server.admin("households", "return", uuid, "--comment", "Thiếu số điện thoại").returncode == 0
    assert sync(hoa).returned == 0 and hoa.count() == 0
    assert head not in json.dumps([h.__dict__ for h in hoa.list()], default=str, ensure_ascii=False)
    assert sync(lan).returned == 1 and lan.get(uuid).status == "returned"
    # The officer's new laptop gets it, and sends the correction.
    new = second_laptop(tmp_path, server, "lan")
    assert sync(new).returned == 1
    h = new.get(uuid)
    assert h.status == "returned" and h.record == lan.get(uuid).record
    new.complete(uuid, actor="lan", accept_warnings=True)
    assert sync(new).accepted == 1
    other = laptop(tmp_path, server, name="tuan", communes="14758")  # another commune sees nothing of it
    assert sync(other).returned == 0 and other.count() == 0


def test_return_refuses_unknown_households_and_questions(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    uuid = complete_households(store, 1)[0]
    sync(store)
    r = server.admin("households", "return", "ffffffff", "--comment", "x")
    assert r.returncode == 2 and "no household ffffffff" in r.stderr
    r = server.admin("households", "return", uuid, "--field", "members[0].shoe_size=?")
    assert r.returncode == 2 and "no such question" in r.stderr
    r = server.admin("households", "return", uuid)
    assert r.returncode == 2 and "Say what to correct" in r.stderr
    assert review_state(server, uuid) == (None, 0, 1)


def test_households_to_visit_arrive_once_for_their_commune_only(tmp_path: Path, server: Server) -> None:
    lines = []
    for i, (commune, head) in enumerate([("14797", "Lò Văn Sáng"), ("14797", "Hà Thị Mai"), ("14758", "Vi Văn Tư")]):
        lines.append(json.dumps({"household": {"province_code": "38", "commune_code": commune, "household_code": f"GV-{i}",
                                               "village": "Bản Mường Khoa", "address": f"{i} Bản Mường Khoa"},
                                 "members": [{"full_name": head, "relation": "1"}]}, ensure_ascii=False))
    file = tmp_path / "to-visit.jsonl"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = server.admin("assignments", "add", str(file))
    assert r.returncode == 0 and "3 household(s)" in r.stdout, r.stderr
    assert "0 household(s)" in server.admin("assignments", "add", str(file)).stdout  # the same list again

    lan = laptop(tmp_path, server, name="lan", communes="14797")
    assert sync(lan).assigned == 2
    drafts = lan.list()
    assert sorted(h.head_name for h in drafts) == ["Hà Thị Mai", "Lò Văn Sáng"]
    assert all(h.status == "draft" for h in drafts)
    assert [h.head_name for h in lan.list(text="lo van sang")] == ["Lò Văn Sáng"]  # found without diacritics
    mai = next(h for h in drafts if h.head_name == "Hà Thị Mai")
    rec = lan.get(mai.uuid).record
    rec["household"]["phone"] = "0987654321"
    lan.save(rec, actor="lan")
    assert sync(lan).assigned == 0  # nothing new; the officer's typing is untouched
    assert lan.get(mai.uuid).record["household"]["phone"] == "0987654321" and lan.count() == 2

    tu = laptop(tmp_path, server, name="tu", communes="14758")
    assert sync(tu).assigned == 1 and tu.list()[0].head_name == "Vi Văn Tư"


def test_a_bad_assignment_file_is_refused_whole(tmp_path: Path, server: Server) -> None:
    file = tmp_path / "bad.jsonl"
    file.write_text('{"household": {"commune_code": "14797"}}\n{"household": {"village": "Thôn A"}}\n', encoding="utf-8")
    r = server.admin("assignments", "add", str(file))
    assert r.returncode == 2 and "bad.jsonl line 2" in r.stderr and "commune_code" in r.stderr
    assert server.admin("assignments", "list").stdout == ""


def version_3(tmp_path: Path) -> Path:
    """The shipped questionnaire as a province would change it: version 3 with a new question."""
    text_v1 = (Path(FormRegistry().current().source)).read_text(encoding="utf-8")
    assert 'version: "2"' in text_v1
    new_question = '''      - id: phone
        search: true'''
    assert new_question in text_v1
    text_v2 = text_v1.replace('version: "2"', 'version: "3"', 1).replace(new_question, '''      - id: zalo
        type: text
        label: {vi: "Số Zalo", en: "Zalo number"}
''' + new_question, 1)
    path = tmp_path / "labour_supply-3.yaml"
    path.write_text(text_v2, encoding="utf-8")
    return path


def test_a_published_questionnaire_version_reaches_laptops_and_old_households_keep_theirs(
        tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    old = complete_households(store, 1)[0]
    sync(store)
    r = server.admin("forms", "publish", str(version_3(tmp_path)))
    assert r.returncode == 0, r.stderr
    assert server.admin("forms", "publish", str(version_3(tmp_path))).returncode == 0  # the same again: harmless
    assert "labour_supply        3" in server.admin("forms", "list").stdout

    assert sync(store).forms_received == 1
    assert store.forms.current().version == "3"
    assert store.get(old).form_version == "2"
    reopened = Store(store.path)  # the version stays after a restart
    assert reopened.forms.current().version == "3"
    rec = fx.household(household_code="HT-0099", zalo="0912000111")
    saved = reopened.save(rec, actor="lan")
    assert saved.household.form_version == "3" and saved.household.record["household"]["zalo"] == "0912000111"
    reopened.complete(saved.household.uuid, actor="lan", accept_warnings=True)
    result = client.SyncClient(reopened).sync()
    assert result.accepted == 1 and result.rejected == 0  # the server checks it with version 3
    shown = json.loads(server.admin("households", "show", saved.household.uuid).stdout)
    assert shown["form"] == "labour_supply 3" and shown["household"]["zalo"] == "0912000111"


def test_a_broken_or_clashing_questionnaire_is_refused(tmp_path: Path, server: Server) -> None:
    good = version_3(tmp_path)
    broken = tmp_path / "broken.yaml"
    broken.write_text(good.read_text(encoding="utf-8").replace("${head_count} = 1", "${head_cout} = 1"), encoding="utf-8")
    r = server.admin("forms", "publish", str(broken))
    assert r.returncode == 2 and "head_cout" in r.stderr
    assert server.admin("forms", "publish", str(good)).returncode == 0
    changed = tmp_path / "changed.yaml"
    changed.write_text(good.read_text(encoding="utf-8").replace("Số Zalo", "Zalo"), encoding="utf-8")
    r = server.admin("forms", "publish", str(changed))
    assert r.returncode == 2 and "new version number" in r.stderr
    shipped = Path(FormRegistry().current().source)
    r = server.admin("forms", "publish", str(shipped))  # the shipped version itself: nothing to do
    assert r.returncode == 0


def test_many_entries_come_page_by_page(tmp_path: Path, server: Server) -> None:
    lines = [json.dumps({"household": {"commune_code": "14797", "household_code": f"P-{i:04d}"},
                         "members": [{"full_name": f"Người {i}", "relation": "1"}]}, ensure_ascii=False)
             for i in range(450)]
    file = tmp_path / "many.jsonl"
    file.write_text("\n".join(lines), encoding="utf-8")
    assert server.admin("assignments", "add", str(file)).returncode == 0
    store = laptop(tmp_path, server)
    assert sync(store).assigned == 450 and store.count() == 450


def test_a_new_code_list_and_the_questionnaire_that_uses_it(tmp_path: Path, server: Server) -> None:
    """A commune created after the program was built: the province publishes a new edition of
    the commune list under a new name and a questionnaire version that uses it."""
    shipped = (Path(FormRegistry().current().source).parents[2] / "resources" / "code_lists" / "communes_2025.csv")
    new_list = tmp_path / "communes_2026.csv"
    new_list.write_text(shipped.read_text(encoding="utf-8") + "14999,Xã Hoà Bình Mới,Hoa Binh Moi Commune,38\n",
                        encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,label_vi,label_en\n1,Một,One\n1,Một lần nữa,Again\n", encoding="utf-8")
    r = server.admin("codelists", "publish", "communes_bad", str(bad), "--version", "2026-01-01")
    assert r.returncode == 2 and "line 3" in r.stderr and "twice" in r.stderr
    r = server.admin("codelists", "publish", "communes_2026", str(new_list), "--version", "2026-01-01",
                     "--source", "Nghị quyết (thử)")
    assert r.returncode == 0, r.stderr
    form = version_3(tmp_path)
    form.write_text(form.read_text(encoding="utf-8").replace("communes: communes_2025", "communes: communes_2026"),
                    encoding="utf-8")
    assert server.admin("forms", "publish", str(form)).returncode == 0

    store = laptop(tmp_path, server, name="lan", communes="14797,14999")
    result = sync(store)
    assert (result.code_lists_received, result.forms_received) == (1, 1)
    assert (store.code_lists_dir / "communes_2026.csv").exists()
    rec = fx.household(household_code="HBM-1", commune_code="14999")
    saved = store.save(rec, actor="lan")
    assert saved.household.form_version == "3" and not saved.evaluation.errors
    store.complete(saved.household.uuid, actor="lan", accept_warnings=True)
    assert client.SyncClient(store).sync().accepted == 1  # the server checks it against the new list

    old = store.save(fx.household_v1(household_code="HBM-2", commune_code="14999"), actor="lan")
    assert old.household.form_version == "1"
    assert any(str(f.ref) == "commune_code" for f in old.evaluation.errors)  # version 1 does not know it


def test_a_province_workbook_published_to_the_server_reaches_the_laptop(tmp_path: Path, server: Server) -> None:
    """The province edits the questionnaire in Excel and publishes the workbook itself."""
    from forms.xlsform.writer import write_workbook
    from tests.xlsform.helpers import edit
    from tests.xlsform.test_round_trip import add_internet_question

    workbook = tmp_path / "labour_supply-2.xlsx"
    write_workbook(FormRegistry().current(), workbook)
    edited = edit(workbook, tmp_path / "tinh-thanh-hoa.xlsx", add_internet_question)
    r = server.admin("forms", "publish", str(edited))
    assert r.returncode == 0 and "version 3 published" in r.stdout, r.stderr
    broken = edit(workbook, tmp_path / "broken.xlsx", lambda wb: wb.remove(wb["choices"]))
    r = server.admin("forms", "publish", str(broken))
    assert r.returncode == 2 and "choices" in r.stderr

    store = laptop(tmp_path, server)
    assert sync(store).forms_received == 1
    v2 = store.forms.current()
    assert v2.version == "3" and v2.by_id["internet"].label.vi == "Hộ có kết nối Internet"
