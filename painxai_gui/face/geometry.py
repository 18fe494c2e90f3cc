"""Crop geometry (thesis Fig. 4.2): landmark box -> margin -> square -> padded -> resized.

Boxes are integer ``(x0, y0, x1, y1)`` in source pixels, ``x1``/``y1``
exclusive, and may extend beyond the image; the part outside is padded with
constant black (0, 0, 0) so the crop keeps the face centred and undistorted.
Points are ``(x, y)`` pixel-centre coordinates.
"""

from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]


def square_box(points: np.ndarray, margin: float) -> Box:
    """The square around ``points``: their bounding box grown by ``margin`` x its longer side on each side."""
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    side = max(1, int(round(max(x1 - x0, y1 - y0) * (1.0 + 2.0 * margin))))
    left = int(round((x0 + x1) / 2.0 - side / 2.0))
    top = int(round((y0 + y1) / 2.0 - side / 2.0))
    return (left, top, left + side, top + side)


def crop_square(image: np.ndarray, box: Box, size: int) -> np.ndarray:
    """``image[box]`` padded with black where the box leaves the image, resized to ``size`` x ``size``."""
    x0, y0, x1, y1 = box
    height, width = image.shape[:2]
    sx0, sy0, sx1, sy1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if sx1 <= sx0 or sy1 <= sy0:
        return np.zeros((size, size, 3), np.uint8)
    region = image[sy0:sy1, sx0:sx1]
    pad = (sy0 - y0, y1 - sy1, sx0 - x0, x1 - sx1)
    if any(pad):
        region = cv2.copyMakeBorder(region, *pad, cv2.BORDER_CONSTANT, value=(0, 0, 0))
    interpolation = cv2.INTER_AREA if (x1 - x0) > size else cv2.INTER_LINEAR
    return cv2.resize(region, (size, size), interpolation=interpolation)


def to_crop(points: np.ndarray, box: Box, size: int) -> np.ndarray:
    """Source points in crop coordinates (the same mapping ``cv2.resize`` applies to pixel centres)."""
    scale = size / float(box[2] - box[0])
    origin = np.array(box[:2], np.float64)
    return ((points - origin + 0.5) * scale - 0.5).astype(np.float32)


def box_centre(box: Box) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0)


def box_area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])
