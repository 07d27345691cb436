"""Screenshots of the main screens, in Vietnamese, with the shipped font.

Run under a real X server (e.g. `Xvfb :99 -screen 0 1366x768x24 &`):

    DISPLAY=:99 python docs/screenshots/take.py

It makes a temporary profile filled with households from tests/factories.py and writes the
PNG files next to this script."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from desktop import app  # noqa: E402
from desktop.profile_dialog import ProfileDialog  # noqa: E402
from desktop.settings import Profile  # noqa: E402
from desktop.unlock_dialog import UnlockDialog  # noqa: E402
from forms import paths, profiles  # noqa: E402
from forms.i18n import set_language  # noqa: E402
from forms.store import Store  # noqa: E402
from tests import factories as fx  # noqa: E402

SIZE = (1366, 740)
PASSPHRASE = "lúa chín vàng ở Hạc Thành"


def settle(ms: int = 300) -> None:
    loop_end = QTimer()
    loop_end.setSingleShot(True)
    loop_end.start(ms)
    while loop_end.isActive():
        QApplication.processEvents()


def save(widget: QWidget, name: str) -> Path:
    settle()
    target = HERE / name
    widget.grab().save(str(target))
    print(target)
    return target


def on_next_dialog(name: str) -> None:
    """Save the next modal dialog as `name`, then close it."""
    def shot() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(50, shot)
            return
        save(dialog, name)
        dialog.close()
    QTimer.singleShot(100, shot)


def fill(store: Store) -> str:
    """Households of a commune: mostly drafts, some complete, one with problems to show."""
    with store.transaction():
        for rec in fx.generated(160, seed=11):
            store.save_within(rec, actor="Nguyễn Thị Lan", action="import")
    for h in store.list(limit=50)[::3]:
        if not store.get(h.uuid).error_count:
            store.complete(h.uuid, actor="Nguyễn Thị Lan", accept_warnings=True)
    rec = fx.household(household_code="HT-000161", phone="091234")
    m = rec["members"][2]
    m.pop("unemployment_duration")
    m["citizen_id"] = "038201000003"
    rec["members"][1]["relation"] = "2"
    return store.save(rec, actor="Nguyễn Thị Lan").household.uuid


def main() -> int:
    data = Path(tempfile.mkdtemp(prefix="labour-survey-shots-"))
    os.environ["LABOUR_SURVEY_DATA"] = str(data)
    qapp = app.make_app()
    set_language("vi")
    profiles.create(paths.store_path("default"), PASSPHRASE)  # encrypted, as the first start makes it
    os.environ[profiles.ENV_PASSPHRASE] = PASSPHRASE  # for app.start, instead of typing it
    store = Store(paths.store_path("default"))
    profile = Profile("Nguyễn Thị Lan", "38", "14797", list(fx.VILLAGES), "vi")
    profile.save(store)
    problem = fill(store)
    store.close()

    # 1. First start: the profile dialog, filled in (a store outside the profiles folder: one
    # more profile there would bring up the list of profiles at start).
    unlock = UnlockDialog(paths.store_path("default"), "default")
    unlock.show()
    unlock.adjustSize()
    save(unlock, "unlock-dialog.png")
    unlock.close()
    with Store(data / "first.sqlite") as first:
        dialog = ProfileDialog(first.forms.current(), Profile(), first_start=True)
        dialog.name.setText("Nguyễn Thị Lan")
        dialog.province.line.setText("38")
        dialog.province.update_extra()
        dialog.commune.set_parent_value("38")
        dialog.commune.line.setText("14797")
        dialog.commune.update_extra()
        dialog.villages.setPlainText("\n".join(fx.VILLAGES[:3]))
        dialog.show()
        dialog.adjustSize()
        save(dialog, "profile-dialog.png")
        dialog.close()

    window = app.start(argparse.Namespace(data_dir=None, profile="default", lang="vi", actor=None, command=None))
    assert window is not None
    window.resize(*SIZE)
    window.move(0, 0)
    window.show_list()
    window.list_page.wait_for_counts()
    settle(600)
    save(window, "household-list.png")

    window.list_page.search.setText("dang van")
    window.list_page.apply_filters()
    window.list_page.wait_for_counts()
    settle(600)
    save(window, "household-list-search.png")

    window.open_household(problem)
    window.editor.select_member(2)
    window.editor.section().form.widget("unemployment_duration").line.setFocus()
    settle(300)
    save(window, "household-editor.png")

    window.editor.select_member(4)
    window.editor.section().form.widget("full_name").line.setFocus()
    save(window, "household-editor-child.png")

    on_next_dialog("complete-refused.png")
    window.editor.mark_complete()
    on_next_dialog("shortcuts.png")
    window.show_shortcuts()
    window.close()
    qapp.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
