"""The frame with its overlays: face box, 68 landmarks and one heatmap on the face, zoom to the face.

pyqtgraph the fast way: one long-lived ImageItem for the frame and one for the
heatmap; per frame only ``setImage(..., autoLevels=False)``.

The heatmap never lies about its frame: it is drawn only while the frame it
was computed for is the frame on screen (placed on that frame's own face box,
resampled smoothly to the box's size); otherwise it is hidden and the label
beside the overlay choice says which frame it belongs to.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from painxai_gui.gui.views.heat import HeatDisplay, smooth
from painxai_gui.gui.views.stale import frame_label, is_stale

BOX_PEN = pg.mkPen((80, 220, 120), width=2)
LANDMARK_BRUSH = pg.mkBrush(255, 230, 60, 220)


class VideoView(QtWidgets.QWidget):
    """Frame view with toggles (box, landmarks, heatmap), opacity, overlay source and zoom to face."""

    overlaySourceChanged = QtCore.Signal(str)  # object name of the explanation dock, "" for none

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self._box: tuple[float, float, float, float] | None = None
        self._frame_shape: tuple[int, int] | None = None
        self.shown_frame: int | None = None  # the frame whose pixels are on screen
        self.heat_frame: int | None = None   # the frame the heatmap was computed for
        self._build_scene()
        self._build_controls()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.controls)
        layout.addWidget(self.graphics, 1)

    # -- construction ----------------------------------------------------------
    def _build_scene(self) -> None:
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground((24, 24, 28))
        self.graphics.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.viewbox = self.graphics.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setZValue(5)
        self.heat.setOpacity(0.65)
        self.landmarks = pg.ScatterPlotItem(size=4, pen=None, brush=LANDMARK_BRUSH)
        self.landmarks.setZValue(10)
        self.box_item = QtWidgets.QGraphicsRectItem()
        self.box_item.setPen(BOX_PEN)
        self.box_item.setZValue(9)
        self.message = pg.TextItem("", color=(255, 200, 120), anchor=(0, 0))
        self.message.setZValue(20)
        for item in (self.image, self.heat, self.landmarks, self.box_item, self.message):
            self.viewbox.addItem(item)
        self.heat.hide()

    def _build_controls(self) -> None:
        self.controls = QtWidgets.QWidget()
        rows = QtWidgets.QVBoxLayout(self.controls)  # two short rows: the frame view stays narrow
        rows.setContentsMargins(4, 2, 4, 2)
        rows.setSpacing(1)
        row, heat_row = QtWidgets.QHBoxLayout(), QtWidgets.QHBoxLayout()
        rows.addLayout(row)
        rows.addLayout(heat_row)
        self.show_box = _check("Face box", True, self._refresh_visibility)
        self.show_landmarks = _check("Landmarks", True, self._refresh_visibility)
        self.show_heat = _check("Heatmap", True, self._refresh_visibility)
        self.overlay_source = QtWidgets.QComboBox()
        self.overlay_source.setToolTip("Which explanation dock's heatmap is drawn on the face")
        self.overlay_source.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.overlay_source.setSizeAdjustPolicy(
            QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.overlay_source.setMinimumContentsLength(14)  # long dock titles do not widen the window
        self.overlay_source.currentIndexChanged.connect(
            lambda _i: self.overlaySourceChanged.emit(self.overlay_source.currentData() or ""))
        self.opacity = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(65)
        self.opacity.setMaximumWidth(120)
        self.opacity.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.opacity.setToolTip("Heatmap opacity")
        self.opacity.setMinimumWidth(50)
        self.opacity.valueChanged.connect(lambda v: self.heat.setOpacity(v / 100.0))
        self.zoom_face = _check("Zoom to face", False, self._apply_zoom)
        self.overlay_state = QtWidgets.QLabel("")
        self.overlay_state.setToolTip("The frame the heatmap was computed for; it is hidden on any other frame")
        widest = self.overlay_state.fontMetrics().horizontalAdvance("frame 0000 (shown 0000)")
        self.overlay_state.setFixedWidth(widest + 8)
        fit = QtWidgets.QToolButton(text="Fit")
        fit.setToolTip("Show the whole frame")
        fit.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        fit.clicked.connect(self.fit)
        for w in (self.show_box, self.show_landmarks, self.zoom_face, fit):
            row.addWidget(w)
        row.addStretch(1)
        for w in (self.show_heat, self.overlay_source, self.opacity, self.overlay_state):
            heat_row.addWidget(w)
        heat_row.addStretch(1)

    # -- content -----------------------------------------------------------------
    def set_frame(self, image: np.ndarray) -> None:
        first = self._frame_shape != image.shape[:2]
        self.image.setImage(image, autoLevels=False, levels=(0, 255))
        self._frame_shape = image.shape[:2]
        if first and not self.zoom_face.isChecked():
            self.fit()

    def set_face(self, box, landmarks: np.ndarray | None, message: str = "") -> None:
        """Box (x0, y0, x1, y1) and landmarks (68, 2) in frame coordinates; None when no face."""
        self._box = tuple(float(v) for v in box) if box is not None else None
        if self._box is not None:
            x0, y0, x1, y1 = self._box
            self.box_item.setRect(QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
        if landmarks is not None and len(landmarks):
            pts = np.asarray(landmarks, np.float64)
            self.landmarks.setData(pts[:, 0], pts[:, 1])
        else:
            self.landmarks.setData([], [])
        self.message.setText(message)
        self._refresh_visibility()
        if self.zoom_face.isChecked():
            self._apply_zoom()

    def set_heatmap(self, display: HeatDisplay | None, frame: int | None = None,
                    box: tuple[float, float, float, float] | None = None) -> None:
        """Draw ``display`` (computed for ``frame``) over ``box`` (x0, y0, x1, y1), else the current face box.

        The data is resampled to the box's size in pixels (bilinear), so the
        overlay is smooth. None hides it.
        """
        box = tuple(float(v) for v in box) if box is not None else self._box
        if display is None or box is None:
            self.heat.clear()
            self.heat_frame = None
            self._refresh_visibility()
            return
        x0, y0, x1, y1 = box
        self.heat.setImage(smooth(display.data, (x1 - x0, y1 - y0)), autoLevels=False, levels=display.levels)
        self.heat.setLookupTable(display.lut)
        self.heat.setRect(QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
        self.heat_frame = frame
        self._refresh_visibility()

    def set_shown_frame(self, frame: int | None) -> None:
        """The frame now on screen (a heatmap of another frame hides until its own frame is back)."""
        self.shown_frame = frame
        self._refresh_visibility()

    def heat_stale(self) -> bool:
        """The heatmap belongs to another frame than the one on screen."""
        if self.heat_frame is None:
            return False
        return self.shown_frame is None or is_stale(self.heat_frame, self.shown_frame)

    def set_overlay_sources(self, sources: list[tuple[str, str]], choice: str | None = None) -> None:
        """``[(object_name, title), ...]`` of explanation docks that can feed the overlay.

        An explicit choice: ``choice`` if given, else the current one while its
        dock exists, else no overlay. Only the very first list (nothing chosen
        yet) starts with the first dock.
        """
        combo = self.overlay_source
        first = combo.count() == 0
        keep = choice if choice is not None else combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("no overlay", "")
        for name, title in sources:
            combo.addItem(title, name)
        index = combo.findData(keep) if keep is not None else -1
        if index < 0:
            index = 1 if first and sources else 0
        combo.setCurrentIndex(index)
        combo.blockSignals(False)
        self.overlaySourceChanged.emit(combo.currentData() or "")

    def overlay_name(self) -> str:
        return self.overlay_source.currentData() or ""

    # -- view ------------------------------------------------------------------------
    def fit(self) -> None:
        if self._frame_shape is not None:
            h, w = self._frame_shape
            self.viewbox.setRange(QtCore.QRectF(0, 0, w, h), padding=0.0)

    def _apply_zoom(self, *_: object) -> None:
        if self.zoom_face.isChecked() and self._box is not None:
            x0, y0, x1, y1 = self._box
            m = 0.15 * max(x1 - x0, y1 - y0)
            self.viewbox.setRange(QtCore.QRectF(x0 - m, y0 - m, x1 - x0 + 2 * m, y1 - y0 + 2 * m), padding=0.0)
        elif not self.zoom_face.isChecked():
            self.fit()

    def _refresh_visibility(self, *_: object) -> None:
        has_face = self._box is not None
        self.box_item.setVisible(has_face and self.show_box.isChecked())
        self.landmarks.setVisible(has_face and self.show_landmarks.isChecked())
        has_heat = self.heat.image is not None
        fresh = has_face if self.heat_frame is None else not self.heat_stale()
        self.heat.setVisible(has_heat and fresh and self.show_heat.isChecked())
        if not has_heat or self.heat_frame is None:
            self.overlay_state.setText("")
        else:
            self.overlay_state.setText(frame_label(self.heat_frame, self.shown_frame))

    # -- settings --------------------------------------------------------------------
    def state(self) -> dict:
        return {"box": self.show_box.isChecked(), "landmarks": self.show_landmarks.isChecked(),
                "heat": self.show_heat.isChecked(), "opacity": self.opacity.value(),
                "zoom": self.zoom_face.isChecked(), "overlay": self.overlay_name()}

    def restore(self, state: dict) -> None:
        self.show_box.setChecked(bool(state.get("box", True)))
        self.show_landmarks.setChecked(bool(state.get("landmarks", True)))
        self.show_heat.setChecked(bool(state.get("heat", True)))
        self.opacity.setValue(int(state.get("opacity", 65)))
        self.zoom_face.setChecked(bool(state.get("zoom", False)))


def _check(text: str, checked: bool, slot) -> QtWidgets.QCheckBox:
    box = QtWidgets.QCheckBox(text)
    box.setChecked(checked)
    box.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
    box.toggled.connect(slot)
    return box

