"""Status bar: frame and time, decode fps, inference ms, explanation convention, device, running tasks.

Explanation times are shown in each dock's caption (with three or more docks
they did not fit here).
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets


class StatusBar(QtWidgets.QStatusBar):
    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.frame = _label("frame —", "Frame index / last frame, and time in the video", "frame 00000 / 00000 · 00:00.00")
        self.decode = _label("decode —", "Frames shown per second and the decode time of the last one",
                             "decode 00 fps, 00.0 ms")
        self.inference = _label("inference —", "Face crop and model time of the last analysed frame",
                                "face 000 ms · inference 00.0 ms")
        self.convention = _label("convention: standard", "Explanation convention of the docks (View > Convention)",
                                 "convention: standard (mixed)")
        self.device = _label("device: loading…", "Where the model runs", "device: GPU (NVIDIA H100)")
        self.task = _label("", "Background work", "loading model emotion_model")
        self.task_progress = QtWidgets.QProgressBar(maximumWidth=90, maximumHeight=14, textVisible=False)
        self.task_progress.hide()
        for w in (self.task, self.task_progress, self.frame, self.decode, self.inference, self.convention, self.device):
            self.addPermanentWidget(w)
        self._tasks: dict[str, str] = {}
        self._stats = {"decode_fps": 0.0, "decode_ms": 0.0, "infer_ms": 0.0, "face_ms": 0.0}

    def set_frame(self, frame: int, count: int, fps: float) -> None:
        seconds = frame / fps if fps else 0.0
        self.frame.setText(f"frame <b>{frame}</b> / {max(count - 1, 0)}  ·  {int(seconds // 60):02d}:{seconds % 60:05.2f}")

    def set_stat(self, name: str, value: float) -> None:
        self._stats[name] = value
        s = self._stats
        fps = f"{s['decode_fps']:.0f} fps, " if s["decode_fps"] else ""
        self.decode.setText(f"decode {fps}{s['decode_ms']:.1f} ms")
        self.inference.setText(f"face {s['face_ms']:.0f} ms · inference {s['infer_ms']:.1f} ms")

    def set_convention(self, convention: str, mixed: bool = False) -> None:
        """The app-wide convention; "mixed" when some dock set another one in its options."""
        colour = "#e9a24a" if convention != "standard" else "inherit"
        mixed_text = " (mixed)" if mixed else ""
        self.convention.setText(f"convention: <b style='color:{colour}'>{convention}</b>{mixed_text}")
        self.convention.setToolTip(f"Explanation convention: {convention} (View > Convention)"
                                   + ("; some docks use another one in their method options" if mixed else ""))

    def set_device(self, text: str) -> None:
        self.device.setText(f"device: <b>{text}</b>")
        self.device.setToolTip(f"The model runs on {text}")

    # -- tasks -------------------------------------------------------------------------------
    def task_started(self, name: str, label: str) -> None:
        self._tasks[name] = label
        self._show_tasks()

    def task_ended(self, name: str) -> None:
        self._tasks.pop(name, None)
        self._show_tasks()

    def task_progress_changed(self, name: str, done: int, total: int) -> None:
        if name in self._tasks:
            self.task_progress.setRange(0, max(total, 1))
            self.task_progress.setValue(done)

    def _show_tasks(self) -> None:
        """Running tasks by name beside a moving busy bar (drawn by Qt: no glyph the font may lack)."""
        running = bool(self._tasks)
        text = ", ".join(self._tasks.values())
        metrics = self.task.fontMetrics()
        self.task.setText(metrics.elidedText(text, QtCore.Qt.TextElideMode.ElideRight, self.task.width() - 4))
        self.task.setToolTip(text or "Background work")
        self.task_progress.setVisible(running)
        if running:
            self.task_progress.setRange(0, 0)


def _label(text: str, tip: str, widest: str) -> QtWidgets.QLabel:
    """A status label sized once for ``widest`` text, so updates never re-layout the window."""
    label = QtWidgets.QLabel(text)
    label.setToolTip(tip)
    label.setTextFormat(QtCore.Qt.TextFormat.RichText)
    label.setFixedWidth(label.fontMetrics().horizontalAdvance(widest) + 8)
    return label
