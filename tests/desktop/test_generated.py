"""The screens are generated from the questionnaire: a province's edit of the definition
changes them with no code change; each household opens with its own version."""

from __future__ import annotations

from pathlib import Path

import yaml
from PySide6.QtCore import Qt

from desktop.household_editor import HouseholdEditor
from forms.definition import DEFAULT_DEFINITION
from forms.registry import FormRegistry
from forms.store import Store
from tests import factories as fx
from tests.desktop.helpers import focused_field, press, type_text


def edited_definition(folder: Path) -> Path:
    raw = yaml.safe_load(DEFAULT_DEFINITION.read_text(encoding="utf-8"))
    raw["version"] = "3"
    raw["choices"]["water"] = [{"code": "1", "vi": "Nước máy", "en": "Piped water"},
                               {"code": "2", "vi": "Giếng khoan", "en": "Borehole"}]
    household = raw["fields"][0]["fields"]
    household.insert(5, {"id": "water_source", "type": "select_one", "list": "water", "required": True,
                         "label": {"vi": "Nguồn nước chính", "en": "Main water source"}})
    members = raw["fields"][1]
    members["fields"].insert(1, {"id": "nickname", "type": "text", "label": {"vi": "Tên gọi khác", "en": "Other name"},
                                 "relevant": "${full_name} != ''"})
    folder.mkdir(parents=True)
    target = folder / "labour_supply-3.yaml"
    target.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (folder / DEFAULT_DEFINITION.name).write_text(DEFAULT_DEFINITION.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_an_edited_definition_changes_the_screens(qtbot, tmp_path: Path) -> None:
    forms = FormRegistry([edited_definition(tmp_path / "definitions")])
    with Store(tmp_path / "h.sqlite", forms) as store:
        old = store.save({**fx.household(), "form_id": "labour_supply", "form_version": "2"}, actor="lan").household.uuid
        editor = HouseholdEditor(store, actor="lan")
        qtbot.addWidget(editor)
        editor.show()
        editor.activateWindow()
        qtbot.waitUntil(editor.isActiveWindow)
        editor.new_household()  # the current version: 3
        water = editor.household_form.widget("water_source")
        assert water is not None and water.label.text() == "Nguồn nước chính *"
        order = [w.field.id for w in editor.household_form.order]
        assert order.index("water_source") == order.index("address") + 1
        water.line.setFocus()
        type_text("2")
        assert water.extra.text() == "Giếng khoan"
        press(Qt.Key.Key_Return)
        assert focused_field().field.id == order[order.index("water_source") + 1]
        editor.add_row()
        nickname = editor.section().form.widget("nickname")
        assert not nickname.can_take_focus()  # relevant once the name is written
        type_text("Nguyễn Văn A")
        assert nickname.can_take_focus()
        editor.flush()
        assert store.get(editor.uuid).form_version == "3"
        editor.open_household(old)  # a household taken with version 2 keeps its own screens
        assert editor.household_form.widget("water_source") is None
        assert editor.definition.version == "2"
