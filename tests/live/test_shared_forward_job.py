"""The live loop runs the model forward once per frame: the analysis records it, the docks start from it."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from painxai_gui.live.context import PlainContext
from painxai_gui.live.explain_job import ExplainRequest, explain_frame
from painxai_gui.live.frames import AnalysisRequest, analyse
from painxai_gui.live.media import MediaPool

DOCKS = ("gradcam", "lrp.preset_a_flat")


@pytest.fixture(scope="module")
def tiny_vggface():
    """VGG-Face's structure at 32 x 32 (seeded), with the VGG-Face preprocessing, and a fresh Predictor."""
    import keras

    from painxai_gui.model import Predictor, build_vggface
    from painxai_gui.model.loading import LoadedModel
    from painxai_gui.model.spec import vggface_spec

    keras.utils.set_random_seed(21)
    model = build_vggface(3, (32, 32, 3), fc_units=8, blocks=((4, 1), (6, 1)))
    spec = vggface_spec()
    spec = type(spec)(**{**spec.__dict__, "input_size": (32, 32)})
    loaded = LoadedModel(model, spec)
    return loaded, Predictor(loaded)


def test_one_forward_pass_per_frame_for_the_bars_and_two_docks(tmp_path, video_record, tiny_vggface):
    from painxai_gui.explain.context import context_for
    from painxai_gui.explain.face import explain_face

    loaded, predictor = tiny_vggface
    ctx = context_for(loaded.model)
    pool = MediaPool(tmp_path)
    try:
        for frame in (3, 4, 9):
            before = Counter(ctx.calls)
            analysis = analyse(pool, AnalysisRequest(video_record, frame, predictor), PlainContext())
            assert analysis.ok and analysis.forward is not None
            results = [explain_frame(ExplainRequest(analysis, loaded, m, "predicted", None), PlainContext())
                       for m in DOCKS]
            runs = Counter(ctx.calls)
            runs.subtract(before)
            ran = {k: n for k, n in runs.items() if n}
            assert ran.pop(("record",)) == 1  # the one forward pass of this frame
            assert sorted(k[0] for k in ran) == sorted(DOCKS)  # each dock once, from the recorded pass
            assert all(k[-1] == "recorded" and n == 1 for k, n in ran.items()), ran
            # the bars: the model's own output for this input
            np.testing.assert_allclose(analysis.probs, loaded.model(analysis.x[None]).numpy()[0], rtol=1e-5)
            for method, result in zip(DOCKS, results):  # the docks: what the face path gives on its own
                alone = explain_face(loaded, analysis.crop, analysis.crop_landmarks, method, {}, "predicted",
                                     x=analysis.x)
                scale = max(np.abs(alone.heatmap).max(), 1e-12)
                assert np.abs(result.heatmap - alone.heatmap).max() / scale < 1e-5
                assert result.target == alone.target == int(np.argmax(analysis.probs))
        assert predictor._forward is None  # the Predictor's separate forward pass never ran
    finally:
        pool.close()
