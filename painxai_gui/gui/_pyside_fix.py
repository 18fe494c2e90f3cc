"""Work around PySide6 6.12 returning borrowed ``None``/``True`` on Python 3.11.

PySide6 6.12 returns ``None`` from every void method (``setText``,
``QTimer.start``...) and ``True`` from ``SignalInstance.emit``/``disconnect``
without taking a reference -- correct on Python 3.12+, where these singletons
are immortal, but on 3.11 every such call takes one reference away from them,
and after enough calls CPython aborts ("Fatal Python error: none_dealloc" /
"bool_dealloc"). The fix makes ``None``, ``True`` and ``False`` immortal the
way 3.12 does: their reference counts are raised far out of reach. It is
applied only on Python < 3.12 and only when a probe shows the leak.
"""

from __future__ import annotations

import ctypes
import sys

_PROBES = 64
_BOOST = 1 << 40  # more decrements than any session will ever make
_applied: list[str] = []


def _lost(obj, call) -> int:
    before = sys.getrefcount(obj)
    for _ in range(_PROBES):
        call()
    return before - sys.getrefcount(obj)


def _raise_refcount(obj, amount: int) -> bool:
    """Add ``amount`` to ``obj``'s reference count (``ob_refcnt`` is its first field); checked."""
    before = sys.getrefcount(obj)
    cell = ctypes.c_ssize_t.from_address(id(obj))
    cell.value += amount
    if sys.getrefcount(obj) - before != amount:  # not the layout we expect: undo, leave it alone
        cell.value -= amount
        return False
    return True


def apply() -> list[str]:
    """Make the leaked singletons immortal when this PySide6/Python pair needs it (idempotent)."""
    if _applied or sys.version_info >= (3, 12):
        return list(_applied)
    from PySide6 import QtCore

    class _Probe(QtCore.QObject):
        ping = QtCore.Signal()

    probe = _Probe()
    leaks = {"None": _lost(None, lambda: probe.setObjectName("probe")),
             "True": _lost(True, probe.ping.emit)}
    if any(n >= _PROBES // 2 for n in leaks.values()):
        for name, obj in (("None", None), ("True", True), ("False", False)):
            if _raise_refcount(obj, _BOOST):
                _applied.append(name)
    return list(_applied)
