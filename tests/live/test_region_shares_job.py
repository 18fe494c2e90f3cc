"""The region timeline job: shares per facial region for every frame, checked against a NumPy recomputation,
against the face path's explain_face, and cached per model, method and options."""

from __future__ import annotations

import numpy as np
import pytest

from painxai_gui.explain.face import REGION_ORDER
from painxai_gui.live.context import PlainContext
from painxai_gui.live.media import MediaPool
from painxai_gui.live.region_timeline import REGIONS, RegionRequest, explain_regions, fill_regions
from painxai_gui.live.timeline_cache import TimelineCache
from painxai_gui.live.video_pass import FaceFrame

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def filled(tmp_path_factory, video_record, loaded):
    """The video's gradcam region timeline, computed once through the app's job (landmarks cached on disk)."""
    folder = tmp_path_factory.mktemp("regions")
    pool = MediaPool(folder)
    cache = TimelineCache(folder)
    ctx = PlainContext()
    request = RegionRequest(video_record, loaded, "demo-model", "gradcam")
    arr = fill_regions(cache, pool, lambda: False, request, ctx)
    yield arr, pool, cache, request, ctx
    pool.close()


def numpy_shares(heatmap: np.ndarray, crop_landmarks: np.ndarray, crop_size: int) -> np.ndarray:
    """Positive share per region by hand: region masks drawn from the landmarks at the heatmap's size."""
    from painxai_gui.face.regions import region_masks

    size = heatmap.shape[0]
    masks = region_masks(crop_landmarks * (size / crop_size), size=size)
    masks["other"] = ~np.any(np.stack(list(masks.values())), axis=0)
    positive = np.clip(heatmap.astype(np.float64), 0.0, None)
    return np.array([positive[masks[name]].sum() for name in REGION_ORDER]) / positive.sum()


def test_matches_a_numpy_recomputation_on_three_frames(filled, loaded, video_record):
    from painxai_gui.explain import explain
    from painxai_gui.face import FaceCropper, FaceTrack
    from painxai_gui.model import preprocess

    arr, pool, *_ = filled
    assert arr.shape == (video_record.frame_count, len(REGION_ORDER))
    assert np.isfinite(arr).all() and (arr >= 0).all()  # every frame has a face in this video
    np.testing.assert_allclose(arr.sum(axis=1), 1.0, atol=1e-5)
    pool.close()  # landmarks written to the FaceTrack cache file
    with FaceTrack(video_record.path, FaceCropper(), pool.cache_dir / "landmarks") as track:
        for frame in (0, 11, 23):
            face = track.get(frame)  # from the cache file: no detection
            heatmap = explain(loaded.model, preprocess(face.crop, loaded.spec)[0], "gradcam").heatmap
            np.testing.assert_allclose(arr[frame], numpy_shares(heatmap, face.landmarks, face.crop.shape[0]),
                                       atol=1e-5)
        assert track.cropper.detector_calls == 0


def test_progress_and_cached_on_disk(filled, video_record, loaded, tmp_path):
    arr, pool, cache, request, ctx = filled
    assert ctx.reports[0] == (0, video_record.frame_count) and ctx.reports[-1][0] == video_record.frame_count
    path = cache.file(request.key, video_record.id, REGIONS)
    assert path.is_file()
    again = TimelineCache(cache.folder)  # a new session: complete from the file, nothing to compute
    np.testing.assert_array_equal(again.array(request.key, video_record, 8, REGIONS), arr)
    assert again.complete(request.key, video_record.id, REGIONS)
    keys = {request.key, RegionRequest(video_record, loaded, "demo-model", "gradient").key,
            RegionRequest(video_record, loaded, "demo-model", "gradcam", {"layer": "conv2d_7"}).key,
            RegionRequest(video_record, loaded, "other-model", "gradcam").key,
            RegionRequest(video_record, loaded, "demo-model", "gradcam", target="true").key}
    assert len(keys) == 5
    assert RegionRequest(video_record, loaded, "demo-model", "gradcam", {"layer": ""}).key == request.key  # the default


@pytest.mark.parametrize("method, options", [("gradcam", {}), ("lrp.epsilon", {}),
                                             ("lime", {"segmentation": "precomputed", "num_samples": 40})])
def test_batched_equals_explain_face_per_frame(filled, loaded, video_record, method, options):
    """The batch path and the face path the docks and panels use give the same region shares."""
    from painxai_gui.explain.face import explain_face

    _, pool, *_ = filled
    track = pool.track(video_record.path)
    faces = [FaceFrame(f, track.get(f)) for f in (3, 9, 17)]
    crops = np.stack([f.face.crop for f in faces])
    batched = explain_regions(loaded, faces, crops, method, options, "predicted", video_record.category)
    for face, stats in zip(faces, batched):
        one = explain_face(loaded, face.face.crop, face.face.landmarks, method, options, "predicted").regions
        np.testing.assert_allclose(stats.share, one.share, atol=1e-5)
        if one.signed_sum is not None:
            np.testing.assert_allclose(stats.signed_sum, one.signed_sum, rtol=1e-4, atol=1e-5)
