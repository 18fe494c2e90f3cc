"""Work around a reference-count bug in PySide6's ``SignalInstance.emit`` (seen in 6.12.0).

``emit()`` returns ``True`` without taking a reference, so every Python-side
emit (ours and pyqtgraph's, thousands a minute) takes one reference away from
the ``True`` singleton; when it reaches zero CPython aborts with "Fatal Python
error: bool_dealloc". The fix is applied only when a probe shows the bug:
the wrapper gives the returned bool the reference it should have had.
"""

from __future__ import annotations

import ctypes
import sys

_PROBES = 64
_applied = False


def _leaks(signal_instance) -> bool:
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        signal_instance.emit()
    return before - sys.getrefcount(True) >= _PROBES // 2


def apply() -> bool:
    """Patch ``SignalInstance.emit`` if this PySide6 has the bug; True when patched (idempotent)."""
    global _applied
    if _applied:
        return True
    from PySide6 import QtCore

    class _Probe(QtCore.QObject):
        ping = QtCore.Signal()

    probe = _Probe()
    kind = type(probe.ping)
    if not _leaks(probe.ping):
        return False
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]
    incref.restype = None
    original = kind.emit
    for _ in range(_PROBES):  # give back what the probe took
        incref(True)

    def emit(self, *args):
        result = original(self, *args)
        if result is True or result is False:
            incref(result)
        return result

    kind.emit = emit
    _applied = True
    return True
