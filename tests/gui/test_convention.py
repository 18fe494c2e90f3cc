"""The convention switch (issue 14): one app-wide choice for every dock, per dock through its options,
stored in QSettings and in the panel records; the engine's warnings visible in the dock."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gui_helpers import open_warm, settled
from PySide6 import QtCore

from painxai_gui.gui.main_window import MainWindow


@pytest.mark.slow
def test_switch_sets_every_dock_and_the_next_results_use_it(window, qtbot, project_path, loaded_model):
    from painxai_gui.explain import explain

    open_warm(window, qtbot, project_path, loaded_model)
    docks = window.explanations.docks
    requests = {}
    for name, dock in docks.items():
        dock.channel.finished.connect(lambda o, n=name: requests.__setitem__(n, o.request))
    assert window.convention_actions["standard"].isChecked()
    window.convention_actions["thesis"].trigger()  # View > Convention > Thesis
    assert window.convention_actions["thesis"].isChecked()
    assert [d.convention() for d in docks.values()] == ["thesis", "thesis"]
    assert "thesis" in window.status.convention.text() and "mixed" not in window.status.convention.text()
    qtbot.waitUntil(lambda: len(requests) == 2 and settled(window, 0), timeout=60000)
    assert all(r.options["convention"] == "thesis" for r in requests.values())
    # the Grad-CAM dock's heatmap is the engine's thesis Grad-CAM (softmax) of the frame, not the standard one
    gradcam = docks["explain-1"]
    x = window.viewer.last_analysis.x
    thesis = explain(window.session.model.model, x, "gradcam", convention="thesis")
    standard = explain(window.session.model.model, x, "gradcam")
    assert not np.allclose(thesis.heatmap, standard.heatmap, atol=1e-3)
    np.testing.assert_allclose(gradcam.last_result.heatmap, thesis.heatmap, atol=1e-5)
    assert " · thesis · " in gradcam.caption.text()  # the dock says which convention its result used
    # a new dock follows the switch; one dock set back through its option form makes it "mixed"
    third = window.explanations.add("gradient")
    assert third.convention() == "thesis"
    third.options.set_values({"convention": "standard"})
    assert "mixed" in window.status.convention.text()
    _, options = window.panel_settings()
    assert options["gradcam"]["convention"] == "thesis" and options["gradient"]["convention"] == "standard"
    assert options["lrp.epsilon"] == {"convention": "thesis"}  # methods without a dock: the app-wide value


def test_convention_persists_across_reopen(qtbot, settings):
    first = MainWindow(settings, quiet_errors=True)
    qtbot.addWidget(first)
    first.show()
    first.convention_actions["thesis"].trigger()
    first.explanations.add("lrp.epsilon")
    first.explanations.docks["explain-1"].options.set_values({"convention": "standard"})  # one dock differs
    first.close()

    second = MainWindow(settings, quiet_errors=True)
    qtbot.addWidget(second)
    second.show()
    assert second.explanations.convention == "thesis"
    assert second.convention_actions["thesis"].isChecked()
    assert [d.convention() for d in second.explanations.docks.values()] == ["standard", "thesis", "thesis"]
    assert "mixed" in second.status.convention.text()
    assert json.loads(settings.value("explanations"))[2]["options"]["convention"] == "thesis"
    second.shutdown()


def test_changing_the_method_keeps_the_docks_convention(window):
    dock = window.explanations.docks["explain-1"]
    dock.options.set_values({"convention": "thesis"})
    dock.method.setCurrentIndex(dock.method.findData("lrp.epsilon"))
    assert dock.method_id == "lrp.epsilon" and dock.convention() == "thesis"


def test_an_engine_warning_shows_in_the_dock(window, qtbot):
    """The thesis alpha-beta explosion of issue 14 (Dense(1), alpha 2, beta 1), from the real engine."""
    import keras
    from keras import layers

    from painxai_gui.explain import explain
    from painxai_gui.gui.workers import Outcome
    from painxai_gui.live.explain_job import ExplainRequest, ExplainResult
    from painxai_gui.live.frames import Analysis

    inp = keras.Input((1, 2, 1))
    dense = layers.Dense(1)
    model = keras.Model(inp, dense(layers.Flatten()(inp)))
    dense.set_weights([np.array([[1.0], [-1.0]], np.float32), np.array([0.5], np.float32)])
    x = np.array([1.0, 0.5], np.float32).reshape(1, 2, 1)
    exploded = explain(model, x, "lrp.alpha_beta", alpha=2.0, beta=1.0, convention="thesis")
    assert exploded.warnings

    dock = window.explanations.docks["explain-1"]
    crop = np.zeros((40, 40, 3), np.uint8)
    result = ExplainResult(video_id="v", frame=0, crop=crop, heatmap=np.asarray(exploded.heatmap).reshape(1, 2),
                          signed=True, target=0, target_kind="predicted", method="lrp.alpha_beta", ms=1.0,
                          warnings=tuple(exploded.warnings))
    request = ExplainRequest(Analysis("v", 0, True, box=(0, 0, 40, 40)), None, "lrp.alpha_beta", "predicted", None)
    dock._finished(Outcome(request, result, 1, 0.001))
    assert dock.warning_row.isVisibleTo(dock)
    assert "relevance exploded" in dock.warning.text()
    assert dock.warning_row.toolTip() == exploded.warnings[0]
    dock.clear("waiting")
    assert not dock.warning_row.isVisibleTo(dock)


@pytest.mark.slow
def test_a_panel_exported_from_the_app_records_the_convention(window, qtbot, tmp_path, project_path, loaded_model):
    from painxai_gui.export.panel import record_path

    open_warm(window, qtbot, project_path, loaded_model)
    window.convention_actions["thesis"].trigger()
    qtbot.keyClick(window.video_view, QtCore.Qt.Key.Key_P)  # the current frame as a panel row
    window.actions["export_panel"].trigger()
    dialog = window.panel.dialog
    for i in range(dialog.methods.count()):
        item = dialog.methods.item(i)
        wanted = item.data(QtCore.Qt.ItemDataRole.UserRole) in ("gradcam", "lrp.epsilon")  # lrp.epsilon: no dock
        item.setCheckState(QtCore.Qt.CheckState.Checked if wanted else QtCore.Qt.CheckState.Unchecked)
    dialog.out.setText(str(tmp_path / "fig.png"))
    dialog.dpi.setValue(60)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not window.tasks.busy("panel"), timeout=120000)
    record = json.loads(record_path(tmp_path / "fig.png").read_text())
    tiles = record["rows"][0]["tiles"]
    assert len(tiles) == 2
    assert [t["options"]["convention"] for t in tiles] == ["thesis", "thesis"]
