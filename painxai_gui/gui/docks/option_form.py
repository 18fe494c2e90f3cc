"""A form built from a method's option descriptors (name, type, default, help, choices, range).

No list of options lives in the GUI: whatever the engine's registry declares
gets a widget here (bool -> check box, choices -> combo, int -> spin box,
float -> validated text so that 1e-7 stays readable, str -> text).
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6 import QtCore, QtWidgets

_BIG = 10**9
#: how a choice reads in the GUI where the raw value says little (option name, value) -> label
CHOICE_LABELS = {("segmentation", "precomputed"): "facial regions (landmarks)"}


class OptionForm(QtWidgets.QWidget):
    changed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._layout = QtWidgets.QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._fields: dict[str, tuple[Any, Callable[[], Any], Callable[[Any], None]]] = {}

    def set_options(self, options, values: dict[str, Any] | None = None) -> None:
        """Rebuild for ``options`` (Option descriptors), starting from ``values`` or the defaults."""
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self._fields.clear()
        values = values or {}
        for opt in options:
            widget, getter, setter = _widget_for(opt, self.changed.emit)
            widget.setToolTip(opt.help)
            self._fields[opt.name] = (opt, getter, setter)
            if opt.name in values:
                try:
                    value = values[opt.name]
                    setter(None if value is None else opt.coerce(value, "settings"))
                except Exception:  # a stale saved value: keep the default
                    pass
            label = QtWidgets.QLabel(opt.name.replace("_", " "))
            label.setToolTip(opt.help)
            self._layout.addRow(label, widget)

    def values(self) -> dict[str, Any]:
        """Current values, each coerced and range-checked by its descriptor (invalid -> default)."""
        out = {}
        for name, (opt, getter, _setter) in self._fields.items():
            try:
                value = getter()
                out[name] = None if value is None else opt.coerce(value, "option")
            except Exception:  # an invalid entry (marked red on the field) counts as the default
                out[name] = opt.default
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        """Set known options (unknown names are ignored), then report one change."""
        for name, value in values.items():
            if name in self._fields:
                opt, _getter, setter = self._fields[name]
                setter(opt.coerce(value, "option") if value is not None else None)
        self.changed.emit()


def _widget_for(opt, changed: Callable[[], None]):
    if opt.type is bool:
        w = QtWidgets.QCheckBox()
        w.setChecked(bool(opt.default))
        w.toggled.connect(lambda _v: changed())
        return w, w.isChecked, lambda v: w.setChecked(bool(v))
    if opt.choices:
        w = QtWidgets.QComboBox()
        for choice in opt.choices:
            w.addItem(CHOICE_LABELS.get((opt.name, choice), str(choice)), choice)
        w.setCurrentIndex(max(0, w.findData(opt.default)))
        w.currentIndexChanged.connect(lambda _i: changed())
        return w, w.currentData, lambda v: w.setCurrentIndex(max(0, w.findData(v)))
    if opt.type is int:
        w = QtWidgets.QSpinBox()
        low, high = opt.range or (None, None)
        w.setRange(int(low) if low is not None else -_BIG, int(high) if high is not None else _BIG)
        w.setValue(int(opt.default))
        w.setKeyboardTracking(False)
        w.valueChanged.connect(lambda _v: changed())
        return w, w.value, lambda v: w.setValue(int(v))
    w = QtWidgets.QLineEdit(_text(opt.default))
    if opt.default is None or opt.default == "":
        w.setPlaceholderText("default (see tooltip)")
    w.editingFinished.connect(lambda: _validate(w, opt) and changed())
    if opt.type is float:
        return w, lambda: _float(w.text(), opt), lambda v: w.setText(_text(v))
    return w, w.text, lambda v: w.setText(_text(v))


def _float(text: str, opt) -> float | None:
    """Text -> float; empty means "no value" for options whose default is None."""
    if not text.strip() and opt.default is None:
        return None
    return float(text)


def _validate(w: QtWidgets.QLineEdit, opt) -> bool:
    try:
        value = _float(w.text(), opt) if opt.type is float else w.text()
        if value is not None:
            opt.coerce(value, "option")
    except Exception as exc:  # shown on the field; the last valid value stays in use
        w.setStyleSheet("border: 1px solid #d44;")
        w.setToolTip(f"{opt.help}\n\n{exc}")
        return False
    w.setStyleSheet("")
    w.setToolTip(opt.help)
    return True


def _text(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)
