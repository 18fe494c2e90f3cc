"""Run one shard (in the local process or on a Dask worker) and write its results to the study folder.

Models are loaded once per process (:func:`model_for`, keyed by the file's
sha256), so a Dask worker that runs many shards of one fold loads that
fold's model once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from painxai_gui.errors import StudyError
from painxai_gui.study.plan import Shard
from painxai_gui.study.store import StudyStore

_MODELS: OrderedDict[str, Any] = OrderedDict()
_MODELS_LOCK = threading.Lock()
MAX_MODELS = 3
LOADS: list[str] = []  # sha256 of every model load in this process (tests, benchmarks)


def model_for(path: str, sha256: str) -> tuple[Any, Any]:
    """(LoadedModel, Predictor) of a model file, loaded once per process."""
    from painxai_gui.model import Predictor, load_model

    with _MODELS_LOCK:
        if sha256 in _MODELS:
            _MODELS.move_to_end(sha256)
            return _MODELS[sha256]
        loaded = load_model(path)
        if loaded.sha256 != sha256:
            raise StudyError("model file changed since the study was planned (sha256 differs)", path)
        _MODELS[sha256] = (loaded, Predictor(loaded))
        LOADS.append(sha256)
        while len(_MODELS) > MAX_MODELS:
            _MODELS.popitem(last=False)
        return _MODELS[sha256]


def resolve_targets(probs: np.ndarray, categories: list[str], class_names: tuple[str, ...], mode: str,
                    where: str) -> np.ndarray:
    """The class each image is explained for: the predicted one, or its category's class."""
    from painxai_gui.explain.face import class_index  # the app's category -> class rule (aliases too)

    if mode == "predicted":
        return np.argmax(probs, axis=1).astype(np.int64)
    classes = {c: class_index(c, class_names) for c in set(categories)}
    unknown = sorted(c for c, k in classes.items() if k is None)
    if unknown:
        raise StudyError(f"target 'true': categories {unknown} are not classes of the model {list(class_names)} "
                         "nor aliases of one", where)
    return np.asarray([classes[c] for c in categories], np.int64)


def runner_up(probs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The most probable class other than the target."""
    masked = np.array(probs, np.float64, copy=True)
    masked[np.arange(len(masked)), targets] = -np.inf
    return np.argmax(masked, axis=1).astype(np.int64)


def baselines(xs: np.ndarray, settings: dict[str, Any]) -> np.ndarray:
    from painxai_gui.explain.metrics import blurred_baseline, mean_colour_baseline

    if settings["baseline"] == "mean":
        return np.stack([mean_colour_baseline(x) for x in xs])
    return np.stack([blurred_baseline(x, settings["blur_fraction"]) for x in xs])


def _groups(shard: Shard):
    """Per model used by the shard: (positions in the shard, LoadedModel, Predictor)."""
    owner = np.asarray(shard.model_of)
    for m, (path, sha) in enumerate(shard.models):
        loaded, predictor = model_for(path, sha)
        yield np.flatnonzero(owner == m), loaded, predictor


def _prepare(shard: Shard, crops: np.ndarray, idx: np.ndarray, loaded: Any, predictor: Any):
    from painxai_gui.model import preprocess

    xs = preprocess(crops[idx], loaded.spec)
    probs = predictor.predict_preprocessed(xs)
    targets = resolve_targets(probs, [shard.categories[i] for i in idx], loaded.spec.class_names,
                              shard.settings["target"], str(loaded.path))
    return xs, probs, targets


def _aucs(model: Any, xs: np.ndarray, orders: np.ndarray, targets: np.ndarray, base: np.ndarray,
          settings: dict[str, Any], batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    from painxai_gui.explain.metrics import curve_aucs

    kw = dict(steps=settings["steps"], baselines=base, batch_size=batch_size)
    return (curve_aucs(model, xs, orders, targets, "deletion", **kw),
            curve_aucs(model, xs, orders, targets, "insertion", **kw))


def run_images_shard(shard: Shard, store: StudyStore, batch_size: int) -> dict[str, Any]:
    from painxai_gui.explain.metrics import random_orders
    from painxai_gui.study.inputs import detect_landmarks, read_crops

    crops = read_crops([Path(p) for p in shard.paths])
    landmarks = shard.landmarks if shard.landmarks is not None else detect_landmarks(crops)
    n, s = shard.size, shard.settings
    table: dict[str, Any] = {"image": np.asarray(shard.rows, np.int64), "model": [""] * n,
                             "crop_size": np.full(n, crops.shape[1], np.int64),
                             "has_landmarks": np.isfinite(landmarks).all(axis=(1, 2))}
    for key in ("target", "predicted", "runner_up"):
        table[key] = np.zeros(n, np.int64)
    table["rand_del_auc"], table["rand_ins_auc"] = np.zeros(n), np.zeros(n)
    for idx, loaded, predictor in _groups(shard):
        xs, probs, targets = _prepare(shard, crops, idx, loaded, predictor)
        for k, name in enumerate(loaded.spec.class_names):
            table.setdefault(f"p_{name}", np.full(n, np.nan))[idx] = probs[:, k]
        orders = random_orders(xs.shape[1] * xs.shape[2], s["random_draws"], s["seed"])
        base = baselines(xs, s)
        for order in orders:
            d, i = _aucs(loaded.model, xs, np.repeat(order[None], len(xs), 0), targets, base, s, batch_size)
            table["rand_del_auc"][idx] += d / len(orders)
            table["rand_ins_auc"][idx] += i / len(orders)
        table["target"][idx], table["predicted"][idx] = targets, np.argmax(probs, axis=1)
        table["runner_up"][idx] = runner_up(probs, targets)
        for i in idx:
            table["model"][i] = loaded.sha256
    _, lm_array = store.arrays()
    lm_array[shard.rows[0]:shard.rows[-1] + 1] = landmarks.astype(np.float32)
    store.finish_shard("images", shard.key, table, {"images": n})
    return {"kind": "images", "images": n}


def run_method_shard(shard: Shard, store: StudyStore, batch_size: int) -> dict[str, Any]:
    import cv2

    from painxai_gui.explain.metrics import pixel_order
    from painxai_gui.study.explain_step import explain_faces
    from painxai_gui.study.inputs import read_crops

    crops = read_crops([Path(p) for p in shard.paths])
    heat_array, lm_array = store.arrays()
    start, stop = shard.rows[0], shard.rows[-1] + 1
    landmarks = shard.landmarks if shard.landmarks is not None else np.asarray(lm_array[start:stop])
    n, s, size = shard.size, shard.settings, shard.settings["heatmap_size"]
    table: dict[str, Any] = {"image": np.asarray(shard.rows, np.int64), "method": [shard.method] * n,
                             "target": np.zeros(n, np.int64), "del_auc": np.zeros(n), "ins_auc": np.zeros(n),
                             "contrast": np.full(n, np.nan)}
    stored = np.zeros((n, size, size), np.float16)
    for idx, loaded, predictor in _groups(shard):
        xs, probs, targets = _prepare(shard, crops, idx, loaded, predictor)
        second = runner_up(probs, targets) if s["contrast"] else None
        fe = explain_faces(loaded, crops[idx], xs, landmarks[idx], shard.method, targets, second, shard.options)
        for key, values in fe.regions.items():
            table.setdefault(key, np.full(n, np.nan))[idx] = values
        if fe.contrast is not None:
            table["contrast"][idx] = fe.contrast
        table["target"][idx] = fe.targets
        orders = np.stack([pixel_order(h) for h in fe.heatmaps])
        table["del_auc"][idx], table["ins_auc"][idx] = _aucs(loaded.model, xs, orders, fe.targets,
                                                             baselines(xs, s), s, batch_size)
        for j, i in enumerate(idx):
            stored[i] = cv2.resize(fe.heatmaps[j], (size, size), interpolation=cv2.INTER_AREA).astype(np.float16)
    heat_array[start:stop, shard.method_index] = stored
    store.finish_shard("method", shard.key, table, {"images": n, "method": shard.method})
    return {"kind": "method", "images": n, "method": shard.method}


def run_sanity_shard(shard: Shard, store: StudyStore, batch_size: int) -> dict[str, Any]:
    from painxai_gui.explain import explain_batch
    from painxai_gui.study.inputs import read_crops
    from painxai_gui.study.sanity import cascade, similarity, stage_layers

    crops = read_crops([Path(p) for p in shard.paths])
    (idx, loaded, predictor), = list(_groups(shard))
    xs, _, targets = _prepare(shard, crops, idx, loaded, predictor)
    original = [e.heatmap for e in explain_batch(loaded.model, xs, shard.method, targets, **shard.options)]
    cols: dict[str, list] = {k: [] for k in ("image", "method", "model", "stage", "layers", "spearman_abs", "ssim")}
    for stage, clone in cascade(loaded.model, shard.settings["seed"]):
        changed = explain_batch(clone, xs, shard.method, targets, **shard.options)
        for i, e in enumerate(changed):
            rho, ssim = similarity(original[i], e.heatmap)
            for key, value in zip(cols, (shard.rows[i], shard.method, loaded.sha256, stage,
                                         len(stage_layers(loaded.model, stage)), rho, ssim)):
                cols[key].append(value)
        del clone
    store.finish_shard("sanity", shard.key, cols, {"images": shard.size, "method": shard.method})
    return {"kind": "sanity", "images": shard.size, "method": shard.method}


RUNNERS = {"images": run_images_shard, "method": run_method_shard, "sanity": run_sanity_shard}


def run_shard(shard: Shard, batch_size: int = 32, _after: Any = None) -> dict[str, Any]:
    """Run one shard unless its ledger entry exists; returns a summary with the seconds it took.

    ``_after`` is ignored: the Dask engine passes the block's images-shard
    result there so the method shard waits for its landmarks.
    """
    store = StudyStore(shard.out)
    if store.is_done(shard.kind, shard.key):
        return {"kind": shard.kind, "images": shard.size, "skipped": True, "seconds": 0.0}
    start = time.perf_counter()
    summary = RUNNERS[shard.kind](shard, store, batch_size)
    summary["seconds"] = time.perf_counter() - start
    return summary
