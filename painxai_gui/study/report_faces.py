"""Average relevance faces and SpRAy clusters from ``heatmaps.zarr`` (``docs/study.md``).

Every stored map of an image with landmarks is warped onto the mean-landmark
template (:mod:`painxai_gui.study.warp`; one sampling grid per image, shared
by its methods), divided by its sum of |h| (so each image weighs the same),
averaged per (grouping, class, method), and clustered per (true class,
method) with :mod:`painxai_gui.study.spray`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from painxai_gui.study import spray
from painxai_gui.study.report_tables import GROUPINGS, class_labels, methods_of
from painxai_gui.study.warp import Template, normalised

OFF_FACE = 0.5
CHUNK = 2048


@dataclass
class FaceResults:
    template: Template | None
    averages: dict[tuple[str, str, str], np.ndarray] = field(default_factory=dict)  # (grouping, class, method)
    counts: dict[tuple[str, str, str], int] = field(default_factory=dict)
    clusters: list[dict[str, Any]] = field(default_factory=list)
    cluster_maps: dict[tuple[str, str, int], np.ndarray] = field(default_factory=dict)  # (class, method, c)
    members: dict[tuple[str, str, int], np.ndarray] = field(default_factory=dict)  # (class, method, c) -> image ids
    notes: list[str] = field(default_factory=list)


def mean_rows(maps: np.ndarray, rows: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """Mean of ``maps[rows]`` (float16 storage) in float64, converted chunk by chunk (fast and small)."""
    total = np.zeros(maps.shape[1:], np.float64)
    for start in range(0, len(rows), chunk):
        total += maps[rows[start:start + chunk]].astype(np.float32).sum(axis=0, dtype=np.float64)
    return total / max(1, len(rows))


def _per_image(rows: dict[str, np.ndarray], key: str, images: np.ndarray) -> np.ndarray:
    """One value per image (the first row of each) for an image-level column."""
    first = {}
    for j, i in enumerate(np.asarray(rows["image"])):
        first.setdefault(int(i), j)
    return np.asarray(rows[key])[[first[int(i)] for i in images]]


def _warp_all(study: Path, images: np.ndarray, methods: list[str], template: Template, landmarks: np.ndarray,
              crop_sizes: np.ndarray, progress: Callable[[int, int], None] | None) -> tuple[np.ndarray, np.ndarray]:
    """(M x N x s x s float16 warped maps normalised to unit sum |h|, N x M valid flags)."""
    import zarr

    heat = zarr.open_group(str(study / "heatmaps.zarr"), mode="r")["heatmaps"]
    stored = list(heat.attrs.get("methods", [])) or list(zarr.open_group(str(study / "heatmaps.zarr"),
                                                                         mode="r").attrs["methods"])
    columns = [stored.index(m) for m in methods]
    s = template.size
    out = np.zeros((len(methods), len(images), s, s), np.float16)
    valid = np.zeros((len(images), len(methods)), bool)
    has_lm = np.isfinite(landmarks).all(axis=(1, 2))
    for start in range(0, len(images), CHUNK):
        idx = images[start:start + CHUNK]
        contiguous = len(idx) and idx[-1] - idx[0] == len(idx) - 1
        block = np.asarray(heat[idx[0]:idx[-1] + 1] if contiguous else heat.get_orthogonal_selection((idx,)),
                           np.float32)[:, columns]
        here = slice(start, start + len(idx))
        points = np.nan_to_num(normalised(landmarks[here], crop_sizes[here, None, None]))
        grids = template.grids(points, block.shape[-1])
        for j in range(len(idx)):
            n = start + j
            if not has_lm[n]:
                continue
            maps = np.nan_to_num(block[j], nan=0.0)
            warped = template.warp(maps, points[j], grids[j])
            sums = np.abs(warped).sum(axis=(1, 2))
            ok = np.isfinite(block[j]).all(axis=(1, 2)) & (sums > 0)
            out[:, n] = np.where(ok[:, None, None], warped / np.where(sums > 0, sums, 1.0)[:, None, None], 0.0)
            valid[n] = ok
        if progress is not None:
            progress(min(start + CHUNK, len(images)), len(images))
    return out, valid


def face_results(study: Path, rows: dict[str, np.ndarray], size: int = 64, seed: int = 0, spray_max: int = 2000,
                 progress: Callable[[int, int], None] | None = None) -> FaceResults:
    import zarr

    images = np.unique(np.asarray(rows["image"], np.int64))
    landmarks = np.asarray(zarr.open_group(str(study / "heatmaps.zarr"), mode="r")["landmarks"]
                           .get_orthogonal_selection((images,)), np.float64)
    crop_sizes = _per_image(rows, "crop_size", images).astype(np.float64)
    has_lm = np.isfinite(landmarks).all(axis=(1, 2))
    if not has_lm.any():
        return FaceResults(None, notes=["no image has landmarks: no average faces, no clusters"])
    template = Template.from_landmarks(landmarks[has_lm], crop_sizes[has_lm], size)
    methods = methods_of(rows)
    warped, valid = _warp_all(study, images, methods, template, landmarks, crop_sizes, progress)
    result = FaceResults(template)
    if (~has_lm).any():
        result.notes.append(f"{int((~has_lm).sum())} image(s) without landmarks are left out of faces and clusters")
    position = {int(i): n for n, i in enumerate(images)}
    image_rows = np.asarray([position[int(i)] for i in rows["image"]])
    for grouping in GROUPINGS:
        labels = _per_image(dict(rows, label=class_labels(rows, grouping)), "label", images)
        for cls in dict.fromkeys(labels):
            for m, method in enumerate(methods):
                members = np.flatnonzero((labels == cls) & valid[:, m])
                if len(members):
                    result.averages[(grouping, str(cls), method)] = mean_rows(warped[m], members)
                result.counts[(grouping, str(cls), method)] = int(len(members))
                if grouping == "true" and len(members):
                    _cluster(result, rows, warped[m], members, images, image_rows, str(cls), method, seed,
                             spray_max)
    return result


def _cluster(result: FaceResults, rows: dict[str, np.ndarray], warped: np.ndarray, members: np.ndarray,
             images: np.ndarray, image_rows: np.ndarray, cls: str, method: str, seed: int, spray_max: int) -> None:
    x = spray.features(warped[members])
    found = spray.cluster(x, seed, spray_max)
    if found.sampled < len(members):
        result.notes.append(f"{cls} / {method}: clustered a seeded sample of {found.sampled} of {len(members)} "
                            "maps; the rest joined the nearest cluster mean")
    methods = np.asarray(rows["method"]).astype(str)
    mine = np.flatnonzero(methods == method)
    other = dict(zip(np.asarray(rows["image"])[mine].tolist(), np.asarray(rows["share_other"], np.float64)[mine]))
    paths = dict(zip(np.asarray(rows["image"])[mine].tolist(), np.asarray(rows["path"])[mine].tolist()))
    for c in range(found.k):
        inside = np.flatnonzero(found.labels == c)
        if not len(inside):
            continue
        ids = images[members[inside]]
        share = float(np.nanmean([other.get(int(i), np.nan) for i in ids]))
        examples = images[members[spray.nearest_to_centre(x, inside)]]
        result.cluster_maps[(cls, method, c)] = mean_rows(warped, members[inside])
        result.members[(cls, method, c)] = np.sort(ids)
        result.clusters.append({"class": cls, "method": method, "cluster": c, "k": found.k, "size": int(len(inside)),
                                "share_other": share, "off_face": bool(share > OFF_FACE),
                                "examples": ";".join(paths[int(i)] for i in examples)})
