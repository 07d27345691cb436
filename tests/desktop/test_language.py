"""One keyed catalog for every text; the Vietnamese interface has no English left in it; the
language switches at once and is remembered with the profile."""

from __future__ import annotations

import re
import string
from pathlib import Path

import yaml
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QWidget,
)

import resources
from desktop.household_list import HouseholdListModel
from desktop.main_window import COUNTED
from desktop.profile_dialog import ProfileDialog
from desktop.qt_texts import PREFIX
from desktop.settings import Profile
from desktop.text import catalog
from forms.i18n import catalog as core_catalog
from forms.i18n import current_language
from forms.store import STATUSES, Store
from tests import factories as fx

DESKTOP = Path(__file__).resolve().parents[2] / "desktop"
# Words of English UI text that are not Vietnamese words.
ENGLISH_WORDS = {"household", "households", "member", "members", "save", "cancel", "error", "errors", "warning",
                 "warnings", "search", "status", "village", "villages", "delete", "complete", "draft", "settings",
                 "help", "file", "the", "and", "with", "new", "back", "list", "code", "officer", "select", "copy",
                 "paste", "undo", "redo", "scroll", "page"}
PROPER_NOUNS = {"English", "labour-survey", "CSV", "Excel"}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_has_both_languages_with_the_same_placeholders() -> None:
    with open(resources.path("translations", "desktop.yaml"), encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    assert raw and set(raw) == set(catalog())
    for key, entry in raw.items():
        assert set(entry) == {"vi", "en"}, key
        assert isinstance(entry["vi"], str) and entry["vi"].strip(), key
        assert isinstance(entry["en"], str) and entry["en"].strip(), key
        assert placeholders(entry["vi"]) == placeholders(entry["en"]), key
    assert not set(raw) & set(core_catalog()), "a key of both catalogs"


def test_every_key_the_program_uses_exists_and_every_key_is_used() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in DESKTOP.glob("*.py"))
    literal = {k for k in re.findall(r"""\b(?:t|msg)\(\s*["']([a-z0-9_]+)["']""", source) if not k.endswith("_")}
    dynamic = ({f"status_{s}" for s in STATUSES} | {f"column_{c}" for c in HouseholdListModel.COLUMNS}
               | {f"count_{c}" for c in COUNTED})
    actions = set(re.findall(r"""self\._action\(\s*["']([a-z0-9_]+)["']""", source)) - {"language_vi", "language_en"}
    menus = set(re.findall(r"""["'](menu_[a-z]+)["']\s*:""", source))
    used = literal | dynamic | {f"action_{a}" for a in actions} | menus
    keys = set(catalog())
    assert used - keys == set(), "texts used but missing from desktop.yaml"
    unused = {k for k in keys - used if not k.startswith(PREFIX)}
    assert unused == set(), "texts in desktop.yaml that nothing uses"


def english_texts(store: Store) -> set[str]:
    """Every English text of the program that differs from its Vietnamese."""
    out = {m.en for m in catalog().values() if m.en != m.vi}
    out |= {m.en for m in core_catalog().values() if m.en != m.vi}
    d = store.forms.current()
    for f in d.by_id.values():
        for m in (f.label, f.hint, f.row_label):
            if m is not None and m.en != m.vi:
                out.add(m.en)
    for cl in d.lists.values():
        out |= {c.label.en for c in cl.items if c.label.en != c.label.vi and c.label.en}
    out = {re.sub(r"\{[a-z_]+\}", "", e).strip() for e in out}
    return {e for e in out if len(e) > 2}


def widget_texts(root: QWidget) -> list[str]:
    texts: list[str] = [root.windowTitle()]
    widgets = [w for w in root.findChildren(QWidget) if w.isVisibleTo(root)]
    for w in widgets:
        texts.append(w.toolTip())
        if isinstance(w, (QLabel, QAbstractButton)):
            texts.append(w.text())
        elif isinstance(w, QLineEdit):
            texts += [w.placeholderText(), w.text() if w.isReadOnly() else ""]
        elif isinstance(w, QPlainTextEdit):
            texts.append(w.placeholderText())
        elif isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            m = w.model()
            try:
                columns = m.columnCount(QModelIndex())
            except TypeError:  # a list model (a list widget, a combo box's list)
                columns = 1
            texts += [str(m.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(columns)]
            for r in range(min(m.rowCount(QModelIndex()), 60)):
                texts += [str(m.index(r, c).data() or "") for c in range(columns)]
    if isinstance(root, QMainWindow):
        for menu in root.menuBar().findChildren(QMenu):
            texts.append(menu.title())
            texts += [a.text() for a in menu.actions()]
    return texts


def english_left(texts: list[str], english: set[str]) -> list[str]:
    found = []
    for text in texts:
        plain = re.sub(r"<[^>]+>", "\n", text or "")
        for line in re.split(r"[\n\t]", plain):
            line = line.strip().strip("✖⚠•·* ").strip()
            if not line or line in PROPER_NOUNS:
                continue
            words = {w.lower().strip("&") for w in re.findall(r"[A-Za-z&]+", line)}
            if line in english or line.replace("&", "") in english or words & ENGLISH_WORDS:
                found.append(line)
    return found


def test_no_english_left_in_the_vietnamese_interface(qtbot, start_window, desk_store: Store) -> None:
    rec = fx.household()
    rec["members"][0]["citizen_id"] = "12"
    rec["members"][2]["labour_status"] = "9"
    uuid = desk_store.save(rec, actor="lan").household.uuid
    desk_store.save(fx.generated(1, seed=9)[0], actor="lan")
    window = start_window()
    english = english_texts(desk_store)
    qtbot.waitUntil(lambda: window.list_page.counts is not None)
    assert current_language() == "vi"
    assert english_left(widget_texts(window), english) == []
    window.open_household(uuid)
    for row in range(5):
        window.editor.select_member(row)
        assert english_left(widget_texts(window), english) == [], f"member {row + 1}"
    dialog = ProfileDialog(desk_store.forms.current(), Profile.load(desk_store), first_start=True, parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert english_left(widget_texts(dialog), english) == []
    dialog.reject()


def test_the_check_itself_finds_english(qtbot, start_window, desk_store: Store) -> None:
    window = start_window()
    window.switch_language("en")
    english = english_texts(desk_store)
    assert "Households" in english_left(widget_texts(window), english)


def test_qt_own_texts_are_translated(qtbot) -> None:
    line = QLineEdit()
    qtbot.addWidget(line)
    line.setText("Đặng")
    menu = line.createStandardContextMenu()
    texts = [a.text().split("\t")[0] for a in _all_actions(menu) if not a.isSeparator()]
    assert "&Sao chép" in texts and "Chọn tất cả" in texts
    by_en = {m.en for k, m in catalog().items() if k.startswith(PREFIX)}
    assert not [t for t in texts if t in by_en]
    menu.deleteLater()


def _all_actions(menu: QMenu) -> list[QAction]:
    out = []
    for a in menu.actions():
        out.append(a)
        if a.menu() is not None:
            out += _all_actions(a.menu())
    return out


def test_the_language_switches_at_once_and_is_remembered(qtbot, start_window, desk_store: Store) -> None:
    rec = fx.household()
    rec["members"][0]["citizen_id"] = "12"
    uuid = desk_store.save(rec, actor="lan").household.uuid
    window = start_window()
    window.open_household(uuid)
    cid = window.editor.section().form.widget("citizen_id")
    assert "Số định danh phải có 12 chữ số." in cid.findings_text()
    assert window.editor.section().form.widget("full_name").label.text() == "Họ, chữ đệm và tên *"
    window.actions_by_key["language_en"].trigger()
    assert current_language() == "en"
    assert "A citizen ID has 12 digits." in cid.findings_text()
    assert window.editor.section().form.widget("full_name").label.text() == "Full name *"
    assert window.editor.section().form.widget("relation").extra.text() == "Head of household"
    assert window.menus["menu_file"].title() == "&File"
    assert window.list_page.model.headerData(0, Qt.Orientation.Horizontal) == "Household code"
    assert "Findings" not in window.editor.findings_panel.summary.text()
    assert Profile.load(desk_store).language == "en"
    window.close()
    again = start_window()
    assert current_language() == "en" and again.menus["menu_file"].title() == "&File"
    again.actions_by_key["language_vi"].trigger()
    assert again.menus["menu_file"].title() == "&Tệp" and Profile.load(desk_store).language == "vi"
