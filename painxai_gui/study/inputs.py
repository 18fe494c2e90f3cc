"""What a study explains: manifest rows, the model of each image, the crops' landmarks.

* Models: ``--models`` is one model file (every image uses it) or a
  ``painxai train`` run folder; there each image uses the model of the fold
  whose *test* subjects include the image's subject (``fold_k/model.json``
  lists them), so no image is explained by a model that saw it in training.
* Landmarks (68 x 2, crop pixels): a manifest column ``landmarks`` (136
  numbers ``x0 y0 x1 y1 ...`` separated by spaces) when present; otherwise
  they are found on the crop with dlib in the image shard (see
  :func:`detect_landmarks`). Images without a face get NaN landmarks: their
  region measures are NaN and they are left out of the average faces.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from painxai_gui.errors import StudyError
from painxai_gui.train.manifest import FrameRow, Manifest, read_manifest

LANDMARK_COLUMN = "landmarks"


@dataclass(frozen=True)
class ModelRef:
    """One model file of the study and the fold it belongs to (None for a single model file)."""

    path: Path
    sha256: str
    fold: int | None = None

    @property
    def short(self) -> str:
        return self.sha256[:12]


@dataclass(frozen=True)
class StudyInputs:
    manifest: Manifest
    models: tuple[ModelRef, ...]
    model_of: tuple[int, ...]  # per manifest row: index into ``models``
    landmarks: np.ndarray | None  # N x 68 x 2 from the manifest, or None (detected per shard)
    image_ids: tuple[str, ...]  # per row: relative path + size + mtime (what a shard key hashes)

    @property
    def rows(self) -> tuple[FrameRow, ...]:
        return self.manifest.rows


def _sha256(path: Path) -> str:
    from painxai_gui.model.loading import file_sha256

    return file_sha256(path)


def _fold_models(run: Path) -> tuple[list[ModelRef], dict[str, int]]:
    """The fold models of a ``painxai train`` run folder and subject -> index into the list."""
    models: list[ModelRef] = []
    subject_model: dict[str, int] = {}
    for folder in sorted(run.glob("fold_*"), key=lambda p: int(p.name.split("_")[1]) if p.name[5:].isdigit() else 0):
        model, side = folder / "model.keras", folder / "model.json"
        if not (folder.name[5:].isdigit() and model.is_file() and side.is_file()):
            continue
        try:
            extra = json.loads(side.read_text(encoding="utf-8")).get("extra", {})
        except (OSError, json.JSONDecodeError) as exc:
            raise StudyError(f"fold sidecar is not readable JSON ({exc})", side) from None
        subjects = extra.get("test_subjects")
        if not isinstance(subjects, list):
            raise StudyError("fold sidecar does not list the fold's test subjects (extra.test_subjects)", side)
        models.append(ModelRef(model, _sha256(model), int(folder.name[5:])))
        for subject in subjects:
            if subject in subject_model:
                raise StudyError(f"subject {subject!r} is a test subject of two folds", run)
            subject_model[str(subject)] = len(models) - 1
    if not models:
        raise StudyError("no finished folds (fold_k/model.keras with model.json) in this run folder", run)
    return models, subject_model


def assign_models(models_arg: str | Path, rows: tuple[FrameRow, ...]) -> tuple[tuple[ModelRef, ...], tuple[int, ...]]:
    """The study's models and, per row, which one explains it (see the module docstring)."""
    path = Path(models_arg)
    if path.is_file():
        return (ModelRef(path, _sha256(path)),), tuple(0 for _ in rows)
    if not path.is_dir():
        raise StudyError("model file or train run folder not found", path)
    models, subject_model = _fold_models(path)
    missing = sorted({r.subject for r in rows if r.subject not in subject_model})
    if missing:
        raise StudyError(f"{len(missing)} subject(s) of the manifest are no fold's test subjects "
                         f"(first: {missing[:3]}); was the run trained on this manifest?", path)
    return tuple(models), tuple(subject_model[r.subject] for r in rows)


def parse_landmarks(text: str, line: int, where: Path) -> np.ndarray:
    values = text.replace(",", " ").split()
    try:
        points = np.asarray([float(v) for v in values], np.float32)
    except ValueError:
        raise StudyError(f"line {line}: landmarks are not numbers", where) from None
    if points.size != 136 or not np.isfinite(points).all():
        raise StudyError(f"line {line}: landmarks need 136 finite numbers (68 x, y pairs), got {points.size}", where)
    return points.reshape(68, 2)


def manifest_landmarks(manifest: Manifest) -> np.ndarray | None:
    """N x 68 x 2 from the manifest's ``landmarks`` column, or None when it has none."""
    with open(manifest.path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        names = [n.strip().lower() for n in (reader.fieldnames or [])]
        if LANDMARK_COLUMN not in names:
            return None
        reader.fieldnames = names
        out = [parse_landmarks(raw.get(LANDMARK_COLUMN) or "", i, manifest.path) for i, raw in enumerate(reader, 2)]
    return np.stack(out)


def image_id(row: FrameRow) -> str:
    """What identifies an image's content cheaply: path, size and modification time."""
    try:
        stat = row.path.stat()
    except OSError:
        raise StudyError("image file not found", row.path) from None
    return f"{row.image}|{stat.st_size}|{stat.st_mtime_ns}"


def load_inputs(manifest_path: str | Path, models_arg: str | Path) -> StudyInputs:
    """Read and check everything a study needs before any image is explained."""
    manifest = read_manifest(manifest_path)
    models, model_of = assign_models(models_arg, manifest.rows)
    return StudyInputs(manifest, models, model_of, manifest_landmarks(manifest),
                       tuple(image_id(r) for r in manifest.rows))


def digest(parts: object) -> str:
    """A stable sha256 of a JSON-able value (shard keys, identities)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def read_crops(paths: list[Path]) -> np.ndarray:
    """RGB uint8 crops (N x S x S x 3); every crop must be square and of the first one's size."""
    import cv2

    crops = []
    for path in paths:
        raw = cv2.imdecode(np.fromfile(str(path), np.uint8), cv2.IMREAD_COLOR)
        if raw is None:
            raise StudyError("not a readable image", path)
        if raw.shape[0] != raw.shape[1] or (crops and raw.shape != crops[0].shape):
            raise StudyError(f"crops must be square and all of one size; this one is {raw.shape[1]}x{raw.shape[0]}",
                             path)
        crops.append(cv2.cvtColor(raw, cv2.COLOR_BGR2RGB))
    return np.stack(crops)


def detect_landmarks(crops: np.ndarray) -> np.ndarray:
    """68 landmarks per crop found with dlib on the crop itself (NaN where no face is found)."""
    import cv2

    from painxai_gui.face import FaceCropper

    cropper = FaceCropper(detect_width=0)
    out = np.full((len(crops), 68, 2), np.nan, np.float32)
    for i, crop in enumerate(crops):
        gray = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
        boxes = cropper.detect_gray(gray)
        if boxes:
            box = max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
            out[i] = cropper.landmarks_gray(gray, box)
    return out
