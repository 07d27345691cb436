"""The officer's desktop program (PySide6). Uses `forms` and `sync`; never runs SQL."""
