"""The probability cache keys its files by a hash of the full video id and the model key."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from painxai_gui.dataset.records import VideoRecord
from painxai_gui.live.timeline_cache import TimelineCache as ProbabilityCache


def _video(video_id: str) -> VideoRecord:
    return VideoRecord(video_id, "s", "disgust", "disgust", "D", Path("/nowhere") / video_id, 4, 25.0)


def test_ids_that_sanitise_alike_never_share_a_file(tmp_path):
    cache = ProbabilityCache(tmp_path)
    spaced, underscored = _video("emotion/a b.mp4"), _video("emotion/a_b.mp4")
    arr = cache.array("model-1", spaced, 3)
    arr[:] = 0.25
    cache.finish("model-1", spaced)
    fresh = ProbabilityCache(tmp_path)  # the next start of the app
    assert fresh.complete("model-1", spaced.id) is False  # nothing is complete before it is loaded
    assert np.allclose(fresh.array("model-1", spaced, 3), 0.25) and fresh.complete("model-1", spaced.id)
    other = fresh.array("model-1", underscored, 3)
    assert np.isnan(other).all() and not fresh.complete("model-1", underscored.id)
    assert np.isnan(fresh.array("model-2", spaced, 3)).all()  # another model: its own file
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.npy"))
    assert len(files) == 1 and "a b" not in files[0] and "a_b" not in files[0]


def test_model_keys_that_are_paths_stay_one_folder_deep(tmp_path):
    cache = ProbabilityCache(tmp_path)
    video = _video("v.mp4")
    cache.array("/models/one/model.keras", video, 2)[:] = 0.5
    cache.finish("/models/one/model.keras", video)
    (npy,) = list(tmp_path.rglob("*.npy"))
    assert npy.parent.parent == tmp_path / "probabilities"
