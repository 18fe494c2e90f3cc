"""dlib's HOG face detector and 68-landmark predictor, loaded lazily and once per process.

The predictor file comes from the ``face-recognition-models`` package. That
package's ``__init__`` imports ``pkg_resources`` (often missing), so it is
never imported: its folder is found with ``importlib.util.find_spec``.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

from painxai_gui.errors import FaceError

PREDICTOR_FILE = "shape_predictor_68_face_landmarks.dat"

_LOCK = threading.Lock()
_DETECTOR: Any = None
_PREDICTORS: dict[Path, Any] = {}

#: dlib objects are not documented as thread-safe: every call into them holds this lock
DLIB_LOCK = threading.Lock()


def default_predictor_path() -> Path:
    """Where ``face-recognition-models`` keeps the 68-landmark model (FaceError if not installed)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FaceError("the face-recognition-models package (which ships the 68-landmark model) is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "models" / PREDICTOR_FILE


def _dlib() -> Any:
    try:
        import dlib
    except ImportError as exc:
        raise FaceError(f"dlib cannot be imported ({exc}); install dlib-bin") from None
    return dlib


def detector() -> Any:
    """dlib's frontal-face HOG detector (shared)."""
    global _DETECTOR
    with _LOCK:
        if _DETECTOR is None:
            _DETECTOR = _dlib().get_frontal_face_detector()
        return _DETECTOR


def predictor(path: Path | None = None) -> Any:
    """The 68-landmark shape predictor at ``path`` (default: the packaged one), loaded once."""
    path = Path(path) if path is not None else default_predictor_path()
    with _LOCK:
        model = _PREDICTORS.get(path)
        if model is not None:
            return model
        if not path.is_file():
            raise FaceError("68-landmark model file not found", path)
        try:
            model = _dlib().shape_predictor(str(path))
        except RuntimeError as exc:
            raise FaceError(f"cannot load the 68-landmark model ({exc})", path) from None
        _PREDICTORS[path] = model
        return model
