"""Explanation docks: add, remove, and the layout plus each dock's settings restored at the next start."""

from __future__ import annotations

from PySide6 import QtCore

from painxai_gui.gui.main_window import MainWindow


def test_default_docks_then_add_and_remove(window, qtbot):
    docks = window.explanations.docks
    assert [d.method_id for d in docks.values()] == ["gradcam", "lrp.preset_a_flat"]
    assert [d.windowTitle() for d in docks.values()] == ["Explain: Grad-CAM", "Explain: LRP-PresetAFlat"]
    window.actions["add_explanation"].trigger()  # Ctrl+D asks which method; Enter takes the default
    menu = window.explanations.method_menu
    assert menu.isVisible() and menu.defaultAction().data() == "deconvnet"  # the first not shown, thesis order
    menu.defaultAction().trigger()
    third = list(docks.values())[-1]
    assert third.method_id not in ("gradcam", "lrp.preset_a_flat") and third.objectName() == "explain-3"
    assert window.video_view.overlay_source.count() == 4  # "no overlay" + three docks
    third.close()  # the dock's own close button
    assert "explain-3" not in docks
    assert window.findChild(type(third), "explain-3") is None or not third.isVisible()
    assert window.video_view.overlay_source.count() == 3


def test_options_are_built_from_the_registry(window):
    from painxai_gui.explain import METHODS

    dock = window.explanations.add("lime")
    names = {opt.name for opt in METHODS["lime"].options}
    assert set(dock.options.values()) == names
    dock.method.setCurrentIndex(dock.method.findData("lrp.alpha_beta"))
    assert set(dock.options.values()) == {opt.name for opt in METHODS["lrp.alpha_beta"].options}
    assert dock.signed.isChecked() == METHODS["lrp.alpha_beta"].signed


def test_layout_and_dock_settings_come_back(qtbot, settings):
    first = MainWindow(settings, quiet_errors=True)
    qtbot.addWidget(first)
    first.show()
    lime = first.explanations.add("lime")
    lime.options.set_values({"num_samples": 57, "mode": "positive_negative", "hide_color": 0.0})
    wanted_options = lime.options.values()
    assert (wanted_options["num_samples"], wanted_options["mode"], wanted_options["hide_color"]) == \
        (57, "positive_negative", 0.0)
    lime.cmap.setCurrentIndex(lime.cmap.findData("viridis"))
    lime.target.setCurrentIndex(lime.target.findData("true"))
    lime.opacity.setValue(33)
    first.explanations.docks["explain-1"].setFloating(True)
    first.video_view.opacity.setValue(71)
    first.video_view.show_landmarks.setChecked(False)
    first.close()  # saves the layout

    second = MainWindow(settings, quiet_errors=True)
    qtbot.addWidget(second)
    second.show()
    docks = second.explanations.docks
    assert list(docks) == ["explain-1", "explain-2", "explain-3"]
    restored = docks["explain-3"]
    assert restored.method_id == "lime"
    assert restored.options.values() == wanted_options
    assert restored.cmap.currentData() == "viridis"
    assert restored.target.currentData() == "true"
    assert restored.opacity.value() == 33
    assert docks["explain-1"].isFloating()
    assert not docks["explain-2"].isFloating()
    assert second.video_view.opacity.value() == 71
    assert not second.video_view.show_landmarks.isChecked()
    second.shutdown()


def test_reset_layout_brings_back_the_default_docks(window):
    window.explanations.add("gradient")
    window.explanations.docks["explain-1"].close()
    window.reset_layout()
    assert [d.method_id for d in window.explanations.docks.values()] == ["gradcam", "lrp.preset_a_flat"]


def test_settings_go_to_the_temp_file(settings, window):
    window.save_layout()
    assert settings.fileName().endswith("settings.ini")
    assert settings.value("explanations")
    assert QtCore.QSettings().fileName() != settings.fileName()
