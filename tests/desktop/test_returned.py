"""A household the province returned for correction opens with the supervisor's comments next
to the questions they are about, and goes back once corrected."""

from __future__ import annotations

from desktop.household_editor import HouseholdEditor
from forms.store import Store, inbox, outbox
from tests import factories as fx
from tests.desktop.helpers import select_all_and_type


def returned_household(store: Store) -> str:
    """A household sent, then returned by the province (as the feed brings it down)."""
    saved = store.save(fx.household(), actor="lan")
    uuid = saved.household.uuid
    store.complete(uuid, actor="lan", accept_warnings=True)
    store.conn.execute("UPDATE households SET sent_revision = revision, server_revision = 1, status = 'sent'")
    record = store.get(uuid).record
    inbox.apply_page(store, [{"seq": 1, "kind": "returned", "uuid": uuid, "payload": {
        **record, "form_id": "labour_supply", "form_version": "1", "server_revision": 2, "round": 1,
        "by": "Giám sát Hoa", "at": "2026-11-23T09:00:00+00:00",
        "comment": {"household": "Kiểm tra lại trình độ của con trai thứ hai.",
                    "fields": {"members[2].general_education": "Tốt nghiệp THPT chứ không phải đại học?",
                               "phone": "Số điện thoại thiếu một chữ số"}}}}], 1, actor="sync")
    assert store.get(uuid).status == "returned"
    return uuid


def test_the_comments_show_beside_their_questions(qtbot, editor: HouseholdEditor, desk_store: Store) -> None:
    uuid = returned_household(desk_store)
    editor.open_household(uuid)
    assert not editor.read_only
    banner = editor.banner.text()
    assert editor.banner.isVisible() and "Giám sát Hoa" in banner and "lần 1" in banner
    assert "Kiểm tra lại trình độ của con trai thứ hai." in banner and "2 câu hỏi" in banner
    phone = editor.household_form.widget("phone")
    assert "✎ Số điện thoại thiếu một chữ số" in phone.findings_text()
    editor.select_member(2)
    education = editor.section().form.widget("general_education")
    assert "Tốt nghiệp THPT chứ không phải đại học?" in education.findings_text()
    editor.select_member(0)
    assert editor.section().form.widget("general_education").findings_text() == ""  # only on the member it is about
    first = editor.findings_panel.list.item(0).text()
    assert first.startswith("✎") and editor.findings_panel.errors == 0


def test_corrected_it_waits_to_go_back_and_the_history_shows_the_round(qtbot, editor: HouseholdEditor,
                                                                       desk_store: Store) -> None:
    uuid = returned_household(desk_store)
    editor.open_household(uuid)
    phone = editor.household_form.widget("phone")
    phone.line.setFocus()
    select_all_and_type("0912345679")
    assert editor.save_now()
    assert editor.mark_complete()
    h = desk_store.get(uuid)
    assert h.status == "complete" and outbox.waiting(desk_store) == 1
    actions = [e["action"] for e in desk_store.history(uuid)]
    assert "returned" in actions and "comment" in actions and actions[-1] == "complete"
    comment = next(e for e in desk_store.history(uuid) if e["action"] == "comment")
    assert ["phone", None, "Số điện thoại thiếu một chữ số"] in comment["changes"]
