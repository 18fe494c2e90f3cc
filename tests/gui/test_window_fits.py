"""A window that fits (issue 11 §4): 1366x768 with three explanation docks, the heatmap gets the room,
per-dock timings in the docks, Ctrl+D asks which method, method lists in the thesis order, an explicit overlay."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from painxai_gui.explain import THESIS_METHODS


def _combo_ids(combo: QtWidgets.QComboBox) -> list[str | None]:
    """Item data in order; None for a separator."""
    return [combo.itemData(i) for i in range(combo.count())]


def test_three_docks_with_option_boxes_fit_1366x768(window, qtbot):
    docks = window.explanations.docks
    docks["explain-2"].method.setCurrentIndex(docks["explain-2"].method.findData("lrp.epsilon"))
    window.explanations.add("lime")  # 13 options
    assert all(d.options.values() for d in docks.values())  # every method has an option box
    qtbot.wait(50)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768, hint
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.size() == QtCore.QSize(1366, 768), timeout=3000)
    assert window.status.geometry().bottom() < window.height()  # the status bar stays on the window
    assert all(d.is_shown() for d in docks.values())  # all three in sight, none a background tab
    for dock in docks.values():  # the heatmap gets at least half of the dock's height and all its width but margins
        body = dock.widget()
        assert dock.image_view.height() >= 0.5 * body.height(), (dock.objectName(), dock.image_view.height(),
                                                                 body.height())
        assert dock.image_view.width() >= body.width() - 10
    # the options are one click away, in a popup that scrolls when long
    lime = docks["explain-3"]
    lime.options_button.click()
    assert lime.options_popup.isVisible() and lime.options.isVisibleTo(lime.options_popup)
    assert lime.options_popup.height() <= lime.options_popup.MAX_HEIGHT
    lime.options_popup.close()
    assert lime.options_button.text() == "Options (13)" and "num samples" in lime.options_button.toolTip()


def test_timings_are_in_each_dock_not_the_status_bar(window):
    assert not hasattr(window.status, "explain")
    labels = [w.text() for w in window.status.findChildren(QtWidgets.QLabel)]
    assert not any("ms ·" in t and "Grad-CAM" in t for t in labels)


def test_method_lists_follow_the_thesis_order(window):
    dock = window.explanations.docks["explain-1"]
    ids = _combo_ids(dock.method)
    cut = ids.index(None)  # the separator between the thesis's methods and the others
    assert ids[:cut] == list(THESIS_METHODS)
    assert "lime" not in ids[cut + 1:] and all(i is not None for i in ids[cut + 1:])
    lrp = [i for i, m in enumerate(ids) if m and m.startswith("lrp.")]
    lime = ids.index("lime")
    assert not any(a < lime < b for a, b in zip(lrp, lrp[1:]) if ids[a + 1:b].count(None) == 0)
    assert _combo_ids(window.views.regions.method) == ids  # the region timeline lists them the same way


def test_ctrl_d_asks_which_method(window, qtbot):
    window.actions["add_explanation"].trigger()
    menu = window.explanations.method_menu
    assert menu.isVisible()
    methods = [a.data() for a in menu.actions() if not a.isSeparator()]
    assert methods[:len(THESIS_METHODS)] == list(THESIS_METHODS)
    shown = [a.text() for a in menu.actions() if a.text().endswith("(shown)")]
    assert shown == ["Grad-CAM  (shown)", "LRP-PresetAFlat  (shown)"]
    lime = next(a for a in menu.actions() if a.data() == "lime")
    lime.trigger()
    assert [d.method_id for d in window.explanations.docks.values()] == ["gradcam", "lrp.preset_a_flat", "lime"]


def test_changing_a_docks_method_never_silently_changes_the_overlay(window, qtbot):
    view, docks = window.video_view, window.explanations.docks
    assert view.overlay_name() == "explain-1"  # the first start's explicit default, shown in the combo
    assert view.overlay_source.currentText() == "dock 1: Grad-CAM"
    first = docks["explain-1"]
    first.method.setCurrentIndex(first.method.findData("lrp.z"))
    assert view.overlay_name() == ""  # off, not LRP-Z in Grad-CAM's place
    assert "overlay off" in window.statusBar().currentMessage().lower()
    view.overlay_source.setCurrentIndex(view.overlay_source.findData("explain-2"))
    window.explanations.add("gradient")
    docks["explain-3"].close()
    assert view.overlay_name() == "explain-2"  # adding and removing other docks keeps the choice
    docks["explain-2"].close()
    assert view.overlay_name() == ""  # its dock went: no overlay (not silently the first dock)
