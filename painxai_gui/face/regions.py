"""Facial regions from the 68 landmarks (iBUG 300-W numbering, 0-based), in crop pixels.

Regions: ``brows``, ``eyes``, ``nose``, ``mouth``, ``cheeks``, ``forehead``,
``jaw`` (left and right merged), or with ``split_sides=True`` the paired ones
split into ``*_right`` / ``*_left`` — the **subject's** right, which is the
image's left in an unmirrored face (iBUG: points 17-21 and 36-41).

Shapes, scaled by the inter-ocular distance ``d`` so every face gets the same
regions: brows are bands around the brow points (0.18 d thick); eyes are the
eye outlines grown 1.6x (lids included); the nose is the hull of points
27-35 widened by 0.12 d along the bridge; the mouth is the lip outline grown
1.2x; each cheek runs from the eye's lower lid to the nose wing, mouth corner
and jaw line; the forehead is a band above the brows, 0.5x the brow-to-chin
distance high (clipped to the crop); the jaw is the chin area below the mouth
down to the jaw line (points 4-12).

Regions are **disjoint**: painted in the order forehead, jaw, cheeks, nose,
mouth, brows, eyes (later wins), and each mask is ``labels == k``.
:func:`region_labels` gives the label map (0 = background/other) used as LIME
segments; label ``k`` is ``region_names(split_sides)[k - 1]``.
"""

from __future__ import annotations

import cv2
import numpy as np

_MERGED = ("brows", "eyes", "nose", "mouth", "cheeks", "forehead", "jaw")
_SPLIT = ("brow_right", "brow_left", "eye_right", "eye_left", "nose", "mouth", "cheek_right", "cheek_left", "forehead", "jaw")
_PAINT_ORDER = ("forehead", "jaw", "cheek", "nose", "mouth", "brow", "eye")
_CHEEK_RIGHT = [36, 41, 40, 39, 31, 48, 4, 3, 2, 1]
_CHEEK_LEFT = [45, 46, 47, 42, 35, 54, 12, 13, 14, 15]
_JAW = [4, 5, 6, 7, 8, 9, 10, 11, 12, 54, 55, 56, 57, 58, 59, 48]


def region_names(split_sides: bool = False) -> tuple[str, ...]:
    """Region names in label order (label k is names[k - 1])."""
    return _SPLIT if split_sides else _MERGED


def _scaled(points: np.ndarray, factor: float) -> np.ndarray:
    centre = points.mean(axis=0)
    return centre + (points - centre) * factor


def _band(points: np.ndarray, up: np.ndarray, above: float, below: float) -> np.ndarray:
    """A polygon following ``points``, from ``above`` over them to ``below`` under them."""
    return np.vstack([points + up * above, (points - up * below)[::-1]])


def _polygons(lm: np.ndarray) -> dict[str, list[np.ndarray]]:
    """Polygons per region part (``brow_right`` etc.; merged names are prefixes)."""
    eye_r, eye_l = lm[36:42].mean(axis=0), lm[42:48].mean(axis=0)
    d = float(np.linalg.norm(eye_l - eye_r)) or 1.0
    brow_mid = lm[17:27].mean(axis=0)
    up_vec = brow_mid - lm[8]
    height = float(np.linalg.norm(up_vec)) or 1.0
    up = up_vec / height
    across = (eye_l - eye_r) / d
    bridge = np.vstack([lm[27:36], lm[[27, 29]] + across * 0.12 * d, lm[[27, 29]] - across * 0.12 * d])
    brow_pts = lm[17:27]
    return {
        "forehead": [_band(brow_pts, up, 0.5 * height, -0.09 * d)],
        "jaw": [lm[_JAW]],
        "cheek_right": [lm[_CHEEK_RIGHT]],
        "cheek_left": [lm[_CHEEK_LEFT]],
        "nose": [cv2.convexHull(bridge.astype(np.float32))[:, 0]],
        "mouth": [_scaled(lm[48:60], 1.2)],
        "brow_right": [_band(lm[17:22], up, 0.09 * d, 0.09 * d)],
        "brow_left": [_band(lm[22:27], up, 0.09 * d, 0.09 * d)],
        "eye_right": [_scaled(lm[36:42], 1.6)],
        "eye_left": [_scaled(lm[42:48], 1.6)],
    }


def region_labels(landmarks: np.ndarray, size: int = 256, split_sides: bool = False) -> np.ndarray:
    """An int32 ``(size, size)`` map: 0 = other, k = ``region_names(split_sides)[k - 1]``."""
    lm = np.asarray(landmarks, np.float64).reshape(68, 2)
    names = region_names(split_sides)
    labels = np.zeros((size, size), np.int32)
    polygons = _polygons(lm)
    for family in _PAINT_ORDER:
        for part, shapes in polygons.items():
            if not part.startswith(family):
                continue
            name = part if split_sides else _merged_name(part)
            value = names.index(name) + 1
            for shape in shapes:
                cv2.fillPoly(labels, [np.round(shape * 16).astype(np.int32)], value, lineType=cv2.LINE_8, shift=4)
    return labels


def _merged_name(part: str) -> str:
    for name in _MERGED:
        if part == name or part.startswith(name.rstrip("s")):
            return name
    raise KeyError(part)


def region_masks(landmarks: np.ndarray, size: int = 256, split_sides: bool = False) -> dict[str, np.ndarray]:
    """Boolean ``(size, size)`` masks by region name (disjoint; see the module docstring)."""
    labels = region_labels(landmarks, size, split_sides)
    return {name: labels == k + 1 for k, name in enumerate(region_names(split_sides))}
