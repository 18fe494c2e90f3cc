"""``python -m painxai_gui.gui.panel_screenshot OUT.png``: a figure panel exported from the app, for the README.

Drives the real window (offscreen works: only the exported file is kept) the
way a user does: opens the demo dataset in a throw-away project, loads the
demo model, presses P on a pain, a disgust and a happiness frame of three subjects, sets
a title in the Panel dock, and exports Grad-CAM, Guided Grad-CAM and
LRP-PresetAFlat from the export dialog. The panel's record lands beside it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

METHODS = ("gradcam", "guided_gradcam", "lrp.preset_a_flat")
FRAMES = (("pain", "A", 3), ("disgust", "D", 30), ("happiness", "D", 40))


def _wait(app, predicate, timeout: float = 120.0) -> None:
    """Run the event loop until ``predicate()`` (a nested loop, as pytest-qt's waitUntil does)."""
    from PySide6 import QtCore

    loop, deadline = QtCore.QEventLoop(), time.monotonic() + timeout
    timer = QtCore.QTimer(interval=50)
    timer.timeout.connect(lambda: loop.quit() if predicate() or time.monotonic() > deadline else None)
    timer.start()
    loop.exec()
    timer.stop()
    if not predicate():
        raise TimeoutError("the app did not get there in time")


def export_from_app(out: Path, dpi: int = 150) -> Path:
    from PySide6 import QtCore, QtWidgets

    from painxai_gui.gui import startup
    from painxai_gui.gui.main_window import MainWindow

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as folder:
        settings = QtCore.QSettings(str(Path(folder) / "settings.ini"), QtCore.QSettings.Format.IniFormat)
        window = MainWindow(settings, default_docks=False)
        window.show()
        startup.open_demo(window, project_path=Path(folder) / "panel.painxai")
        window.files.load_model(startup.DEMO_MODEL)
        _wait(app, lambda: window.session.project is not None and window.session.model is not None, 600)
        subjects = sorted({v.subject for v in window.session.videos()})
        for n, (category, part, frame) in enumerate(FRAMES):  # a different subject in each row
            video = next(v for v in window.session.videos() if v.category == category and v.part == part
                         and v.subject == subjects[n % len(subjects)])
            window.session.open_video(video.id, frame)
            _wait(app, lambda: (a := window.viewer.last_analysis) is not None and a.video_id == video.id
                  and a.frame == frame and a.probs is not None)
            window.actions["add_to_panel"].trigger()
        window.panel.set_title("Demo: a pain, a disgust and a happiness frame")
        window.actions["export_panel"].trigger()
        dialog = window.panel.dialog
        for i in range(dialog.methods.count()):
            item = dialog.methods.item(i)
            chosen = item.data(QtCore.Qt.ItemDataRole.UserRole) in METHODS
            item.setCheckState(QtCore.Qt.CheckState.Checked if chosen else QtCore.Qt.CheckState.Unchecked)
        dialog.format.setCurrentText(out.suffix.lstrip(".").upper())
        dialog.out.setText(str(out))
        dialog.dpi.setValue(dpi)
        dialog.export_button.click()
        _wait(app, lambda: not window.tasks.busy("panel"), 600)
        status = dialog.status.text()
        window.close()
    if not status.startswith("Wrote"):
        raise RuntimeError(status)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="panel file (.png, .pdf, .svg)")
    parser.add_argument("--dpi", type=int, default=150)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    print(f"panel exported from the app: {export_from_app(args.out.resolve(), args.dpi)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
