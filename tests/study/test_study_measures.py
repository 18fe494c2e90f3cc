"""Each study measure recomputed independently (NumPy / SciPy / scikit-image) on small inputs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from painxai_gui.explain.metrics import (blurred_baseline, curve_aucs, deletion, insertion, pixel_order,
                                         random_orders)
from painxai_gui.face.regions import region_labels
from painxai_gui.study import stats
from painxai_gui.study.explain_step import region_columns, region_measures, spearman
from painxai_gui.study.synthetic import face_landmarks


def test_region_measures_match_bincount():
    rng = np.random.default_rng(0)
    size = 96
    lm = face_landmarks(size, (1.0, -0.5), 1.02)
    heat = rng.normal(0, 1, (size, size)).astype(np.float32)
    got = region_measures(heat, lm, size, signed=True)
    labels = region_labels(lm, size=size).ravel()  # 0 = other, k = region k
    names = region_columns()  # regions..., other
    order = list(range(1, len(names))) + [0]
    pos = np.bincount(labels, np.maximum(heat.ravel(), 0), minlength=len(names))[order]
    signed = np.bincount(labels, heat.ravel(), minlength=len(names))[order]
    area = np.bincount(labels, minlength=len(names))[order] / labels.size
    for k, name in enumerate(names):
        assert got[f"share_{name}"] == pytest.approx(pos[k] / pos.sum(), rel=1e-6)
        assert got[f"signed_{name}"] == pytest.approx(signed[k], rel=1e-5, abs=1e-6)
        assert got[f"density_{name}"] == pytest.approx(pos[k] / pos.sum() / area[k], rel=1e-6)
    assert sum(got[f"share_{n}"] for n in names) == pytest.approx(1.0)
    unsigned = region_measures(heat, lm, size, signed=False)
    assert np.isnan(unsigned["signed_eyes"]) and unsigned["share_eyes"] == got["share_eyes"]
    assert all(np.isnan(v) for v in region_measures(heat, np.full((68, 2), np.nan), size, True).values())


def _small_model():
    import keras
    from keras import layers

    keras.utils.set_random_seed(3)
    return keras.Sequential([keras.Input((6, 6, 2)), layers.Conv2D(3, 3, activation="relu"), layers.Flatten(),
                             layers.Dense(3)])


def test_batched_aucs_equal_single_curves_with_a_baseline_image():
    model = _small_model()
    rng = np.random.default_rng(1)
    xs = rng.normal(0, 1, (3, 6, 6, 2)).astype(np.float32)
    heats = rng.random((3, 6, 6))
    bases = np.stack([blurred_baseline(x) for x in xs])
    orders = np.stack([pixel_order(h) for h in heats])
    targets = np.array([0, 2, 1])
    dels = curve_aucs(model, xs, orders, targets, "deletion", steps=5, baselines=bases, batch_size=4)
    ins = curve_aucs(model, xs, orders, targets, "insertion", steps=5, baselines=bases, batch_size=4)
    for i in range(3):
        assert dels[i] == pytest.approx(deletion(model, xs[i], heats[i], int(targets[i]), steps=5, fill=bases[i]).auc,
                                        rel=1e-6)
        assert ins[i] == pytest.approx(insertion(model, xs[i], heats[i], int(targets[i]), steps=5, fill=bases[i]).auc,
                                       rel=1e-6)
    # the curve by hand for image 0: pixels replaced in order, softmax of the logits, trapezoid over 0..1
    counts = np.round(np.arange(6) * 36 / 5).astype(int)
    images = []
    for n in counts:
        img = xs[0].reshape(36, 2).copy()
        img[orders[0][:n]] = bases[0].reshape(36, 2)[orders[0][:n]]
        images.append(img.reshape(6, 6, 2))
    logits = np.asarray(model(np.stack(images)), np.float64)
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    expected = np.sum((probs[1:, 0] + probs[:-1, 0]) / 2 * np.diff(counts / 36))
    assert dels[0] == pytest.approx(expected, rel=1e-5)


def test_random_orders_and_blur():
    from scipy.ndimage import gaussian_filter

    orders = random_orders(50, draws=3, seed=7)
    assert orders.shape == (3, 50) and all(sorted(o) == list(range(50)) for o in orders)
    np.testing.assert_array_equal(orders, random_orders(50, 3, 7))
    assert not np.array_equal(orders[0], orders[1])
    x = np.random.default_rng(2).random((40, 40, 3)).astype(np.float32)
    ours = blurred_baseline(x, 0.1)  # sigma = 4 px
    ref = np.stack([gaussian_filter(x[..., c].astype(np.float64), 4.0, mode="mirror") for c in range(3)], -1)
    assert np.abs(ours - ref).max() < 2e-3


def test_contrast_is_one_minus_spearman_of_ranks():
    rng = np.random.default_rng(4)
    a, b = rng.random((12, 12)), rng.random((12, 12))
    ra, rb = np.argsort(np.argsort(a.ravel())), np.argsort(np.argsort(b.ravel()))
    assert spearman(a, b) == pytest.approx(np.corrcoef(ra, rb)[0, 1], rel=1e-9)
    assert spearman(a, a) == pytest.approx(1.0) and np.isnan(spearman(a, np.zeros_like(a)))


def _ssim_by_hand(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.ndimage import uniform_filter

    def norm(m):
        return (m - m.min()) / np.ptp(m)

    a, b = norm(a.astype(np.float64)), norm(b.astype(np.float64))
    w, n = 7, 49
    cov = n / (n - 1)
    ma, mb = uniform_filter(a, w), uniform_filter(b, w)
    va = (uniform_filter(a * a, w) - ma * ma) * cov
    vb = (uniform_filter(b * b, w) - mb * mb) * cov
    vab = (uniform_filter(a * b, w) - ma * mb) * cov
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    s = ((2 * ma * mb + c1) * (2 * vab + c2)) / ((ma ** 2 + mb ** 2 + c1) * (va + vb + c2))
    return float(s[3:-3, 3:-3].mean())


def test_sanity_similarity_by_hand():
    from painxai_gui.study.sanity import similarity

    rng = np.random.default_rng(5)
    a = rng.normal(0, 1, (20, 20))
    b = a + rng.normal(0, 0.7, (20, 20))
    rho, ssim = similarity(a, b)
    ra, rb = np.argsort(np.argsort(np.abs(a).ravel())), np.argsort(np.argsort(np.abs(b).ravel()))
    assert rho == pytest.approx(np.corrcoef(ra, rb)[0, 1], rel=1e-9)
    assert ssim == pytest.approx(_ssim_by_hand(a, b), abs=1e-9)


def test_cascading_randomisation_layers():
    import keras
    from keras import layers

    from painxai_gui.study.sanity import randomised, stage_layers

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(2, 3, name="c1"), layers.Conv2D(2, 3, name="c2"),
                              layers.Flatten(), layers.Dense(4, name="d1"), layers.Dense(3, name="d2")])
    for layer in model.layers:  # non-zero biases, so "biases zero" is visible
        layer.set_weights([w + 0.5 for w in layer.get_weights()])
    assert stage_layers(model, 1) == ["d2"]
    assert stage_layers(model, 2) == ["c2", "d1", "d2"]
    assert stage_layers(model, 3) == ["c1", "c2", "d1", "d2"]
    before = [w.copy() for w in model.get_weights()]
    clone = randomised(model, 2, seed=1)
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)  # the original is untouched
    np.testing.assert_array_equal(clone.get_layer("c1").get_weights()[0], model.get_layer("c1").get_weights()[0])
    for name in ("c2", "d1", "d2"):
        kernel, bias = clone.get_layer(name).get_weights()
        assert not np.allclose(kernel, model.get_layer(name).get_weights()[0]) and not bias.any()
        limit = np.sqrt(6 / (np.prod(kernel.shape[:-1]) + kernel.shape[-1])) if kernel.ndim == 2 else None
        if limit is not None:  # Glorot-uniform bound for a Dense kernel
            assert np.abs(kernel).max() <= limit
    np.testing.assert_array_equal(randomised(model, 2, seed=1).get_weights()[2], clone.get_weights()[2])


def test_bootstrap_matches_a_loop_over_resamples():
    rng = np.random.default_rng(6)
    subjects = np.repeat(["a", "b", "c", "d", "e"], [3, 1, 4, 2, 2])
    values = rng.normal(0, 1, (len(subjects), 2))
    iv = stats.bootstrap(values, subjects, b=300, seed=9)
    names = np.unique(subjects)
    draws = np.random.default_rng(9).integers(0, len(names), size=(300, len(names)))
    means = np.array([np.concatenate([values[subjects == names[d]] for d in row]).mean(0) for row in draws])
    np.testing.assert_allclose(iv.mean, values.mean(0))
    np.testing.assert_allclose(iv.low, np.percentile(means, 2.5, axis=0))
    np.testing.assert_allclose(iv.high, np.percentile(means, 97.5, axis=0))
    assert iv.subjects == 5


def test_sign_flip_p_close_to_exact_enumeration():
    d = np.array([0.9, 0.4, 1.3, -0.2, 0.8, 0.5, 1.1, -0.1])
    observed = abs(d.mean())
    exact = np.mean([abs((np.array(s) * d).mean()) >= observed - 1e-12
                     for s in itertools.product((-1, 1), repeat=len(d))])
    assert stats.sign_flip_p(d, 10_000, seed=0) == pytest.approx(exact, abs=0.006)
    assert stats.sign_flip_p(np.zeros(5)) == 1.0


def test_paired_differences_and_holm_by_hand():
    values = np.array([1.0, 3.0, 2.0, 10.0, 4.0, 6.0])
    subjects = np.array(["s1", "s1", "s1", "s2", "s2", "s3"])
    in_a = np.array([True, True, False, True, False, True])
    diffs = stats.paired_differences(values, subjects, in_a, ~in_a)
    np.testing.assert_allclose(diffs[:, 0], [2.0 - 2.0, 10.0 - 4.0])  # s3 has no B image
    np.testing.assert_allclose(stats.holm(np.array([0.01, 0.04, 0.03, 0.005])), [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(stats.holm(np.array([0.5, np.nan, 0.01])), [0.5, np.nan, 0.02])


def test_warp_matches_scikit_image_piecewise_affine():
    from skimage.transform import PiecewiseAffineTransform, warp

    from painxai_gui.study.warp import Template, normalised, with_border

    m, crop = 24, 96
    template_lm, image_lm = face_landmarks(crop), face_landmarks(crop, (2.5, -1.5), 1.06)
    template = Template.from_landmarks(np.stack([template_lm, template_lm]), crop, size=m)
    np.testing.assert_allclose(template.points[:68], (template_lm + 0.5) / crop)
    heat = np.random.default_rng(8).random((m, m)).astype(np.float32)
    ours = template.warp(heat, normalised(image_lm, crop))
    tform = PiecewiseAffineTransform.from_estimate(with_border(normalised(template_lm, crop)) * m - 0.5,
                                                   with_border(normalised(image_lm, crop)) * m - 0.5)
    ref = warp(heat.astype(np.float64), tform, output_shape=(m, m), order=1, mode="edge")
    np.testing.assert_allclose(ours, ref, atol=1e-5)
    np.testing.assert_allclose(template.warp(heat, template.points[:68]), heat, atol=1e-5)  # identity


def test_spray_finds_planted_clusters_by_eigengap():
    from scipy.sparse.csgraph import laplacian

    from painxai_gui.study import spray

    rng = np.random.default_rng(0)
    blobs = []
    for y, x in ((8, 8), (40, 40), (8, 44)):
        blob = np.zeros((64, 64))
        blob[y:y + 12, x:x + 12] = 1.0
        blobs.append(blob)
    truth = np.arange(90) % 3
    maps = np.stack([blobs[t] + rng.random((64, 64)) * 0.2 for t in truth])
    x = spray.features(maps)
    np.testing.assert_allclose(np.abs(x).sum(1), 1.0)
    found = spray.cluster(x, seed=0)
    assert found.k == 3
    assert all(len(set(found.labels[truth == t])) == 1 for t in range(3))
    assert len(set(found.labels)) == 3
    a = spray.affinity(x).toarray()
    assert (a == a.T).all() and (a.sum(1) >= 10).all()
    d = a.sum(1)
    lap = np.eye(len(a)) - a / np.sqrt(np.outer(d, d))
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(lap))[:9], found.eigenvalues, atol=1e-8)
    assert laplacian(a, normed=True).shape == a.shape
    sub = spray.cluster(x, seed=0, max_points=45)  # subsample, the rest joins the nearest mean
    assert sub.sampled == 45 and all(len(set(sub.labels[truth == t])) == 1 for t in range(3))


def test_landmarks_found_on_a_real_crop():
    from skimage.data import astronaut

    from painxai_gui.face import FaceCropper
    from painxai_gui.study.inputs import detect_landmarks

    result = FaceCropper().crop(astronaut())
    blank = np.zeros_like(result.crop)
    found = detect_landmarks(np.stack([result.crop, blank]))
    assert np.abs(found[0] - result.landmarks).max() < 6.0  # the crop's own landmarks, found again on the crop
    assert np.isnan(found[1]).all()  # no face: NaN, not an error


def test_true_targets_use_the_apps_category_aliases():
    from painxai_gui.errors import StudyError
    from painxai_gui.study.shard import resolve_targets

    probs = np.array([[0.1, 0.9], [0.8, 0.2]])
    names = ("disgust", "happy")  # a model class "happy" for the dataset category "happiness"
    assert resolve_targets(probs, ["happiness", "disgust"], names, "true", "m").tolist() == [1, 0]
    assert resolve_targets(probs, ["happiness", "disgust"], names, "predicted", "m").tolist() == [1, 0]
    with pytest.raises(StudyError, match="pain"):
        resolve_targets(probs, ["pain", "disgust"], names, "true", "m")
