"""``main.py --screenshot PATH``: the demo drawn for real, then a PNG of the main window.

To show the curation views with content without touching the user's demo
project, the screenshot uses a throw-away project (in a temp folder) over the
demo dataset, with a few frames selected and suggested through the normal
project API. It waits until the frame, its face, the probability and region
timelines and every explanation dock are drawn, steps one frame (so the status bar
shows warm per-frame timings, not the first call that compiles), waits again
(or a timeout), then saves and quits.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from painxai_gui.gui import startup
from painxai_gui.gui.main_window import MainWindow
from painxai_gui.gui.screenshot_docks import parse_dock


def staged_project(root: Path, folder: Path, progress):
    """Worker: demo tree, a temp project, a few selections and suggestions in the first disgust video."""
    project = startup.demo_project_job(root, folder / "screenshot.painxai", progress)
    video = next(v for v in project.videos(role="slots") if v.category == "disgust")
    bounds = project.slot_bounds(video)
    project.select_range(video, bounds[0][0] + 3, bounds[0][0] + 13)
    project.select_frames(video, range(bounds[1][0] + 2, bounds[1][1], 4))
    project.suggest(video, 2, check_faces=False)
    project.set_setting("gui.last_video", video.id)
    project.set_setting("gui.last_frame", bounds[1][0] + 9)
    return project


class Screenshot(QtCore.QObject):
    def __init__(self, window: MainWindow, path: Path, timeout: float, docks: list | None = None):
        super().__init__(window)
        self.window, self.path, self.timeout = window, Path(path), timeout
        self.extra_docks = [parse_dock(d) if isinstance(d, str) else d for d in docks or []]
        self.exit_code = 1
        self._t0 = time.monotonic()
        self._timer = QtCore.QTimer(self, interval=250)
        self._timer.timeout.connect(self._poll)
        self._ready_since: float | None = None
        self._stepped = False  # one step after the first frame, so the timings shown are warm

    def start(self, demo_root: Path, folder: Path, model: Path | None) -> None:
        w = self.window
        w.session.status.emit("Preparing the demo for the screenshot…")
        w.tasks.run("open", "preparing the demo", lambda ctx: staged_project(demo_root, folder, ctx.progress),
                    w.files.project_ready)
        w.files.load_model(model or startup.DEMO_MODEL)
        for method, options in self.extra_docks:
            w.explanations.add(method, {"method": method, "options": options})
        self._timer.start()

    def ready(self) -> bool:
        w = self.window
        viewer = w.viewer
        docks = list(w.explanations.docks.values())
        return (w.session.video is not None and w.session.model is not None
                and viewer.shown_frame == w.session.frame
                and viewer.last_analysis is not None and viewer.last_analysis.frame == w.session.frame
                and not viewer.timeline.is_busy() and not viewer.regions.channel.is_busy()
                and all(d.last_result is not None and d.last_result.frame == w.session.frame
                        and not d.channel.is_busy() for d in docks if d.wanted()))  # hidden docks idle

    def _poll(self) -> None:
        late = time.monotonic() - self._t0 > self.timeout
        if self.ready() and not self._stepped:
            self._stepped = True
            self.window.session.step(1)
            return
        if (self.ready() and self._stepped) or late:
            if self._ready_since is None:
                self._ready_since = time.monotonic()
            if time.monotonic() - self._ready_since >= 0.8 or late:  # let the last repaints land
                self._save(complete=not late)

    def _save(self, complete: bool) -> None:
        self._timer.stop()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ok = self.window.grab().save(str(self.path))
        state = "complete" if complete else "TIMED OUT before everything was drawn"
        print(f"screenshot {'saved' if ok else 'NOT saved'}: {self.path} ({state})", file=sys.stderr)
        self.exit_code = 0 if ok and complete else 1
        self.window.close()
        QtWidgets.QApplication.instance().quit()
