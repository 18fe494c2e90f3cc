"""A study whose answer is known: face crops with landmarks, and models that read one region per class.

* :func:`make_known_truth` writes ``crops/*.png`` and ``manifest.csv`` (with a
  ``landmarks`` column): per subject a slightly shifted and scaled copy of
  :data:`FACE` (68 landmarks of a real dlib face, normalised to the crop), a
  noisy grey crop, and for an image of class c its region ``regions[c]``
  brightened.
* :func:`make_region_model` is a Keras model whose logit for class k is
  ``gain`` x the mean input over region ``regions[k]`` of the mean face (one
  Dense layer on the flattened grey input), saved with its sidecar.
* :func:`make_run_folder` lays such models out like a ``painxai train`` run
  (``fold_k/model.keras`` + ``model.json`` listing the fold's test subjects).

Tests, the benchmark and demos use them; nothing here is used by a real study.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Sequence

import numpy as np

from painxai_gui.model.spec import THESIS_CLASSES, ModelSpec, sidecar_path, write_sidecar

#: 68 landmarks (x, y) of a real face (dlib on scikit-image's astronaut), as fractions of the crop side
FACE = np.array([
    0.168, 0.304, 0.168, 0.382, 0.182, 0.468, 0.189, 0.546, 0.211, 0.632, 0.254, 0.704, 0.318, 0.761, 0.382,
    0.811, 0.461, 0.832, 0.546, 0.818, 0.625, 0.775, 0.696, 0.718, 0.746, 0.654, 0.782, 0.575, 0.804, 0.489,
    0.818, 0.411, 0.832, 0.325, 0.218, 0.218, 0.261, 0.182, 0.318, 0.175, 0.375, 0.189, 0.432, 0.211, 0.575,
    0.225, 0.632, 0.204, 0.689, 0.204, 0.746, 0.211, 0.782, 0.254, 0.504, 0.282, 0.496, 0.346, 0.496, 0.404,
    0.496, 0.461, 0.418, 0.489, 0.454, 0.504, 0.489, 0.511, 0.525, 0.504, 0.561, 0.496, 0.282, 0.275, 0.318,
    0.254, 0.368, 0.254, 0.404, 0.296, 0.361, 0.296, 0.318, 0.289, 0.589, 0.304, 0.625, 0.275, 0.675, 0.275,
    0.711, 0.296, 0.675, 0.311, 0.625, 0.311, 0.325, 0.554, 0.382, 0.546, 0.446, 0.546, 0.489, 0.561, 0.525,
    0.546, 0.582, 0.554, 0.639, 0.561, 0.582, 0.632, 0.525, 0.661, 0.482, 0.668, 0.432, 0.661, 0.375, 0.625,
    0.346, 0.561, 0.439, 0.575, 0.482, 0.582, 0.525, 0.575, 0.618, 0.568, 0.525, 0.625, 0.482, 0.632, 0.439,
    0.625]).reshape(68, 2)

#: which region each class's model reads (the thesis's impressions, made true)
REGIONS = {"pain": "eyes", "disgust": "nose", "happiness": "mouth"}


def face_landmarks(size: int, shift: Sequence[float] = (0.0, 0.0), scale: float = 1.0) -> np.ndarray:
    """:data:`FACE` in pixels of a ``size`` crop, scaled about the centre and shifted (pixels)."""
    points = (FACE - 0.5) * scale + 0.5
    return (points * size - 0.5 + np.asarray(shift, np.float64)).astype(np.float32)


def region_mask(landmarks: np.ndarray, size: int, region: str) -> np.ndarray:
    from painxai_gui.face.regions import region_masks

    return region_masks(landmarks, size=size)[region]


def _write_png(path: Path, image: np.ndarray) -> None:
    import cv2

    path.parent.mkdir(parents=True, exist_ok=True)
    ok, data = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    path.write_bytes(data.tobytes())


def make_known_truth(out: str | Path, subjects: int = 6, frames: int = 4, size: int = 96, folds: int = 2,
                     classes: Sequence[str] = THESIS_CLASSES, regions: dict[str, str] | None = None,
                     seed: int = 0) -> Path:
    """Write the crops and ``manifest.csv``; subject ``i`` is in fold ``i % folds + 1``."""
    out, regions = Path(out), regions or REGIONS
    rng = np.random.default_rng(seed)
    lines = []
    for s in range(subjects):
        subject = f"S{s:03d}"
        lm = face_landmarks(size, rng.uniform(-1.5, 1.5, 2), rng.uniform(0.97, 1.03))
        masks = {c: region_mask(lm, size, regions[c]) for c in classes}
        for c in classes:
            for f in range(frames):
                grey = rng.normal(90.0, 12.0, (size, size))
                for other in classes:
                    grey[masks[other]] += rng.uniform(0, 30)
                grey[masks[c]] += 90.0
                image = np.repeat(np.clip(np.rint(grey), 0, 255).astype(np.uint8)[..., None], 3, axis=2)
                rel = f"crops/{subject}/{c}_{f:02d}.png"
                _write_png(out / rel, image)
                lines.append([rel, subject, c, f"{subject}-{c}", f, "", s % folds + 1,
                              " ".join(f"{v:.3f}" for v in lm.ravel())])
    path = out / "manifest.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["path", "subject", "category", "source_video", "frame", "slot", "fold", "landmarks"])
        writer.writerows(lines)
    return path


def make_region_model(path: str | Path, crop_size: int = 96, input_size: int = 48,
                      classes: Sequence[str] = THESIS_CLASSES, regions: dict[str, str] | None = None,
                      gain: float = 12.0, extra: dict | None = None) -> Path:
    """Save the one-region-per-class model (``.keras``) with its sidecar; returns the model path."""
    import keras
    from keras import layers

    regions = regions or REGIONS
    lm = face_landmarks(input_size)
    kernel = np.zeros((input_size * input_size, len(classes)), np.float32)
    for k, c in enumerate(classes):
        mask = region_mask(lm, input_size, regions[c]).ravel()
        kernel[mask, k] = gain / mask.sum()
    model = keras.Sequential([keras.Input((input_size, input_size, 1)), layers.Flatten(name="flatten"),
                              layers.Dense(len(classes), activation="softmax", name="logits")])
    model.get_layer("logits").set_weights([kernel, np.zeros(len(classes), np.float32)])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    spec = ModelSpec(class_names=tuple(classes), input_size=(input_size, input_size), color_mode="grayscale",
                     scale=1.0 / 255.0, offset=0.0, mean=(0.0,), extra=dict(extra or {}))
    write_sidecar(spec, sidecar_path(path))
    return path


def make_run_folder(run: str | Path, manifest: str | Path, **model_kw) -> Path:
    """A ``painxai train``-like run folder: one region model per fold of the manifest."""
    run = Path(run)
    with open(manifest, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    folds = sorted({int(r["fold"]) for r in rows})
    for k in folds:
        tests = sorted({r["subject"] for r in rows if int(r["fold"]) == k})
        make_region_model(run / f"fold_{k}" / "model.keras", extra={"fold": k, "test_subjects": tests}, **model_kw)
    return run


def make_synthetic_study(out: str | Path, images: int = 72_000, methods: Sequence[str] = ("gradcam", "lrp.epsilon",
                         "guided_gradcam", "lime"), subjects: int = 87, size: int = 64, crop: int = 256,
                         chunk: int = 1000, seed: int = 0) -> Path:
    """A study folder as ``painxai study run`` writes it, with generated numbers (report benchmark).

    Each class's maps are a blob on its region of :data:`REGIONS` plus noise,
    so the report has real structure to find; rows carry every column the
    report reads.
    """
    import zarr

    from painxai_gui.study.explain_step import region_columns
    from painxai_gui.study.store import RECORD_KIND, write_json, write_table

    out, rng = Path(out), np.random.default_rng(seed)
    classes = list(THESIS_CLASSES)
    n, m = images, len(methods)
    cls = np.arange(n) % 3
    subj = np.sort(rng.integers(0, subjects, n))
    lm = np.stack([face_landmarks(crop, rng.uniform(-4, 4, 2), rng.uniform(0.95, 1.05)) for _ in range(64)])
    which = rng.integers(0, 64, n)
    group = zarr.open_group(str(out / "heatmaps.zarr"), mode="w")
    heat = group.create_array("heatmaps", shape=(n, m, size, size), dtype="float16", chunks=(chunk, 1, size, size))
    marks = group.create_array("landmarks", shape=(n, 68, 2), dtype="float32", chunks=(chunk, 68, 2))
    group.attrs.update({"methods": list(methods), "heatmap_size": size})
    blobs = np.stack([region_mask(face_landmarks(size), size, REGIONS[c]).astype(np.float32) for c in classes])
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        for j in range(m):
            noise = rng.random((stop - start, size, size), np.float32) * 0.3
            heat[start:stop, j] = (blobs[cls[start:stop]] + noise).astype(np.float16)
        marks[start:stop] = lm[which[start:stop]]
    regions = region_columns()
    rows: dict[str, object] = {"image": np.repeat(np.arange(n), m), "method": [x for _ in range(n) for x in methods],
                               "method_index": np.tile(np.arange(m), n), "path": [f"img{i:06d}.png" for i in range(n)
                                                                                   for _ in range(m)],
                               "subject": [f"S{s:03d}" for s in np.repeat(subj, m)],
                               "category": [classes[c] for c in np.repeat(cls, m)],
                               "crop_size": np.full(n * m, crop), "predicted": np.repeat(cls, m)}
    probs = rng.dirichlet(np.ones(3), n * m)
    rows.update({f"p_{c}": probs[:, k] for k, c in enumerate(classes)})
    for key in ("del_auc", "ins_auc", "rand_del_auc", "rand_ins_auc", "contrast"):
        rows[key] = rng.random(n * m)
    true_region = np.asarray([regions.index(REGIONS[classes[c]]) for c in np.repeat(cls, m)])
    for measure in ("share", "density", "signed"):
        values = rng.random((n * m, len(regions)))
        values[np.arange(n * m), true_region] += 2.0
        values /= values.sum(1, keepdims=True)
        rows.update({f"{measure}_{r}": values[:, k] for k, r in enumerate(regions)})
    write_table(out / "rows.parquet", rows)
    k = 50 * 3
    write_table(out / "sanity.parquet", {"image": np.arange(k * m) % 50, "method": [x for x in methods for _ in range(k)],
                                         "model": ["synthetic"] * (k * m), "stage": np.tile(np.repeat([1, 2, 3], 50), m),
                                         "spearman_abs": rng.random(k * m), "ssim": rng.random(k * m)})
    write_json(out / "record.json", RECORD_KIND, {"models": [{"sha256": "0" * 64, "fold": None}],
                                     "settings": {"target": "predicted"}, "synthetic": True})
    return out
