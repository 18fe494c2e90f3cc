"""Where export gets its 256x256 face crops, and how to tell a finished PNG.

:class:`CropSource` opens one video at a time; :class:`FaceCropSource` is the
real one (frame-exact reader + dlib 68-landmark cropper, landmarks cached per
video). Another source can be injected (tests, already-cropped datasets).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np

from painxai_gui.dataset.records import VideoRecord

CROP_SIZE = 256
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


class VideoCrops(Protocol):
    def crop(self, frame: int) -> np.ndarray | None:
        """RGB uint8 crop of the face in ``frame``, or None when there is no face."""

    def close(self) -> None: ...


class CropSource(Protocol):
    def open(self, video: VideoRecord) -> VideoCrops:
        """Open a video; raises :class:`~painxai_gui.errors.VideoError` when it cannot."""


class FaceCropSource:
    """The face pipeline: :class:`painxai_gui.face.FaceTrack` over the video, cache in ``cache_dir``."""

    def __init__(self, cache_dir: Path | None = None, cropper: object | None = None):
        self.cache_dir = cache_dir
        self._cropper = cropper

    def open(self, video: VideoRecord) -> VideoCrops:
        from painxai_gui.face import FaceCropper, FaceTrack  # lazy: dlib

        if self._cropper is None:
            self._cropper = FaceCropper()
        return _TrackCrops(FaceTrack(video.path, self._cropper, self.cache_dir))


class _TrackCrops:
    def __init__(self, track: object):
        self._track = track

    def crop(self, frame: int) -> np.ndarray | None:
        result = self._track.get(frame)  # type: ignore[attr-defined]
        return result.crop if result.ok else None

    def close(self) -> None:
        close = getattr(self._track, "close", None)
        if close is not None:
            close()


def encode_png(crop_rgb: np.ndarray) -> bytes:
    """PNG bytes of an RGB crop, resized to 256x256 if the source gave another size."""
    import cv2

    image = np.asarray(crop_rgb)
    if image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    if image.shape[:2] != (CROP_SIZE, CROP_SIZE):
        image = cv2.resize(image, (CROP_SIZE, CROP_SIZE), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    if not ok:
        raise ValueError("PNG encoding failed")
    return data.tobytes()


def is_complete_png(path: Path) -> bool:
    """True when ``path`` is a whole PNG (ends with the IEND chunk): resumable exports skip it."""
    try:
        size = path.stat().st_size
        if size < 67:
            return False
        with open(path, "rb") as handle:
            handle.seek(-len(_PNG_END), os.SEEK_END)
            return handle.read() == _PNG_END
    except OSError:
        return False
