"""Guard against PySide6 releases that drop references to None/True (6.12.0 on Python 3.11 aborts the app
with 'Fatal Python error: none_dealloc'); setup.cfg keeps PySide6 below 6.12 for this reason."""

from __future__ import annotations

import sys

from PySide6 import QtCore, QtWidgets


class _Source(QtCore.QObject):
    changed = QtCore.Signal(int)


def test_void_calls_and_emits_keep_singleton_references(qtbot):
    label = QtWidgets.QLabel()
    qtbot.addWidget(label)
    source = _Source()
    source.changed.connect(lambda v: None)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(2000):
        label.setText("x")
        source.changed.emit(1)
    assert none_before - sys.getrefcount(None) < 100
    assert true_before - sys.getrefcount(True) < 100
