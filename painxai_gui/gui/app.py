"""Application entry point: QApplication, an excepthook that shows a dialog, the main window, start-up.

``main.py --screenshot PATH`` opens the demo, waits until the first frame,
its probabilities and both default explanation docks are drawn, saves a
screenshot of the main window and quits.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="painxai-gui", description="PainXAI desktop app")
    p.add_argument("--project", type=Path, help="open this project file")
    p.add_argument("--dataset", type=Path, help="browse this dataset folder (no project)")
    p.add_argument("--model", type=Path, help="model file (default: the demo FER model)")
    p.add_argument("--study", type=Path, help="open this study folder (painxai study run) in the Study window")
    p.add_argument("--demo-root", type=Path, default=None, help="where the demo dataset lives (default: demo_data/)")
    p.add_argument("--screenshot", type=Path, metavar="PATH",
                   help="save a screenshot of the main window once the demo is drawn, then quit")
    p.add_argument("--screenshot-timeout", type=float, default=240.0, help=argparse.SUPPRESS)
    p.add_argument("--screenshot-size", type=_size, default=(1590, 990), metavar="WxH",
                   help="window size for --screenshot (default 1590x990)")
    p.add_argument("--screenshot-dock", action="append", default=[], metavar="METHOD[:name=value,...]",
                   help="add an explanation dock for --screenshot (repeatable), e.g. lime:num_samples=300")
    return p.parse_args(argv)


def install_excepthook(errors) -> None:
    """Any exception that reaches the event loop becomes a dialog; the app keeps running."""
    def hook(kind, value, tb) -> None:
        text = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write(text)
        try:
            errors.show(value, text)
        except Exception:  # never let the hook itself crash the app
            pass
    sys.excepthook = hook


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    from painxai_gui.gui.screenshot_docks import parse_dock

    docks = [parse_dock(spec) for spec in args.screenshot_dock]  # bad specs stop here, before any window
    from painxai_gui.system_libs import window_problem

    problem = window_problem()
    if problem is not None:  # one clear line instead of Qt's abort
        print(f"painxai-gui: {problem}", file=sys.stderr)
        return 1
    from PySide6 import QtCore, QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
    app.setOrganizationName("PainXAI")
    app.setApplicationName("PainXAI")
    from painxai_gui.gui import startup
    from painxai_gui.gui.main_window import MainWindow

    if args.screenshot is not None:  # a fresh layout, never the user's
        tmp = tempfile.mkdtemp(prefix="painxai-shot-")
        settings = QtCore.QSettings(str(Path(tmp) / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    else:
        settings = QtCore.QSettings()
    window = MainWindow(settings)
    install_excepthook(window.errors)
    window.show()
    demo_root = args.demo_root or startup.DEMO_ROOT
    if args.screenshot is not None:
        from painxai_gui.gui.screenshot import Screenshot

        window.resize(*args.screenshot_size)
        window.move(0, 0)
        shot = Screenshot(window, args.screenshot, args.screenshot_timeout, docks)
        QtCore.QTimer.singleShot(0, lambda: shot.start(demo_root, Path(tmp), args.model))
    else:
        QtCore.QTimer.singleShot(0, lambda: startup.start(window, project=args.project, dataset=args.dataset,
                                                          model=args.model, demo_root=demo_root))
        if args.study is not None:
            QtCore.QTimer.singleShot(0, lambda: window.study.load(args.study))
    code = app.exec()
    window.shutdown()
    return code if args.screenshot is None else shot.exit_code


def _size(text: str) -> tuple[int, int]:
    """``WxH`` -> (W, H), each 320 to 8192 pixels."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size {text!r}: expected WIDTHxHEIGHT, e.g. 1366x768") from None
    if not (320 <= w <= 8192 and 320 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"size {text!r}: width and height must be 320 to 8192 pixels")
    return w, h
