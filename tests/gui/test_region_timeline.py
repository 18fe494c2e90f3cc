"""The region timeline dock: filled in the background for the open video, drawn as stacked shares, a click
seeks, nothing computed while hidden, one cache file per method; every timeline lined up frame for frame."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import first_slot_video, open_project, wait_shown
from PySide6 import QtCore

from painxai_gui.gui.docks.region_dock import ROWS
from painxai_gui.live.region_timeline import REGIONS

pytestmark = pytest.mark.slow


def _regions_done(window, qtbot, timeout=90000):
    dock = window.views.regions
    qtbot.waitUntil(lambda: not window.viewer.regions.channel.is_busy() and dock.button.text() == "Compute",
                    timeout=timeout)


def _click_frame(qtbot, plot, frame: int, y: float = 0.5) -> None:
    vb = plot.getPlotItem().vb
    pos = plot.mapFromScene(vb.mapViewToScene(QtCore.QPointF(frame, y)))
    qtbot.mouseClick(plot.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=pos)


def _drawn_matches_numpy(window, dock, entry, loaded, frames) -> None:
    """The stacked areas as drawn, against shares recomputed by hand from the cached landmarks and the
    engine's Grad-CAM heatmap (region masks from face/regions.py at the heatmap's size)."""
    from painxai_gui.explain import explain
    from painxai_gui.explain.face import REGION_ORDER
    from painxai_gui.face.regions import region_masks
    from painxai_gui.gui.docks.region_dock import REGION_COLOURS, STACK_ORDER
    from painxai_gui.model import preprocess

    track = window.pool.track(entry.path)
    colours = [REGION_COLOURS[name] for name in STACK_ORDER]
    for frame in frames:
        face = track.get(frame)
        heat = explain(loaded.model, preprocess(face.crop, loaded.spec)[0], "gradcam").heatmap.astype(np.float64)
        size = heat.shape[0]
        masks = region_masks(face.landmarks * (size / face.crop.shape[0]), size=size)
        masks["other"] = ~np.any(np.stack(list(masks.values())), axis=0)
        positive = np.clip(heat, 0.0, None)
        shares = {name: positive[masks[name]].sum() / positive.sum() for name in REGION_ORDER}
        wanted = np.array([shares[n] for n in STACK_ORDER])
        np.testing.assert_allclose(dock.top[frame], np.cumsum(wanted), atol=1e-5)
        column = dock.image.image[:, frame, :3]  # the pixels drawn for this frame: rows of each region's colour
        rows = np.array([np.all(column == c, axis=1).sum() for c in colours])
        assert np.abs(rows - wanted * ROWS).max() <= 1.0, (frame, rows, wanted * ROWS)


def test_filled_drawn_and_clicked(window, qtbot, project_path, loaded_model):
    open_project(window, qtbot, project_path, loaded_model)
    video = first_slot_video(window)
    window.session.open_video(video)
    dock = window.views.regions
    assert dock.method_id() == "gradcam"
    _regions_done(window, qtbot)
    entry = window.session.entry(video)
    request = window.viewer.regions._active
    arr = window.cache.array(request.key, entry, 8, REGIONS)
    assert np.isfinite(arr).all()
    np.testing.assert_allclose(arr.sum(axis=1), 1.0, atol=1e-5)
    assert dock.top.shape == (entry.frame_count, 8)
    np.testing.assert_allclose(dock.top[:, -1], 1.0, atol=1e-5)  # the topmost area ends at the sum of the shares
    np.testing.assert_allclose(dock.top[:, 0], arr[:, 6], atol=1e-6)  # the bottom area is the jaw's share
    assert dock.image.image.shape[:2] == (ROWS, entry.frame_count)
    _drawn_matches_numpy(window, dock, entry, loaded_model[0], frames=(2, 14, 29))
    _click_frame(qtbot, dock.plot, 12)
    assert window.session.frame == 12
    wait_shown(window, qtbot, 12)
    assert dock.cursor.value() == 12
    files = list((window.session.project.cache_dir / REGIONS).rglob("*.npy"))
    assert len(files) == 1
    dock.set_method("gradient")  # another method: computed and cached on its own
    _regions_done(window, qtbot)
    assert len(list((window.session.project.cache_dir / REGIONS).rglob("*.npy"))) == 2
    dock.set_method("gradcam")
    assert dock.state.text() == "cached"


def test_hidden_dock_computes_nothing(window, qtbot, project_path, loaded_model):
    open_project(window, qtbot, project_path, loaded_model)
    dock = window.views.regions
    dock.close()
    runs = window.viewer.regions.channel.jobs_run
    window.session.open_video(first_slot_video(window))
    qtbot.wait(300)
    assert window.viewer.regions.channel.jobs_run == runs
    assert dock.state.text() == "hidden: not computed"
    dock.show()
    _regions_done(window, qtbot)
    assert window.viewer.regions.channel.jobs_run == runs + 1
    assert dock.state.text().startswith("done in")


def test_timelines_line_up_frame_for_frame(window, qtbot, project_path, loaded_model):
    open_project(window, qtbot, project_path, loaded_model)
    window.session.open_video(first_slot_video(window))
    qtbot.wait(200)  # the default dock sizes apply on the next event-loop turn
    n = window.session.video.frame_count
    tiers = {"slots": window.timeline.plot, "probabilities": window.views.probabilities.plot,
             "regions": window.views.regions.plot}

    def screen_x(plot, frame: float) -> float:
        vb = plot.getPlotItem().vb
        return plot.mapToGlobal(plot.mapFromScene(vb.mapViewToScene(QtCore.QPointF(frame, 0.0)))).x()

    for frame in (-0.5, 0, n // 2, n - 1, n - 0.5):
        xs = {name: screen_x(plot, frame) for name, plot in tiers.items()}
        assert max(xs.values()) - min(xs.values()) <= 1, (frame, xs)
    for name, plot in tiers.items():
        assert plot.getPlotItem().vb.viewRange()[0] == pytest.approx([-0.5, n - 0.5], abs=0.02), name
    window.views.probabilities.plot.getPlotItem().vb.setXRange(10, 20, padding=0)  # zoom one: all follow
    for name, plot in tiers.items():
        assert plot.getPlotItem().vb.viewRange()[0] == pytest.approx([10, 20], abs=0.02), name
