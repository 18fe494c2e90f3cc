"""Parts of the Study window: the frame list model, heatmap thumbnails, the grid of average faces.

Thumbnails use the shared colour policy (:mod:`painxai_gui.export.colormaps`):
signed methods diverging about 0, the others 0..max, each map scaled alone,
with the mean-landmark template drawn over it as in the report's figures.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from painxai_gui.export import colormaps
from painxai_gui.study.browse import StudyBrowse

THUMB = 112  # pixels per face thumbnail


def signed_method(method: str) -> bool:
    from painxai_gui.explain import METHODS

    return bool(getattr(METHODS.get(method), "signed", False))


def heat_pixmap(heatmap: np.ndarray, method: str, template: np.ndarray | None, size: int = THUMB) -> QtGui.QPixmap:
    """An average (or cluster) map as a coloured pixmap with the template's 68 landmarks as dots."""
    signed = signed_method(method)
    data = np.asarray(heatmap, np.float64)
    rgba = np.ascontiguousarray(colormaps.to_rgba(data, colormaps.normalisation(data, signed)))
    rgba[..., 3] = 255
    image = QtGui.QImage(rgba.data, rgba.shape[1], rgba.shape[0], rgba.strides[0], QtGui.QImage.Format.Format_RGBA8888)
    pixmap = QtGui.QPixmap.fromImage(image.copy()).scaled(size, size, QtCore.Qt.AspectRatioMode.IgnoreAspectRatio,
                                                          QtCore.Qt.TransformationMode.SmoothTransformation)
    if template is not None and len(template) >= 68:
        p = QtGui.QPainter(pixmap)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        p.setPen(QtCore.Qt.PenStyle.NoPen)
        p.setBrush(QtGui.QColor(255, 255, 255, 170))
        for x, y in np.asarray(template)[:68]:
            p.drawEllipse(QtCore.QPointF(x * size, y * size), 1.3, 1.3)
        p.end()
    return pixmap


class FramesModel(QtCore.QAbstractTableModel):
    """Rows of ``rows.parquet`` (positions) as a table: video (file name), frame, subject, class, predicted, value.

    The method is the list's title; the full video id and the crop are in the tooltip.
    """

    HEADERS = ("video", "frame", "subject", "class", "predicted", "value")

    def __init__(self, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.browse: StudyBrowse | None = None
        self.positions = np.zeros(0, np.int64)
        self.value_column: str | None = None
        self._value_title = "value"

    def set_rows(self, browse: StudyBrowse | None, positions: np.ndarray, value_column: str | None,
                 value_title: str = "value") -> None:
        self.beginResetModel()
        self.browse, self.positions, self.value_column = browse, np.asarray(positions, np.int64), value_column
        self._value_title = value_title
        self.endResetModel()

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.positions)

    def columnCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=QtCore.Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != QtCore.Qt.ItemDataRole.DisplayRole or orientation != QtCore.Qt.Orientation.Horizontal:
            return None
        return self._value_title if self.HEADERS[section] == "value" else self.HEADERS[section]

    def row_of(self, index: int) -> dict:
        """The frame at table row ``index``: video, frame, subject, class, predicted, method, value, crop,
        and the SHA-256 of the model that explained it."""
        b, i = self.browse, int(self.positions[index])
        rows = b.rows
        value = float(rows[self.value_column][i]) if self.value_column else float("nan")
        return {"video": str(rows["source_video"][i]), "frame": int(rows["frame"][i]),
                "subject": str(rows["subject"][i]), "class": str(rows["category"][i]), "predicted": b.predicted_name(i),
                "method": str(rows["method"][i]), "value": value, "crop": str(rows["path"][i]),
                "image": int(rows["image"][i]), "model": str(rows["model"][i]) if "model" in rows else ""}

    def data(self, index, role=QtCore.Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.browse is None:
            return None
        if role == QtCore.Qt.ItemDataRole.DisplayRole:
            name = self.HEADERS[index.column()]
            value = self.row_of(index.row())[name]
            if name == "value":
                return "" if not np.isfinite(value) else f"{value:.3f}"
            return value.replace("\\", "/").rsplit("/", 1)[-1] if name == "video" else str(value)
        if role == QtCore.Qt.ItemDataRole.TextAlignmentRole and self.HEADERS[index.column()] in ("frame", "value"):
            return int(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        if role == QtCore.Qt.ItemDataRole.ToolTipRole:
            item = self.row_of(index.row())
            return (f"{item['video']}, frame {item['frame']}\ncrop: {item['crop']}\n"
                    "double-click: open this video and frame in the main window with this method")
        return None


class FaceTile(QtWidgets.QToolButton):
    """One clickable thumbnail (an average face or a cluster's mean map)."""

    def __init__(self, pixmap: QtGui.QPixmap, text: str, tip: str, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setIcon(QtGui.QIcon(pixmap))
        self.setIconSize(pixmap.size())
        self.setText(text)
        self.setToolTip(tip)
        self.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        self.setAutoRaise(True)


class FaceGrid(QtWidgets.QScrollArea):
    """Tiles in a grid with row and column headers; ``tileClicked(key)`` with the key given to :meth:`add`."""

    tileClicked = QtCore.Signal(object)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.tiles: dict[object, FaceTile] = {}
        self.clear("")

    def clear(self, note: str) -> None:
        self.tiles = {}
        inner = QtWidgets.QWidget()
        self.grid = QtWidgets.QGridLayout(inner)
        self.grid.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop)
        self.note = QtWidgets.QLabel(note)
        self.note.setWordWrap(True)
        self.note.setMinimumWidth(520)
        self.grid.addWidget(self.note, 0, 0, 1, 12)
        self.setWidget(inner)

    def header(self, row: int, column: int, text: str) -> None:
        label = QtWidgets.QLabel(text)
        label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.grid.addWidget(label, row, column)

    def add(self, key: object, row: int, column: int, pixmap: QtGui.QPixmap, text: str, tip: str) -> FaceTile:
        tile = FaceTile(pixmap, text, tip)
        tile.clicked.connect(lambda _checked=False, k=key: self.tileClicked.emit(k))
        self.grid.addWidget(tile, row, column)
        self.tiles[key] = tile
        return tile
