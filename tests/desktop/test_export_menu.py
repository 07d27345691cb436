"""The File menu reaches the statistics export window."""

from __future__ import annotations


def test_the_file_menu_opens_the_export_window(qtbot, start_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import desktop.export_dialog as export_dialog

    opened: list[object] = []
    monkeypatch.setattr(export_dialog.ExportDialog, "exec", lambda self: opened.append(self) or 0)
    w = start_window()
    action = w.actions_by_key["export_statistics"]
    assert action in w.menus["menu_file"].actions() and "SPSS" in action.text()
    action.trigger()
    assert len(opened) == 1 and opened[0].parent() is w
