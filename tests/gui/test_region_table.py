"""Relevance per facial region under each explanation dock's heatmap.

The numbers come with the explanation from the worker; here they are checked
against an independent recomputation (region_masks + NumPy) on the same
heatmap and landmarks, and the "regions" checkbox is checked to hide the
table and to come back with the dock settings.
"""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import first_slot_video, open_project, wait_analysed, wait_shown

from painxai_gui.explain.face import REGION_ORDER, region_stats
from painxai_gui.face.regions import region_masks
from painxai_gui.gui.main_window import MainWindow

pytestmark = pytest.mark.slow


def _expected(heatmap: np.ndarray, crop_landmarks: np.ndarray, crop_size: int) -> tuple[dict, dict]:
    """Shares of the positive relevance and signed sums, from region_masks and plain NumPy."""
    heat = np.asarray(heatmap, np.float64)
    size = heat.shape[0]
    assert heat.shape == (size, size)
    masks = region_masks(np.asarray(crop_landmarks, np.float64) * (size / crop_size), size=size)
    covered = np.zeros(heat.shape, bool)
    for m in masks.values():
        covered |= m
    masks = dict(masks, other=~covered)
    positive = np.clip(heat, 0, None)
    total = positive.sum()
    share = {n: float(positive[masks[n]].sum() / total) for n in REGION_ORDER}
    signed = {n: float(heat[masks[n]].sum()) for n in REGION_ORDER}
    return share, signed


def test_region_values_match_an_independent_recomputation(window, qtbot, project_path, loaded_model):
    open_project(window, qtbot, project_path, loaded_model, video=None)
    window.session.open_video(first_slot_video(window))
    wait_shown(window, qtbot, 0)
    wait_analysed(window, qtbot, 0)
    analysis = window.viewer.last_analysis
    assert analysis.ok and analysis.crop_landmarks is not None
    docks = list(window.explanations.docks.values())
    assert {d.method_id for d in docks} == {"gradcam", "lrp.preset_a_flat"}
    qtbot.waitUntil(lambda: all(d.last_result is not None and d.last_result.frame == 0
                                and not d.channel.is_busy() for d in docks), timeout=120000)
    for dock in docks:
        result = dock.last_result
        assert result.regions is not None
        assert dock.regions.showing_message() is None
        share, signed = _expected(result.heatmap, analysis.crop_landmarks, analysis.crop.shape[0])
        shown = dock.regions.values(0)
        assert list(shown) == list(REGION_ORDER)
        assert np.maximum(result.heatmap, 0).sum() > 0
        assert sum(shown.values()) == pytest.approx(1.0, abs=1e-6)
        for name in REGION_ORDER:
            assert shown[name] == pytest.approx(share[name], abs=1e-6), (dock.method_id, name)
        # the largest share is the bold one
        best = max(REGION_ORDER, key=lambda n: shown[n])
        bold = [dock.regions.table.horizontalHeaderItem(c).text() for c in range(len(REGION_ORDER))
                if dock.regions.table.item(0, c).font().bold()]
        assert bold == [best]
        if result.signed:
            sums = dock.regions.values(1)
            assert not dock.regions.table.isRowHidden(1)
            for name in REGION_ORDER:
                assert sums[name] == pytest.approx(signed[name], abs=1e-6), (dock.method_id, name)
        else:
            assert dock.regions.table.isRowHidden(1)
            assert all(v is None for v in dock.regions.values(1).values())
    assert any(d.last_result.signed for d in docks)  # LRP: the signed row is exercised

    # a known heatmap on the same landmarks: positive only in the mouth, negative in the nose
    size = docks[0].last_result.heatmap.shape[0]
    masks = region_masks(analysis.crop_landmarks * (size / analysis.crop.shape[0]), size=size)
    heat = np.where(masks["mouth"], 2.0, 0.0) - np.where(masks["nose"], 1.0, 0.0)
    stats = region_stats(heat, analysis.crop_landmarks, analysis.crop.shape[0], signed=True)
    assert dict(zip(stats.names, stats.share))["mouth"] == pytest.approx(1.0)
    assert sum(stats.share) == pytest.approx(1.0)
    sums = dict(zip(stats.names, stats.signed_sum))
    assert sums["mouth"] == pytest.approx(2.0 * masks["mouth"].sum())
    assert sums["nose"] == pytest.approx(-1.0 * masks["nose"].sum())
    assert masks["mouth"].any() and masks["nose"].any()


def test_no_landmarks_means_no_face():
    heat = np.ones((64, 64), np.float32)
    assert region_stats(heat, None, 256, signed=True) is None


def test_no_face_shows_in_the_table(window):
    dock = next(iter(window.explanations.docks.values()))
    dock.clear("no face found")
    assert dock.regions.showing_message() == "no face"


def test_regions_checkbox_hides_and_comes_back(qtbot, settings):
    first = MainWindow(settings, quiet_errors=True)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    dock = first.explanations.docks["explain-2"]
    assert dock.show_regions.isChecked() and dock.regions.isVisibleTo(dock)
    dock.show_regions.setChecked(False)
    assert not dock.regions.isVisibleTo(dock)
    assert first.explanations.docks["explain-1"].regions.isVisibleTo(first.explanations.docks["explain-1"])
    dock.show_regions.setChecked(True)
    assert dock.regions.isVisibleTo(dock)
    dock.show_regions.setChecked(False)
    first.close()  # saves the dock settings

    second = MainWindow(settings, quiet_errors=True)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    restored = second.explanations.docks["explain-2"]
    assert not restored.show_regions.isChecked()
    assert not restored.regions.isVisibleTo(restored)
    other = second.explanations.docks["explain-1"]
    assert other.show_regions.isChecked() and other.regions.isVisibleTo(other)
    second.shutdown()


def test_narrow_tables_shorten_region_names_and_keep_the_values_by_full_name(qtbot):
    from painxai_gui.explain.face import RegionStats
    from painxai_gui.gui.docks.explanation_dock import RegionTable

    table = RegionTable()
    qtbot.addWidget(table)
    n = len(REGION_ORDER)
    share = np.arange(1, n + 1, dtype=float) / np.arange(1, n + 1).sum()
    table.set_stats(RegionStats(names=tuple(REGION_ORDER), share=share, signed_sum=None, density=share))
    headers = lambda: [table.table.horizontalHeaderItem(c).text() for c in range(n)]  # noqa: E731
    table.resize(900, table.height())
    table.show()
    qtbot.waitUntil(lambda: headers() == list(REGION_ORDER))
    table.resize(230, table.height())
    qtbot.waitUntil(lambda: headers() != list(REGION_ORDER))
    assert headers() == [RegionTable.SHORT[name] for name in REGION_ORDER]
    assert list(table.values()) == list(REGION_ORDER)  # values keep the full names
    assert table.values()["jaw"] == pytest.approx(share[list(REGION_ORDER).index("jaw")])
