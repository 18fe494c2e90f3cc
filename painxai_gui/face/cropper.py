"""Face crops from dlib's HOG detector and 68-landmark predictor (thesis §4.1, Fig. 4.2).

Detection runs on a grey copy downscaled to ``detect_width`` pixels (dlib's
HOG window is 80x80, so faces must be at least that big *after* scaling);
its boxes are mapped back to the source and the 68 landmarks are predicted
on the full-resolution grey image. With ``previous_box`` (tracking through a
video) the detector first searches a window around the previous face and
falls back to the whole frame; among several faces it takes the one nearest
the previous box, otherwise the largest.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from painxai_gui.errors import FaceError
from painxai_gui.face import models
from painxai_gui.face.geometry import Box, box_area, box_centre, crop_square, square_box, to_crop

NO_FACE = "no face found"


@dataclass(frozen=True)
class FaceResult:
    """One frame through the face pipeline.

    ``crop``: ``size x size x 3`` uint8 RGB; ``landmarks``: 68x2 float32 in
    crop pixels; ``box``: the square crop region ``(x0, y0, x1, y1)`` in source
    pixels (may extend beyond the image, padded black); ``source_landmarks``:
    68x2 float32 in source pixels. When ``ok`` is False all of these are None
    and ``reason`` says why.
    """

    ok: bool
    crop: np.ndarray | None = None
    landmarks: np.ndarray | None = None
    box: Box | None = None
    source_landmarks: np.ndarray | None = None
    reason: str = ""

    @classmethod
    def missing(cls, reason: str = NO_FACE) -> "FaceResult":
        return cls(ok=False, reason=reason)


def _check_image(image: np.ndarray) -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        shape = getattr(image, "shape", None)
        dtype = getattr(image, "dtype", type(image).__name__)
        raise FaceError(f"the face pipeline needs an RGB uint8 image (H, W, 3), got shape {shape} dtype {dtype}")
    return image


class FaceCropper:
    """Detect the face, predict 68 landmarks, cut a square crop of ``size`` pixels.

    ``margin`` is the fraction of the landmark box's longer side added on each
    side; ``detect_width`` the width the detector sees (0 = full resolution);
    ``upsample`` is dlib's upsampling count (0 = none, fastest).
    ``detector_calls`` counts calls into the dlib detector (tests use it).
    """

    def __init__(
        self,
        margin: float = 0.25,
        size: int = 256,
        detect_width: int = 480,
        predictor_path: str | Path | None = None,
        upsample: int = 0,
    ):
        self.margin = float(margin)
        self.size = int(size)
        self.detect_width = int(detect_width)
        self.upsample = int(upsample)
        self.predictor_path = Path(predictor_path) if predictor_path is not None else models.default_predictor_path()
        if not self.predictor_path.is_file():
            raise FaceError("68-landmark model file not found", self.predictor_path)
        self.detector_calls = 0
        self.predictor_calls = 0
        self._count_lock = threading.Lock()

    @property
    def signature(self) -> str:
        """The settings that change which landmarks come out (for landmark cache keys)."""
        return f"hog-up{self.upsample}-w{self.detect_width}-{self.predictor_path.name}"

    def crop(self, image_rgb: np.ndarray, previous_box: Box | None = None) -> FaceResult:
        """The face crop of ``image_rgb``; ``ok=False`` with a reason when no face is found."""
        gray = cv2.cvtColor(_check_image(image_rgb), cv2.COLOR_RGB2GRAY)
        boxes = self.detect_gray(gray, previous_box)
        if not boxes:
            return FaceResult.missing()
        chosen = _choose(boxes, previous_box)
        return self.cut(image_rgb, self.landmarks_gray(gray, chosen))

    def cut(self, image_rgb: np.ndarray, source_landmarks: np.ndarray) -> FaceResult:
        """The crop from known landmarks (no detection): box, padded crop, crop landmarks."""
        points = np.asarray(source_landmarks, np.float32).reshape(68, 2)
        box = square_box(points, self.margin)
        crop = crop_square(_check_image(image_rgb), box, self.size)
        return FaceResult(True, crop, to_crop(points, box, self.size), box, points, "")

    def cut_box(self, source_landmarks: np.ndarray) -> Box:
        """The square crop box that :meth:`cut` would use for these landmarks."""
        return square_box(np.asarray(source_landmarks, np.float32).reshape(68, 2), self.margin)

    def detect(self, image_rgb: np.ndarray, previous_box: Box | None = None) -> list[Box]:
        """Face boxes in source pixels (detector boxes, not crop boxes)."""
        return self.detect_gray(cv2.cvtColor(_check_image(image_rgb), cv2.COLOR_RGB2GRAY), previous_box)

    def detect_gray(self, gray: np.ndarray, previous_box: Box | None = None) -> list[Box]:
        height, width = gray.shape
        if previous_box is not None:
            window = _search_window(previous_box, width, height)
            if window is not None:
                x0, y0, x1, y1 = window
                boxes = self._detect_at_scale(gray[y0:y1, x0:x1], self._scale(width))
                if boxes:
                    return [(a + x0, b + y0, c + x0, d + y0) for a, b, c, d in boxes]
        return self._detect_at_scale(gray, self._scale(width))

    def landmarks_gray(self, gray: np.ndarray, box: Box) -> np.ndarray:
        """68x2 float32 landmarks inside detector ``box`` on the full-resolution grey image."""
        import dlib

        predictor = models.predictor(self.predictor_path)
        rect = dlib.rectangle(*(int(v) for v in box))
        with models.DLIB_LOCK:
            shape = predictor(gray, rect)
        with self._count_lock:
            self.predictor_calls += 1
        return np.array([(p.x, p.y) for p in shape.parts()], np.float32)

    def _scale(self, width: int) -> float:
        return min(1.0, self.detect_width / float(width)) if self.detect_width > 0 else 1.0

    def _detect_at_scale(self, gray: np.ndarray, scale: float) -> list[Box]:
        small = gray
        if scale < 1.0:
            size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
            small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
        with models.detector_lease() as detector:  # no lock: each thread detects with its own detector
            rects = detector(np.ascontiguousarray(small), self.upsample)
        with self._count_lock:
            self.detector_calls += 1
        inverse = 1.0 / scale
        return [
            (round(r.left() * inverse), round(r.top() * inverse), round((r.right() + 1) * inverse), round((r.bottom() + 1) * inverse))
            for r in rects
        ]


def _search_window(box: Box, width: int, height: int) -> Box | None:
    """The previous box grown by half its size on each side, clipped to the image (None if outside)."""
    side = max(box[2] - box[0], box[3] - box[1]) // 2
    x0, y0 = max(0, box[0] - side), max(0, box[1] - side)
    x1, y1 = min(width, box[2] + side), min(height, box[3] + side)
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    return (x0, y0, x1, y1)


def _choose(boxes: list[Box], previous_box: Box | None) -> Box:
    """The face nearest ``previous_box``, or the largest face."""
    if previous_box is None:
        return max(boxes, key=box_area)
    px, py = box_centre(previous_box)
    return min(boxes, key=lambda b: (box_centre(b)[0] - px) ** 2 + (box_centre(b)[1] - py) ** 2)
