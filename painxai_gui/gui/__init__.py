"""The PySide6 presentation layer. It only draws; all logic lives in the Qt-free core."""

from painxai_gui.gui import _pyside_fix

_pyside_fix.apply()
