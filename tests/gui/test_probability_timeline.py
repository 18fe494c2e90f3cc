"""The probability timeline: every frame filled in the background, cached (a video is computed once),
cancellable, and feeding "suggest by confidence"."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import first_slot_video, open_project, wait_shown

from painxai_gui.gui.main_window import MainWindow

pytestmark = pytest.mark.slow


def _timeline_done(window, qtbot, timeout=60000):
    qtbot.waitUntil(lambda: not window.viewer.timeline.is_busy()
                    and window.views.probabilities.button.text() == "Compute", timeout=timeout)


def test_filled_once_then_from_cache_and_disk(window, qtbot, project_path, loaded_model, settings):
    open_project(window, qtbot, project_path, loaded_model)
    video = first_slot_video(window)
    window.session.open_video(video)
    _timeline_done(window, qtbot)
    curve = window.views.probabilities.curves[1]  # "disgust"
    xs, ys = curve.getData()
    assert len(xs) == 30 and np.isfinite(ys).all()
    key = loaded_model[0].sha256
    arr = window.cache.array(key, window.session.entry(video), 7)
    assert np.allclose(arr.sum(axis=1), 1.0, atol=1e-4)  # softmax rows, every frame has a face
    runs = window.viewer.timeline.jobs_run
    other = next(v.id for v in window.session.videos() if v.slotted and v.id != video)
    window.session.open_video(other)
    _timeline_done(window, qtbot)
    window.session.open_video(video)  # back: from the in-memory cache, no new job
    assert window.viewer.timeline.jobs_run == runs + 1
    assert window.views.probabilities.state.text() == "cached"
    files = list((window.session.project.cache_dir / "probabilities").rglob("*.npy"))
    assert len(files) == 2
    # a new window on the same project reads the .npy: still no computation
    window.close()
    second = MainWindow(settings, quiet_errors=True)
    qtbot.addWidget(second)
    open_project(second, qtbot, project_path, loaded_model, video=video)
    assert second.views.probabilities.state.text() == "cached"
    assert second.viewer.timeline.jobs_run == 0
    second.shutdown()


def test_cancel_then_resume_and_suggest_by_confidence(window, qtbot, project_path, loaded_model):
    project = open_project(window, qtbot, project_path, loaded_model)
    video = first_slot_video(window)
    window.session.open_video(video)
    window.views.probabilities.cancelRequested.emit()
    qtbot.waitUntil(lambda: not window.viewer.timeline.is_busy(), timeout=10000)
    window.views.probabilities.computeRequested.emit()  # resumes: only missing frames are computed
    _timeline_done(window, qtbot)
    qtbot.waitUntil(lambda: len(project.predictions(video)) == 30, timeout=10000)
    window.actions["suggest_confidence"].trigger()
    qtbot.waitUntil(lambda: len(project.suggestions(video)) == 30, timeout=20000)  # quota 10 x 3 slots
    scores = project.predictions(video)
    chosen = sorted(project.suggestions(video))
    for start in (0, 10, 20):  # every slot fully suggested: its 10 frames
        assert sum(1 for f in chosen if start <= f < start + 10) == 10
    assert min(scores.values()) >= 0.0
    wait_shown(window, qtbot, window.session.frame)
