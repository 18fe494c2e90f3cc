"""Shared face-pipeline fixtures: one cropper per session (dlib models load once)."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.data import astronaut

from painxai_gui.face import FaceCropper


@pytest.fixture(scope="session")
def cropper() -> FaceCropper:
    return FaceCropper()


@pytest.fixture(scope="session")
def photo() -> np.ndarray:
    """A real face photo, 512x512 RGB (dlib finds the face at about (179, 83)-(266, 170))."""
    return astronaut()
