"""Facial regions from real landmarks: the right places, disjoint, usable as LIME segments."""

from __future__ import annotations

import numpy as np
import pytest

from painxai_gui.face import FaceCropper
from painxai_gui.face.regions import region_labels, region_masks, region_names


@pytest.fixture(scope="module")
def landmarks(cropper: FaceCropper, photo: np.ndarray) -> np.ndarray:
    result = cropper.crop(photo)
    assert result.ok
    return result.landmarks


def _contains(mask: np.ndarray, points: np.ndarray) -> bool:
    pix = np.round(points).astype(int)
    return bool(mask[pix[:, 1], pix[:, 0]].all())


def test_names_shapes_and_disjointness(landmarks: np.ndarray):
    masks = region_masks(landmarks)
    assert tuple(masks) == ("brows", "eyes", "nose", "mouth", "cheeks", "forehead", "jaw")
    stack = np.stack(list(masks.values()))
    assert stack.shape == (7, 256, 256) and stack.dtype == bool
    assert stack.sum(axis=0).max() == 1  # no pixel in two regions
    areas = stack.sum(axis=(1, 2))
    assert (areas > 300).all(), dict(zip(masks, areas))
    assert stack.any(axis=0).mean() < 0.8  # background/other remains


def test_regions_contain_their_landmarks(landmarks: np.ndarray):
    masks = region_masks(landmarks)
    assert _contains(masks["mouth"], landmarks[48:68])
    assert _contains(masks["eyes"], landmarks[36:48])
    assert _contains(masks["nose"], landmarks[[28, 29, 30, 33]])
    assert _contains(masks["brows"], landmarks[17:27])
    assert not masks["mouth"][masks["eyes"]].any()


def test_regions_are_in_anatomical_order(landmarks: np.ndarray):
    masks = region_masks(landmarks)
    centre_y = {name: np.nonzero(mask)[0].mean() for name, mask in masks.items()}
    order = ["forehead", "brows", "eyes", "nose", "mouth", "jaw"]
    assert sorted(order, key=centre_y.get) == order
    cheeks_x = np.nonzero(masks["cheeks"])[1]
    nose_x = np.nonzero(masks["nose"])[1].mean()
    assert cheeks_x.min() < nose_x - 30 and cheeks_x.max() > nose_x + 30  # both cheeks


def test_label_map_matches_masks(landmarks: np.ndarray):
    labels = region_labels(landmarks)
    assert labels.shape == (256, 256) and labels.dtype == np.int32
    assert set(np.unique(labels)) == set(range(8))
    masks = region_masks(landmarks)
    for k, name in enumerate(region_names(), start=1):
        np.testing.assert_array_equal(labels == k, masks[name])


def test_split_sides_subjects_right_is_image_left(landmarks: np.ndarray):
    masks = region_masks(landmarks, split_sides=True)
    assert len(masks) == 10
    for pair in ("brow", "eye", "cheek"):
        right, left = masks[f"{pair}_right"], masks[f"{pair}_left"]
        assert np.nonzero(right)[1].mean() < np.nonzero(left)[1].mean()
    merged = region_masks(landmarks)
    np.testing.assert_array_equal(merged["eyes"], masks["eye_right"] | masks["eye_left"])


def test_other_size_scales_with_landmarks(landmarks: np.ndarray):
    small = region_masks(landmarks * 0.5, size=128)
    assert small["mouth"].shape == (128, 128)
    assert _contains(small["mouth"], landmarks[48:68] * 0.5)
