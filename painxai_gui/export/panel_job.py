"""From images to a finished panel: crop faces, predict, explain every method, compose, record.

The CLI (`painxai explain`) and the GUI's panel dialog both call
:func:`make_panel`, so a panel looks and is recorded the same whichever made it;
each tile is :func:`painxai_gui.explain.face.explain_face`, the function the
explanation docks run too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from painxai_gui.errors import ExplainError, ExportCancelled, ExportError
from painxai_gui.files import atomic_write, write_record
from painxai_gui.export.panel import (DEFAULT_SCALE, RECORD_KIND, RECORD_VERSION, SCALES, PanelCell, PanelRow,
                                      check_out, compose_panel, record_path)


@dataclass(frozen=True)
class PanelItem:
    """One requested row: an RGB image (full photo or crop), where it came from, its dataset category."""

    image: np.ndarray
    source: str
    category: str | None = None  # e.g. "happiness" (or a class name); target "true" explains its class
    is_crop: bool = False  # True when the image is already a face crop (e.g. from the app)
    landmarks: np.ndarray | None = None  # the crop's 68 landmarks (crop coordinates), when is_crop
    label: tuple[str, ...] = ()  # row label parts (subject, category, "frame 12"); default: file name, category
    info: Mapping[str, Any] = field(default_factory=dict)  # more for the record's row (video, subject, frame)


@dataclass
class PanelResult:
    path: Path
    record_path: Path
    rows: list[PanelRow]
    notes: list[str] = field(default_factory=list)


def face_crop(image: np.ndarray, notes: list[str], source: str, cropper=None) -> tuple[np.ndarray, np.ndarray | None]:
    """The 256x256 face crop of a photo and its 68 landmarks; the whole image (resized, no landmarks)
    when no face is found."""
    import cv2

    if cropper is not None:
        result = cropper.crop(image)
        if result.ok:
            return result.crop, result.landmarks
        notes.append(f"{source}: {result.reason}; the whole image was used")
    return cv2.resize(image, (256, 256), interpolation=cv2.INTER_AREA), None


def default_cropper():
    try:
        from painxai_gui.face import FaceCropper
    except ImportError:
        return None
    return FaceCropper()


def _explain_row(predictor, item: PanelItem, methods, options, target, cropper, notes, npy_dir) -> PanelRow:
    from painxai_gui.explain.face import explain_face
    from painxai_gui.model import preprocess

    loaded = predictor.loaded
    if item.is_crop:
        crop, landmarks = item.image, item.landmarks
    else:
        crop, landmarks = face_crop(item.image, notes, item.source, cropper)
    x = preprocess(crop, loaded.spec)[0]
    probs = predictor.predict_preprocessed(x[None])[0]
    cells = []
    for method in methods:
        try:
            face = explain_face(loaded, crop, landmarks, method, options.get(method, {}), target,
                                category=item.category, x=x)
        except ExplainError as exc:
            raise ExplainError(f"{item.source}: {exc.problem}", exc.path) from None
        regions = face.regions
        cells.append(PanelCell(method, face.heatmap, face.signed, face.target, face.explanation.options,
                               regions.shares() if regions else None, regions.sums() if regions else None,
                               loaded.spec.class_names[face.target], tuple(face.explanation.warnings)))
        notes.extend(f"{item.source}, {method}: {w}" for w in face.explanation.warnings)
        if npy_dir is not None:
            stem = Path(npy_dir) / f"{Path(item.source).stem}_{method}"
            save_npy(Path(f"{stem}.npy"), face.explanation.attribution)
            save_npy(Path(f"{stem}_heatmap.npy"), face.heatmap)
    k = int(np.argmax(probs))
    return PanelRow(crop, item.source, item.category, loaded.spec.class_names[k], tuple(cells), float(probs[k]),
                    tuple(item.label))


def make_panel(items: list[PanelItem], model, methods: list[str], out: str | Path, *,
               options: dict[str, dict[str, Any]] | None = None, target: str | int = "predicted",
               crop_faces: bool = True, dpi: int = 300, npy_dir: str | Path | None = None,
               scale: str = DEFAULT_SCALE, title: str | None = None,
               progress: Callable[[int, int], None] | None = None,
               cancel: Callable[[], bool] | None = None) -> PanelResult:
    """Explain every item with every method and write the panel plus its own JSON record
    (:func:`~painxai_gui.export.panel.record_path`); ``scale`` is the colour scale, "tile" or "column"."""
    from painxai_gui.explain import METHODS
    from painxai_gui.model import LoadedModel, Predictor, load_model

    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ExplainError(f"unknown method(s) {unknown}; known: {', '.join(METHODS)}")
    if scale not in SCALES:
        raise ExportError(f"unknown colour scale {scale!r} (use {', '.join(SCALES)})", Path(out))
    check_out(Path(out))  # a bad file name fails now, not after every explanation
    loaded = model if isinstance(model, LoadedModel) else load_model(model)
    options = options or {}
    if npy_dir is not None:
        Path(npy_dir).mkdir(parents=True, exist_ok=True)
    cropper = default_cropper() if crop_faces else None
    predictor = Predictor(loaded)  # one compiled forward pass for every row
    notes: list[str] = []
    rows = []
    for i, item in enumerate(items):
        if cancel is not None and cancel():
            raise ExportCancelled("panel export cancelled")
        rows.append(_explain_row(predictor, item, methods, options, target, cropper, notes, npy_dir))
        if progress is not None:
            progress(i + 1, len(items))
    titles = [METHODS[m].display_name for m in methods]
    norms = compose_panel(rows, titles, out, dpi=dpi, scale=scale, title=title)
    record = write_panel_record(Path(out), loaded, rows, methods, norms, target, notes, dpi,
                                infos=[dict(item.info) for item in items], scale=scale, title=title)
    return PanelResult(Path(out), record, rows, notes)


def _versions() -> dict[str, str]:
    import importlib.metadata as md

    from painxai_gui import __version__

    found = {"painxai": __version__}
    for dist in ("tensorflow", "keras", "lime", "numpy", "matplotlib"):
        try:
            found[dist] = md.version(dist)
        except md.PackageNotFoundError:
            found[dist] = "not installed"
    return found


COLOUR_POLICIES = {
    "tile": "per tile: unsigned maps sequential 0..max of the tile, signed maps diverging -max..+max of the tile",
    "column": "shared per column: unsigned maps sequential 0..max over the column, signed maps diverging "
              "-max..+max over the column (max |value| of every tile of the method)",
}


def write_panel_record(out: Path, loaded, rows: list[PanelRow], methods: list[str], norms, target, notes, dpi,
                       *, infos: list[dict] | None = None, scale: str = DEFAULT_SCALE,
                       title: str | None = None) -> Path:
    """``panel.png`` -> ``panel.png.json``: everything needed to make the same panel again."""
    infos = infos or [{} for _ in rows]
    record = {
        "panel": out.name, "format": out.suffix.lstrip("."), "dpi": dpi, "title": title or None,
        "model": {"path": str(loaded.path) if loaded.path else None, "sha256": loaded.sha256,
                  "class_names": list(loaded.spec.class_names), "spec": loaded.spec.to_json()},
        "target": str(target), "methods": methods,
        "rows": [{"source": r.source, **info, "category": r.category, "predicted": r.predicted,
                  "probability": r.probability, "label": list(r.label_parts), "title": r.title,
                  "tiles": [dict(n, options=c.options, regions=c.regions, region_sums=c.region_sums,
                                 warnings=list(c.warnings))
                            for n, c in zip(rn, r.cells)]}
                 for r, rn, info in zip(rows, norms, infos)],
        "colour_scale": scale, "colour_policy": COLOUR_POLICIES[scale],
        "regions": "share of positive relevance per facial region (dlib landmarks of the crop); null without a face",
        "region_sums": "sum of the signed heatmap per facial region; null for unsigned methods or without a face",
        "notes": notes, "versions": _versions(),
    }
    path = record_path(out)
    write_record(path, RECORD_KIND, RECORD_VERSION, record, default=_json_default)
    return path


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return f"<array {value.shape}>"
    return str(value)


def save_npy(path: Path, array: np.ndarray) -> None:
    atomic_write(path, lambda tmp: np.save(tmp, np.asarray(array)))
