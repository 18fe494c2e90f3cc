"""Save a picture of the Study window on a study folder (offscreen), with one cell's frames listed.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m painxai_gui.gui.study_screenshot study/ resources/study_window.png \
        --method lrp.preset_a_flat --cell pain:eyes

The window reads the study in its worker as in the app; the picture is the
window's own ``grab()``, so it shows exactly what the app draws.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="study_screenshot", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("study", type=Path, help="study folder (painxai study run --out)")
    p.add_argument("out", type=Path, help="PNG to write")
    p.add_argument("--method", default=None, help="method shown (default: the study's first)")
    p.add_argument("--grouping", default="true", choices=("true", "predicted"))
    p.add_argument("--cell", default=None, metavar="CLASS:REGION", help="list this cell's frames")
    p.add_argument("--tab", type=int, default=0, help="0 regions, 1 average faces, 2 clusters")
    p.add_argument("--size", default="1320x840", help="window size WxH")
    args = p.parse_args(argv)
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
    from painxai_gui.gui.study_window import StudyWindow
    from painxai_gui.gui.workers import Tasks

    errors: list[str] = []
    tasks = Tasks(lambda error, text: errors.append(text))
    window = StudyWindow(tasks)
    window.resize(*(int(v) for v in args.size.split("x")))
    shown: list[object] = []
    window.loaded.connect(shown.append)
    window.failed.connect(lambda text: (errors.append(text), shown.append(None)))
    window.show()
    window.load(args.study)
    deadline = time.monotonic() + 300
    while not shown and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    if not shown or shown[0] is None:
        print(f"study_screenshot: {errors[-1] if errors else 'timed out'}", file=sys.stderr)
        tasks.shutdown()
        return 1
    window.grouping.setCurrentIndex(window.grouping.findData(args.grouping))
    if args.method:
        window.method.setCurrentIndex(window.method.findData(args.method))
    window.tabs.setCurrentIndex(args.tab)
    if args.cell:
        cls, _, region = args.cell.partition(":")
        window.show_cell(cls, region)
    for _ in range(30):
        app.processEvents()
        time.sleep(0.01)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(args.out))
    tasks.shutdown()
    print(f"wrote {args.out}" if ok else f"could not write {args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
