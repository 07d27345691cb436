"""JSON Lines import and export, CSV for Excel."""

from __future__ import annotations

import csv
import io
import json

from forms.exchange import export_csv, export_jsonl, import_jsonl
from forms.store import Store
from tests import factories as fx


def lines(*records: object) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]


def bad_file() -> list[str]:
    good1, good2, good3 = fx.generated(3)
    wrong_section = fx.generated(1, seed=9)[0]
    wrong_section["household"]["full_name"] = "Nguyễn Văn A"   # a member question at household level
    unknown = fx.generated(1, seed=10)[0]
    unknown["members"][0]["shoe_size"] = 42
    complete_with_errors = fx.generated(1, seed=11)[0]
    complete_with_errors["status"] = "complete"
    complete_with_errors["household"]["household_code"] = "HT-777"
    del complete_with_errors["members"][0]["sex"]
    return lines(
        good1,
        '{"household": {"village": "Thôn Yên Trường"',            # 2: cut off
        good2,
        "[1, 2, 3]",                                                 # 4: not an object
        wrong_section,                                               # 5
        unknown,                                                     # 6
        complete_with_errors,                                        # 7
        good1,                                                       # 8: same uuid as line 1
        "",                                                          # 9: blank lines are skipped
        good3,
    )


def test_good_lines_go_in_and_bad_lines_are_listed(store: Store) -> None:
    report = import_jsonl(store, bad_file(), actor="lan")
    assert report.committed and report.added == 3
    reasons = {b.line: b.reason for b in report.bad}
    assert sorted(reasons) == [2, 4, 5, 6, 7, 8]
    assert reasons[2].startswith("not valid JSON")
    assert "one JSON object" in reasons[4]
    assert "'full_name' is in the wrong section" in reasons[5]
    assert "'shoe_size' is not a question of this form" in reasons[6]
    assert "marked complete but has 1 error(s): members[0].sex" in reasons[7]
    assert "already appeared on line 1" in reasons[8]
    assert store.count() == 3
    # never a half-written household: each stored one has all its members
    for h in store.list():
        assert len(store.get(h.uuid).record["members"]) == h.member_count > 0


def test_all_or_nothing_stores_nothing(store: Store) -> None:
    report = import_jsonl(store, bad_file(), actor="lan", all_or_nothing=True)
    assert not report.committed
    assert sorted(b.line for b in report.bad) == [2, 4, 5, 6, 7, 8]
    assert store.count() == 0
    assert store.conn.execute("SELECT count(*) FROM change_log").fetchone()[0] == 0


def test_round_trip_keeps_identity_status_and_answers(store: Store, tmp_path) -> None:
    recs = fx.generated(20)
    import_jsonl(store, lines(*recs), actor="lan")
    first = store.list(limit=1)[0]
    store.complete(first.uuid, actor="lan", accept_warnings=True)
    out = io.StringIO()
    assert export_jsonl(store, out) == 20
    exported = out.getvalue().splitlines()

    other = Store(tmp_path / "laptop2.sqlite", store.forms)
    report = import_jsonl(other, exported, actor="district")
    assert (report.added, report.bad) == (20, [])
    assert other.get(first.uuid).status == "complete"
    assert other.get(first.uuid).record == store.get(first.uuid).record
    again = import_jsonl(other, exported, actor="district")  # importing twice changes nothing
    assert (again.added, again.unchanged, again.bad) == (0, 20, [])
    other.close()


def test_changed_household_needs_replace(store: Store) -> None:
    rec = fx.generated(1)[0]
    import_jsonl(store, lines(rec), actor="lan")
    rec["household"]["address"] = "99 Trần Phú"
    report = import_jsonl(store, lines(rec), actor="lan")
    assert "use --replace" in report.bad[0].reason
    report = import_jsonl(store, lines(rec), actor="lan", replace=True)
    assert report.replaced == 1
    assert store.get(rec["uuid"]).record["household"]["address"] == "99 Trần Phú"


def test_values_from_other_tools_are_brought_to_stored_form(store: Store) -> None:
    rec = fx.household()
    rec["members"][0].update(relation=1, ethnicity=1, birth_date="12/04/1975", priority_groups="1 5")
    import_jsonl(store, lines(rec), actor="lan")
    head = store.list()[0]
    stored = store.get(head.uuid).record["members"][0]
    assert (stored["relation"], stored["ethnicity"], stored["birth_date"], stored["priority_groups"]) == (
        "1", "01", "1975-04-12", ["1", "5"])


def test_csv_opens_in_excel_with_vietnamese(store: Store) -> None:
    import_jsonl(store, lines(fx.household()), actor="lan")
    out = io.StringIO(newline="")
    assert export_csv(store, out, labels=True, lang="vi", excel_text=True) == 5
    text = out.getvalue()
    assert text.startswith("\ufeff") and "\r\n" in text  # BOM tells Excel it is UTF-8
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["full_name"] == "Đặng Văn Hùng"
    assert rows[2]["labour_status"] == "Thất nghiệp"
    assert rows[0]["citizen_id"] == f'="{fx.citizen_id(1975, "1", serial=1)}"'  # leading zero kept
    households = io.StringIO(newline="")
    assert export_csv(store, households, level="households") == 1


def test_worker_processes_store_exactly_what_one_process_does(tmp_path, forms_registry) -> None:
    recs = fx.generated(700, seed=5)
    recs[650]["members"][0]["citizen_id"] = recs[10]["members"][0]["citizen_id"]  # a person seen twice
    recs[651]["household"]["household_code"] = recs[11]["household"]["household_code"]  # a code used twice
    recs[652]["status"] = "complete"
    del recs[652]["members"][0]["sex"]
    text = lines(*recs[:300], "{broken", *recs[300:])
    one, many = Store(tmp_path / "one.sqlite", forms_registry), Store(tmp_path / "many.sqlite", forms_registry)
    r1 = import_jsonl(one, text, actor="lan", workers=0)
    r2 = import_jsonl(many, text, actor="lan", workers=2)
    assert (r1.added, [(b.line, b.reason) for b in r1.bad]) == (r2.added, [(b.line, b.reason) for b in r2.bad])
    assert r1.added == 699 and [b.line for b in r1.bad] == [301, 654]
    def answers(record: dict) -> dict:  # member _ids are made afresh by each import
        return {**record, "members": [{k: v for k, v in m.items() if k != "_id"} for m in record["members"]]}

    for h in one.list(limit=1000):
        other = many.get(h.uuid)
        assert (answers(other.record), other.error_count, other.warning_count, other.head_name) == (
            answers(one.get(h.uuid).record), h.error_count, h.warning_count, h.head_name)
    assert many.get(recs[650]["uuid"]).warning_count >= 1
    assert many.get(recs[651]["uuid"]).error_count == 1
    one.close()
    many.close()


def test_a_bad_line_is_explained_in_both_languages_without_python_wording(store: Store) -> None:
    report = import_jsonl(store, ['{a: 1}', '{"household": {"village": "Thôn Yên', '"text"'], actor="lan")
    bad = {b.line: b.msg for b in report.bad}
    assert bad[1].vi == "không phải JSON hợp lệ (lỗi ở ký tự thứ 2)"
    assert bad[1].en == "not valid JSON (error at character 2)"
    assert "bị cắt ngang" in bad[2].vi and "cut short" in bad[2].en
    assert bad[3].vi == "mỗi dòng phải là một đối tượng JSON (một hộ)"
    for msg in bad.values():  # none of json's own English ("Expecting property name...", "Unterminated string...")
        assert "Expecting" not in msg.en + msg.vi and "Unterminated" not in msg.en + msg.vi
