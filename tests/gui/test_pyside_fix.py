"""PySide6 6.12 on Python 3.11 drops a reference to None/True per void call / emit; the GUI package makes
those singletons immortal (as Python 3.12 does) so the app cannot abort with none_dealloc/bool_dealloc."""

from __future__ import annotations

import sys

import painxai_gui.gui  # noqa: F401  (applies the fix on import)
from PySide6 import QtCore, QtWidgets

from painxai_gui.gui import _pyside_fix


class _Source(QtCore.QObject):
    changed = QtCore.Signal(int)


def test_singletons_cannot_run_out_of_references(qtbot):
    if sys.version_info >= (3, 12):
        assert _pyside_fix.apply() == []
        return
    label = QtWidgets.QLabel()
    source = _Source()
    source.changed.connect(lambda v: None)
    for _ in range(5000):  # each call takes a reference from None / True in PySide6 6.12
        label.setText("x")
        source.changed.emit(1)
    assert sys.getrefcount(None) > 1 << 39 and sys.getrefcount(True) > 1 << 39
