"""Shared steps of the GUI tests: open a project in a window, wait for a frame, read the project file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from painxai_gui.demo_data import read_marker


def open_project(window, qtbot, path: Path, loaded=None, video: str | None = None, timeout: int = 20000):
    """Open ``path`` through the GUI's own handler; optionally set an already loaded model."""
    with qtbot.waitSignal(window.session.videoChanged, timeout=timeout):
        window.files.load_project(path)
    if loaded is not None:
        window.session.set_model(*loaded)
    if video is not None:
        window.session.open_video(video)
    wait_shown(window, qtbot, window.session.frame)
    return window.session.project


def wait_shown(window, qtbot, frame: int, timeout: int = 10000) -> None:
    """Until the video view shows ``frame`` (the viewer's record and the pixels' own marker agree)."""
    qtbot.waitUntil(lambda: window.viewer.shown_frame == frame, timeout=timeout)
    assert shown_marker(window) == frame


def shown_marker(window) -> int:
    """The frame index drawn into the pixels on screen (demo videos carry it as a marker)."""
    return read_marker(window.video_view.image.image)


def wait_analysed(window, qtbot, frame: int, timeout: int = 20000) -> None:
    qtbot.waitUntil(lambda: window.viewer.last_analysis is not None
                    and window.viewer.last_analysis.frame == frame
                    and (window.session.model is None or window.viewer.last_analysis.probs is not None),
                    timeout=timeout)


def selected_in_file(path: Path, video_id: str) -> list[int]:
    """Selections as stored in the SQLite project file (a separate connection, like another process)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT frame FROM selections WHERE video_id = ? ORDER BY frame", (video_id,))
        return [r[0] for r in rows]
    finally:
        conn.close()


def first_slot_video(window) -> str:
    return next(v.id for v in window.session.videos() if v.slotted and v.category == "disgust")


def settled(window, frame: int) -> bool:
    """Frame shown and analysed, and every explanation dock done with it."""
    docks = list(window.explanations.docks.values())
    viewer = window.viewer
    return (viewer.shown_frame == frame and viewer.last_analysis is not None
            and viewer.last_analysis.frame == frame and not viewer.analysis.is_busy()
            and all(d.last_result is not None and d.last_result.frame == frame and not d.channel.is_busy()
                    for d in docks))


def open_warm(window, qtbot, project_path, loaded_model) -> str:
    """Open the demo project on its first slotted video, frame 0 explained by every dock (graphs compiled)."""
    open_project(window, qtbot, project_path, loaded_model, video=None)
    video = first_slot_video(window)
    window.session.open_video(video)
    wait_shown(window, qtbot, 0)
    wait_analysed(window, qtbot, 0)
    qtbot.waitUntil(lambda: settled(window, 0), timeout=120000)  # first explanations compile the graphs
    return video
