"""A model with NaN weights: the explanation dock shows the error, never a blank map or "waiting for a face"."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from gui_helpers import first_slot_video, open_project, wait_shown

pytestmark = pytest.mark.slow


def _broken(loaded):
    import keras

    from painxai_gui.model import Predictor

    clone = keras.models.clone_model(loaded.model)
    weights = [w.copy() for w in loaded.model.get_weights()]
    weights[-2][...] = np.nan  # the last layer's kernel
    clone.set_weights(weights)
    broken = dataclasses.replace(loaded, model=clone, path=None, sha256="broken")
    return broken, Predictor(broken)


def test_the_dock_shows_non_finite_logits_as_an_error(window, qtbot, project_path, loaded_model):
    open_project(window, qtbot, project_path, _broken(loaded_model[0]), video=None)
    window.session.open_video(first_slot_video(window))
    wait_shown(window, qtbot, 0)
    dock = window.explanations.add("gradcam")
    qtbot.waitUntil(lambda: "NaN or infinite" in dock.caption.text(), timeout=60000)
    assert dock.last_result is None and "waiting" not in dock.caption.text()


def test_the_engine_flags_the_broken_model_the_dock_would_explain(loaded_model):
    """What the dock's job calls (explain_face) raises the engine's error naming the model."""
    from painxai_gui.errors import ExplainError
    from painxai_gui.explain.face import explain_face

    broken, _ = _broken(loaded_model[0])
    crop = np.full((64, 64, 3), 128, np.uint8)
    with pytest.raises(ExplainError, match="gives non-finite logits"):
        explain_face(broken, crop, None, "gradcam")
