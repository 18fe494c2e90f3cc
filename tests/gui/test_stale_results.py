"""Results never lie about their frame: stamped, dimmed when another frame is shown, never drawn on it.

Real pieces: the demo model, dlib landmarks, mp4 videos, the app's own workers.
"""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import open_warm, settled
from PySide6 import QtCore

from painxai_gui.gui.views.stale import STALE_OPACITY

pytestmark = pytest.mark.slow


def _stamp(dock) -> str:
    return dock.stamp.textItem.toPlainText().strip()


def _check_frames(window, seen: dict, problems: list) -> None:
    """What is on screen agrees with the frame each result was computed for."""
    shown = window.viewer.shown_frame
    for dock in window.explanations.docks.values():
        result = dock.last_result
        if result is None or shown is None:
            continue
        stale = result.frame != shown
        seen["stale" if stale else "fresh"] += 1
        if dock.is_stale() != stale:
            problems.append(f"{dock.objectName()}: result of frame {result.frame}, shown {shown}, "
                            f"is_stale {dock.is_stale()}")
        if not _stamp(dock).startswith(f"frame {result.frame}"):
            problems.append(f"stamp {_stamp(dock)!r} for a result of frame {result.frame}")
        expected = STALE_OPACITY if stale else 1.0
        if abs(dock.crop_item.opacity() - expected) > 1e-6 or dock.regions.isEnabled() == stale:
            problems.append(f"frame {result.frame} shown {shown}: opacity {dock.crop_item.opacity()}, "
                            f"table enabled {dock.regions.isEnabled()}")
        if stale and f"(shown {shown})" not in dock.caption.text():
            problems.append(f"stale caption {dock.caption.text()!r}")
    view = window.video_view
    if view.heat.isVisible() and view.heat_frame != shown:
        problems.append(f"overlay of frame {view.heat_frame} drawn on frame {shown}")
    bars = window.views.bars
    if bars.result_frame is not None and shown is not None:
        if bars.is_stale() != (bars.result_frame != shown):
            problems.append(f"bars of frame {bars.result_frame}, shown {shown}, is_stale {bars.is_stale()}")
        if not (f"frame {bars.result_frame}" in bars.caption.text()):
            problems.append(f"bars caption {bars.caption.text()!r} lacks frame {bars.result_frame}")


def test_results_are_marked_stale_while_seeking_fast_and_fresh_when_settled(window, qtbot, project_path,
                                                                              loaded_model):
    open_warm(window, qtbot, project_path, loaded_model)
    seen, problems = {"stale": 0, "fresh": 0}, []
    check = lambda *_: _check_frames(window, seen, problems)  # noqa: E731
    window.viewer.frameShown.connect(check)
    for dock in window.explanations.docks.values():
        dock.channel.finished.connect(check)
    poll = QtCore.QTimer(interval=5)
    poll.timeout.connect(check)
    scrub = QtCore.QTimer(interval=16)
    step = {"i": 0}

    def next_frame():
        step["i"] += 1
        window.session.seek(1 + (step["i"] * 7) % 29)

    scrub.timeout.connect(next_frame)
    poll.start()
    scrub.start()
    qtbot.waitUntil(lambda: seen["stale"] >= 5 and step["i"] > 40, timeout=30000)
    scrub.stop()
    last = window.session.frame
    qtbot.waitUntil(lambda: settled(window, last), timeout=60000)
    check()
    poll.stop()
    assert not problems, problems[:5]
    assert seen["stale"] >= 5
    # settled: everything fresh, the overlay drawn on its own frame
    for dock in window.explanations.docks.values():
        assert not dock.is_stale() and _stamp(dock) == f"frame {last}"
        assert dock.crop_item.opacity() == 1.0 and dock.regions.isEnabled()
        assert dock.caption.text().startswith(f"frame {last} ·")
        assert dock.caption.text().endswith(f"· {dock.last_result.ms:.0f} ms")  # its own timing, in the dock
    view = window.video_view
    qtbot.waitUntil(lambda: view.heat_frame == last, timeout=5000)
    assert view.heat.isVisible() and view.overlay_state.text() == f"frame {last}"
    assert not window.views.bars.is_stale() and window.views.bars.caption.text().startswith(f"frame {last} ·")


def test_the_overlay_hides_on_another_frame_and_comes_back_on_its_own(window, qtbot, project_path, loaded_model):
    open_warm(window, qtbot, project_path, loaded_model)
    view = window.video_view
    qtbot.waitUntil(lambda: view.heat_frame == 0 and view.heat.isVisible(), timeout=5000)
    view.set_shown_frame(5)  # as the viewer does when frame 5's pixels arrive before its explanation
    assert not view.heat.isVisible() and view.heat_stale()
    assert "frame 0 (shown 5)" in view.overlay_state.text()
    window.explanations.frame_shown(5)
    first = window.explanations.docks["explain-1"]
    assert first.is_stale() and "frame 0 (shown 5)" in _stamp(first)
    assert first.heat_item.opacity() == pytest.approx(STALE_OPACITY * first.opacity.value() / 100)
    view.set_shown_frame(0)
    window.explanations.frame_shown(0)
    assert view.heat.isVisible() and not first.is_stale()
    assert first.heat_item.opacity() == pytest.approx(first.opacity.value() / 100)


def test_a_cancelled_run_keeps_the_old_result_with_its_own_frame(window, qtbot, project_path, loaded_model):
    open_warm(window, qtbot, project_path, loaded_model)
    dock = window.explanations.add("lime", {"method": "lime", "options": {"num_samples": 60}})
    qtbot.waitUntil(lambda: dock.last_result is not None and dock.last_result.frame == 0
                    and not dock.channel.is_busy(), timeout=60000)
    old = dock.last_result
    dock.options.set_values({"num_samples": 20000})  # about 20 s on this CPU: long enough to cancel
    window.session.seek(3)
    qtbot.waitUntil(lambda: dock.progress.isVisible() and dock.progress.value() > 0
                    and window.viewer.shown_frame == 3, timeout=30000)
    with qtbot.waitSignal(dock.channel.cancelled, timeout=10000):
        dock.cancel.click()
    qtbot.waitUntil(lambda: not dock.channel.is_busy(), timeout=5000)
    assert dock.last_result is old and old.frame == 0
    assert dock.caption.text().startswith("cancelled — showing ")
    assert "frame 0 (shown 3)" in dock.caption.text()
    assert _stamp(dock) == "frame 0 (shown 3)" and dock.is_stale()
    assert not dock.progress.isVisible()


def test_hidden_dock_computes_nothing_and_catches_up_when_raised(window, qtbot, project_path, loaded_model):
    open_warm(window, qtbot, project_path, loaded_model)
    docks = window.explanations.docks
    third = window.explanations.add("gradient")
    second = docks["explain-2"]
    window.tabifyDockWidget(second, third)  # the second becomes a background tab
    third.raise_()
    assert not second.feeds_overlay  # the overlay comes from the first dock
    qtbot.waitUntil(lambda: not second.is_shown(), timeout=5000)
    qtbot.waitUntil(lambda: settled(window, 0), timeout=60000)
    before = second.channel.jobs_run
    for frame in (4, 11, 17, 23):
        window.session.seek(frame)
        qtbot.waitUntil(lambda f=frame: third.last_result is not None and third.last_result.frame == f
                        and docks["explain-1"].last_result.frame == f, timeout=60000)
    assert second.channel.jobs_run == before
    assert second.last_result.frame == 0 and second.is_stale()
    second.raise_()
    qtbot.waitUntil(lambda: second.is_shown(), timeout=5000)
    qtbot.waitUntil(lambda: second.last_result.frame == 23, timeout=60000)
    assert second.channel.jobs_run == before + 1
    assert not second.is_stale()
    assert not third.is_shown()  # now the background tab


def test_overlay_is_resampled_smoothly_to_the_face_box(qtbot):
    from painxai_gui.gui.views.heat import heat_display
    from painxai_gui.gui.views.video_view import VideoView

    view = VideoView()
    qtbot.addWidget(view)
    view.set_frame(np.zeros((240, 320, 3), np.uint8))
    view.set_face((10, 20, 210, 170), None)  # a 200 x 150 box
    ramp = np.tile(np.arange(8, dtype=np.float32), (8, 1))  # 0..7 left to right, 8 x 8 pixels
    view.set_heatmap(heat_display(ramp, signed=False), frame=None)
    drawn = view.heat.image
    assert drawn.shape == (150, 200)
    # bilinear with pixel centres: x_out -> (x_out + 0.5) * 8 / 200 - 0.5, clamped to the input's range
    expected = np.clip((np.arange(200) + 0.5) * 8 / 200 - 0.5, 0, 7)
    assert np.allclose(drawn, expected[None, :], atol=1e-4)
    assert np.abs(np.diff(drawn, axis=1)).max() <= 8 / 200 + 1e-5  # no step of a whole input pixel (1.0)
    assert np.abs(np.diff(drawn, axis=0)).max() == 0
    assert view.heat.isVisible()


def test_a_minimised_window_computes_nothing_and_catches_up_when_restored(window, qtbot, project_path,
                                                                          loaded_model):
    open_warm(window, qtbot, project_path, loaded_model)
    docks = list(window.explanations.docks.values())
    window.showMinimized()
    qtbot.waitUntil(lambda: window.isMinimized() and not any(d.wanted() for d in docks), timeout=5000)
    before = [d.channel.jobs_run for d in docks]
    for frame in (6, 12):
        window.session.seek(frame)
        qtbot.waitUntil(lambda f=frame: window.viewer.last_analysis.frame == f, timeout=30000)
    qtbot.wait(200)
    assert [d.channel.jobs_run for d in docks] == before  # the overlay's source too: nobody sees it
    window.showNormal()
    qtbot.waitUntil(lambda: settled(window, 12), timeout=60000)
    assert [d.channel.jobs_run for d in docks] == [b + 1 for b in before]
