"""A guard against a PySide6 bug that aborts the program.

PySide6 6.12.0 returns None, True and False to Python without taking a reference to them:
every call of a Qt method that returns nothing (label.setText(), app.processEvents()) drops a
reference to None, and every signal emission (its emit() returns True or False) drops one to
True or False. On CPython 3.11, where these are ordinary objects with reference counts of a
few thousand, the interpreter aborts after a few thousand such calls ("Fatal Python error:
none_dealloc: deallocating None", or bool_dealloc): minutes of an officer's typing.
PySide6 6.11.3 and CPython 3.12+ (where None, True and False are immortal) are not affected.

The right fix is a PySide6 version without the bug (PySide6-Essentials != 6.12.0). Until
then, `keep_singletons_alive()` detects the bug and gives these three objects so many
references that their counts cannot reach zero (they are never freed anyway, so an excess is
harmless)."""

from __future__ import annotations

import ctypes
import sys

HEADROOM = 1 << 52  # 4.5e15 dropped references: never reached
_applied = False

def drops_references() -> bool:
    """True if this PySide6 loses references to None or to True/False."""
    from PySide6.QtCore import QObject, Signal

    class Probe(QObject):
        ping = Signal()

    probe = Probe()
    none_before, bools_before = sys.getrefcount(None), sys.getrefcount(True) + sys.getrefcount(False)
    for _ in range(200):
        probe.setObjectName("probe")  # returns nothing
        probe.ping.emit()  # returns a bool
    lost_none = none_before - sys.getrefcount(None)
    lost_bools = bools_before - sys.getrefcount(True) - sys.getrefcount(False)
    return lost_none > 100 or lost_bools > 100

def keep_singletons_alive() -> bool:
    """Apply the guard if this PySide6 needs it (once); True if applied."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # None, True and False are immortal
    if not drops_references():
        return False
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += HEADROOM  # ob_refcnt, the object's first field
    _applied = True
    return True
