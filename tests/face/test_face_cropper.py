"""FaceCropper on real photos with the real dlib models."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from painxai_gui.errors import FaceError
from painxai_gui.face import NO_FACE, FaceCropper, FaceResult
from painxai_gui.face.geometry import to_crop


def _on_canvas(photo: np.ndarray, x: int, y: int, size: tuple[int, int] = (760, 640)) -> np.ndarray:
    canvas = np.full((size[1], size[0], 3), 100, np.uint8)
    canvas[y : y + photo.shape[0], x : x + photo.shape[1]] = photo
    return canvas


def test_face_found_in_photo(cropper: FaceCropper, photo: np.ndarray):
    result = cropper.crop(photo)
    assert result.ok and result.reason == ""
    assert result.crop.shape == (256, 256, 3) and result.crop.dtype == np.uint8
    assert result.landmarks.shape == (68, 2) and result.landmarks.dtype == np.float32
    assert result.source_landmarks.shape == (68, 2)
    x0, y0, x1, y1 = result.box
    assert x1 - x0 == y1 - y0  # square
    assert x0 < 179 and y0 < 83 and x1 > 266 and y1 > 170  # contains dlib's face box
    assert (result.landmarks >= 0).all() and (result.landmarks < 256).all()
    np.testing.assert_allclose(result.landmarks, to_crop(result.source_landmarks, result.box, 256), atol=1e-4)


def test_landmark_anatomy(cropper: FaceCropper, photo: np.ndarray):
    lm = cropper.crop(photo).landmarks
    brows, eyes, nose, mouth, chin = lm[17:27, 1].mean(), lm[36:48, 1].mean(), lm[31:36, 1].mean(), lm[48:68, 1].mean(), lm[8, 1]
    assert brows < eyes < nose < mouth < chin
    assert lm[36:42, 0].mean() < lm[27:36, 0].mean() < lm[42:48, 0].mean()  # subject's right eye on the image left


def test_margin_and_size(photo: np.ndarray):
    tight = FaceCropper(margin=0.0, size=128).crop(photo)
    wide = FaceCropper(margin=0.5, size=128).crop(photo)
    assert tight.crop.shape == (128, 128, 3)
    side = lambda r: r.box[2] - r.box[0]  # noqa: E731
    span = np.ptp(tight.source_landmarks, axis=0).max()
    assert side(tight) == pytest.approx(span, abs=1.5)
    assert side(wide) == pytest.approx(2 * span, abs=1.5)


def test_crop_follows_translation(cropper: FaceCropper, photo: np.ndarray):
    a = cropper.crop(_on_canvas(photo, 60, 40))
    b = cropper.crop(_on_canvas(photo, 60 + 37, 40 + 23))
    assert a.ok and b.ok
    shift = np.subtract(b.box, a.box)
    np.testing.assert_allclose(shift, [37, 23, 37, 23], atol=3)
    moved = b.source_landmarks - a.source_landmarks
    np.testing.assert_allclose(np.median(moved, axis=0), [37, 23], atol=1.5)
    diff = np.abs(a.crop.astype(int) - b.crop.astype(int)).mean()
    assert diff < 12  # the same face, a pixel or two off


def test_no_face_in_flat_grey(cropper: FaceCropper):
    result = cropper.crop(np.full((240, 320, 3), 128, np.uint8))
    assert result == FaceResult(ok=False, reason=NO_FACE)
    assert result.crop is None and result.landmarks is None and result.box is None


def test_face_at_border_is_padded_black(cropper: FaceCropper, photo: np.ndarray):
    image = np.ascontiguousarray(photo[75:, 165:])  # the face touches the top-left corner
    result = cropper.crop(image)
    assert result.ok and result.crop.shape == (256, 256, 3)
    x0, y0, x1, y1 = result.box
    assert x0 < 0 and y0 < 0
    scale = 256 / (x1 - x0)
    left, top = int(-x0 * scale), int(-y0 * scale)
    assert left >= 3 and top >= 3
    assert result.crop[:, : left - 1].max() == 0 and result.crop[: top - 1].max() == 0
    assert result.crop[top + 2 :, left + 2 :].mean() > 40  # the image itself is not black


def test_several_faces_largest_or_nearest_previous(photo: np.ndarray):
    canvas = np.full((700, 1100, 3), 90, np.uint8)
    canvas[50:562, 20:532] = photo
    canvas[200:558, 650:1008] = cv2.resize(photo, (358, 358), interpolation=cv2.INTER_AREA)
    cropper = FaceCropper(detect_width=0)  # 0: detect at full resolution (faces here are small)
    assert len(cropper.detect(canvas)) >= 2
    largest = cropper.crop(canvas)
    assert largest.box[2] < 550  # the big face on the left
    tracked = cropper.crop(canvas, previous_box=(760, 230, 880, 350))
    assert tracked.box[0] > 650  # the small face on the right, nearest the previous box


def test_large_frame_is_detected_downscaled(cropper: FaceCropper):
    from painxai_gui.demo_data import face_plate

    frame = face_plate((1388, 1038), variant=2)
    boxes = cropper.detect(frame)
    assert len(boxes) == 1
    x0, y0, x1, y1 = boxes[0]
    assert 300 < x1 - x0 < 600 and abs((x0 + x1) / 2 - 694) < 80  # source coordinates, not detector ones
    assert cropper.crop(frame).ok


def test_detector_calls_are_counted(photo: np.ndarray):
    cropper = FaceCropper()
    cropper.crop(photo)
    cropper.crop(np.zeros((100, 100, 3), np.uint8))
    assert cropper.detector_calls == 2 and cropper.predictor_calls == 1
    cropper.cut(photo, cropper.crop(photo).source_landmarks)
    assert cropper.detector_calls == 3


def test_missing_predictor_file_names_the_path(tmp_path: Path):
    missing = tmp_path / "shape_predictor_68_face_landmarks.dat"
    with pytest.raises(FaceError, match="not found") as info:
        FaceCropper(predictor_path=missing)
    assert info.value.path == missing


def test_bad_image_is_a_face_error(cropper: FaceCropper):
    with pytest.raises(FaceError, match="RGB uint8"):
        cropper.crop(np.zeros((64, 64), np.uint8))
    with pytest.raises(FaceError):
        cropper.crop(np.zeros((64, 64, 3), np.float32))
