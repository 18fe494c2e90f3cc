"""The METHODS registry, option descriptors, targets and input checks."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from painxai_gui.errors import ExplainError
from painxai_gui.explain import METHODS, THESIS_METHODS, Explanation, Option, Target, explain

ALL_IDS = (
    "gradient", "deconvnet", "guided_backprop", "gradcam", "guided_gradcam", "lrp.z", "lrp.epsilon",
    "lrp.preset_a_flat", "lrp.preset_b_flat", "lrp.alpha_beta", "lime", "smoothgrad", "integrated_gradients", "occlusion",
)


def test_registry_ids_and_thesis_order():
    assert set(METHODS) == set(ALL_IDS)
    assert THESIS_METHODS == ("deconvnet", "gradient", "guided_backprop", "gradcam", "guided_gradcam", "lrp.z",
                              "lrp.epsilon", "lrp.preset_a_flat", "lrp.preset_b_flat", "lime")
    assert tuple(METHODS)[:10] == THESIS_METHODS


@pytest.mark.parametrize("method_id", ALL_IDS)
def test_registry_entry_fields(method_id):
    m = METHODS[method_id]
    assert m.id == method_id
    assert isinstance(m.display_name, str) and m.display_name
    assert isinstance(m.signed, bool)
    assert callable(m)
    for opt in m.options:
        assert isinstance(opt, Option) and opt.help
        assert opt.type in (int, float, str, bool)
        json.dumps(opt.describe())
        assert opt.coerce(opt.default, method_id) == opt.default
    assert m.resolve_options({}) == {o.name: o.default for o in m.options}


def test_signed_flags_follow_methods_md():
    signed = {k for k, m in METHODS.items() if m.signed}
    assert {"lrp.z", "lrp.epsilon", "lrp.preset_a_flat", "lrp.preset_b_flat", "lrp.alpha_beta", "lime"} <= signed
    assert not signed & {"gradient", "deconvnet", "guided_backprop", "gradcam", "guided_gradcam"}


def test_display_names_are_the_thesis_names():
    assert METHODS["lrp.preset_a_flat"].display_name == "LRP-PresetAFlat"
    assert METHODS["lrp.epsilon"].display_name == "LRP-Epsilon"
    assert METHODS["gradcam"].display_name == "Grad-CAM"


def test_option_validation_messages():
    lime = METHODS["lime"]
    with pytest.raises(ExplainError, match="unknown option.*nsamples"):
        lime.resolve_options({"nsamples": 3})
    with pytest.raises(ExplainError, match="num_samples"):
        lime.resolve_options({"num_samples": 2})
    with pytest.raises(ExplainError, match="mode"):
        lime.resolve_options({"mode": "everything"})
    assert lime.resolve_options({"num_samples": "50", "hide_color": "none"})["num_samples"] == 50
    assert lime.resolve_options({"hide_color": 0})["hide_color"] == 0.0
    with pytest.raises(ExplainError, match="epsilon"):
        METHODS["lrp.epsilon"].resolve_options({"epsilon": 0.0})


def test_targets():
    assert Target.coerce(None) == Target.predicted()
    assert Target.coerce(3) == Target.of_class(3)
    assert Target.true(2).index == 2 and Target.true(2).kind == "true"
    assert Target.predicted().code(5) == -1 and Target.true(4).code(5) == 4
    with pytest.raises(ExplainError, match="does not exist"):
        Target.of_class(7).code(3)
    with pytest.raises(ExplainError):
        Target("true")
    with pytest.raises(ExplainError):
        Target.coerce("3")


def test_input_and_method_errors():
    from explain_models import small_convnet

    model = small_convnet()
    with pytest.raises(ExplainError, match="unknown method"):
        explain(model, np.zeros((8, 8, 2), np.float32), "lrp.w2")
    with pytest.raises(ExplainError, match="8 x 8 x 2"):
        explain(model, np.zeros((9, 8, 2), np.float32), "gradient")
    with pytest.raises(ExplainError, match="NaN"):
        explain(model, np.full((8, 8, 2), np.nan, np.float32), "gradient")
    with pytest.raises(ExplainError, match="keras.Model"):
        explain(object(), np.zeros((8, 8, 2), np.float32), "gradient")


def test_explanation_is_immutable():
    from explain_models import small_convnet

    e = explain(small_convnet(), np.ones((8, 8, 2), np.float32), "gradient", target=1)
    assert isinstance(e, Explanation)
    with pytest.raises(ValueError):
        e.heatmap[0, 0] = 1.0
    with pytest.raises(AttributeError):
        e.target = 2  # frozen dataclass


def test_registry_is_readable_without_tensorflow():
    code = "import sys, painxai_gui.explain as e; assert len(e.METHODS) == 14; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"
