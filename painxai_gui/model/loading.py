"""Load a model file the user gives: `.keras`, legacy full `.h5`, or weights onto a built architecture.

Loading a model is code execution, so `.keras` files load in Keras safe mode and
any Lambda layer (arbitrary Python) is refused unless ``allow_lambda=True``.
Every failure raises :class:`ModelFileError` naming the file and the problem.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from painxai_gui.errors import ModelFileError
from painxai_gui.model.spec import ModelSpec, read_sidecar, sidecar_path, vggface_spec

ARCHITECTURES = ("vggface",)


@dataclass
class LoadedModel:
    """A Keras model with its sidecar spec and where it came from."""

    model: Any  # keras.Model
    spec: ModelSpec
    path: Path | None = None
    sha256: str | None = None
    notes: list[str] = field(default_factory=list)  # what the loader assumed or skipped


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _layer_classes(config: Any) -> Iterator[str]:
    """Every ``class_name`` in a (nested) Keras config."""
    if isinstance(config, dict):
        if isinstance(config.get("class_name"), str):
            yield config["class_name"]
        for value in config.values():
            yield from _layer_classes(value)
    elif isinstance(config, list):
        for value in config:
            yield from _layer_classes(value)


def _refuse_lambda(config: Any, path: Path, allow_lambda: bool) -> None:
    if allow_lambda:
        return
    if any(name in ("Lambda", "TFOpLambda") for name in _layer_classes(config)):
        raise ModelFileError(
            "model contains a Lambda layer, whose Python code would run on loading; "
            "refused (allow it explicitly only for files you trust)", path)


def _h5_model_config(path: Path) -> dict | None:
    import h5py

    try:
        with h5py.File(path, "r") as fh:
            raw = fh.attrs.get("model_config")
    except OSError as exc:
        raise ModelFileError(f"not a readable HDF5 file ({exc})", path) from None
    if raw is None:
        return None
    return json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)


def _keras_zip_config(path: Path) -> dict:
    try:
        with zipfile.ZipFile(path) as zf:
            return json.loads(zf.read("config.json"))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, OSError) as exc:
        raise ModelFileError(f"not a valid .keras archive ({exc})", path) from None


def _load_full(path: Path, allow_lambda: bool):
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=not allow_lambda)
    except Exception as exc:  # Keras raises many types; the user needs the file and the reason
        raise ModelFileError(f"Keras could not load the model ({type(exc).__name__}: {exc})", path) from None


def load_weights_by_name(model, path: str | Path) -> tuple[list[str], list[str]]:
    """Copy weights from a legacy HDF5 weights file onto layers with the same name.

    Returns (loaded layer names, skipped "name: reason" strings); layers whose
    shapes differ (e.g. a 2622-way fc8 onto a 3-class head) are skipped, not fatal.
    """
    import h5py

    path = Path(path)
    loaded, skipped = [], []
    try:
        with h5py.File(path, "r") as fh:
            group = fh["model_weights"] if "model_weights" in fh and "layer_names" not in fh.attrs else fh
            names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs.get("layer_names", [])]
            if not names:
                raise ModelFileError("HDF5 file has no 'layer_names': not a Keras weights file", path)
            for name in names:
                _copy_layer(model, group[name], name, loaded, skipped)
    except OSError as exc:
        raise ModelFileError(f"not a readable HDF5 file ({exc})", path) from None
    if not loaded:
        raise ModelFileError("no layer name in the file matches the model's layers", path)
    return loaded, skipped


def _copy_layer(model, group, name: str, loaded: list[str], skipped: list[str]) -> None:
    weight_names = [w.decode() if isinstance(w, bytes) else w for w in group.attrs.get("weight_names", [])]
    if not weight_names:
        return
    try:
        layer = model.get_layer(name)
    except ValueError:
        skipped.append(f"{name}: no such layer in the model")
        return
    values = [group[w][()] for w in weight_names]
    shapes = [tuple(v.shape) for v in layer.get_weights()]
    if shapes != [tuple(v.shape) for v in values]:
        skipped.append(f"{name}: shapes {[v.shape for v in values]} do not fit {shapes}")
        return
    layer.set_weights(values)
    loaded.append(name)


def _spec_for(path: Path, spec: ModelSpec | None, notes: list[str]) -> ModelSpec | None:
    if spec is not None:
        return spec.validate(path)
    side = sidecar_path(path)
    if side.exists():
        return read_sidecar(side)
    notes.append(f"no sidecar {side.name}: class names and preprocessing were inferred")
    return None


def _infer_spec(model, notes: list[str]) -> ModelSpec:
    _, h, w, c = model.input_shape
    k = model.output_shape[-1]
    names = tuple(f"class_{i}" for i in range(k))
    if c == 1:
        return ModelSpec(class_names=names, input_size=(h, w), color_mode="grayscale", mean=(0.0,))
    notes.append("assumed VGG-Face preprocessing (/255, per-channel mean)")
    return ModelSpec(class_names=names, input_size=(h, w), color_mode="rgb")


def _check_fits(model, spec: ModelSpec, path: Path) -> None:
    shape = model.input_shape
    if isinstance(shape, list):
        raise ModelFileError(f"model has {len(shape)} inputs; one image input is expected", path)
    _, h, w, c = shape if len(shape) == 4 else (None, None, None, None)
    if c is None and len(shape) != 4:
        raise ModelFileError(f"model input {shape} is not an image (batch, height, width, channels)", path)
    if (h, w) != (None, None) and (h, w) != tuple(spec.input_size):
        raise ModelFileError(f"sidecar input size {spec.input_size} does not match the model's {(h, w)}", path)
    if c != spec.channels:
        raise ModelFileError(f"sidecar colour mode {spec.color_mode!r} does not match {c} input channel(s)", path)
    if model.output_shape[-1] != spec.num_classes:
        raise ModelFileError(
            f"sidecar names {spec.num_classes} classes but the model has {model.output_shape[-1]} outputs", path)


def _build_architecture(spec: ModelSpec, path: Path):
    arch = spec.architecture or "vggface"
    if arch != "vggface":
        raise ModelFileError(f"unknown architecture {arch!r} in sidecar (known: {ARCHITECTURES})", path)
    from painxai_gui.model.vggface import build_vggface

    return build_vggface(spec.num_classes, input_shape=(*spec.input_size, spec.channels))


def load_model(path: str | Path, spec: ModelSpec | None = None, allow_lambda: bool = False) -> LoadedModel:
    """Load a full model or a weights file (architecture from the sidecar, VGG-Face by default)."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError("model file not found", path)
    notes: list[str] = []
    spec = _spec_for(path, spec, notes)
    name = path.name.lower()
    if name.endswith(".keras"):
        _refuse_lambda(_keras_zip_config(path), path, allow_lambda)
        model = _load_full(path, allow_lambda)
    elif name.endswith((".h5", ".hdf5")):
        config = None if name.endswith(".weights.h5") else _h5_model_config(path)
        if config is not None:
            _refuse_lambda(config, path, allow_lambda)
            model = _load_full(path, allow_lambda)
        else:
            spec = spec or vggface_spec()
            model = _build_architecture(spec, path)
            if name.endswith(".weights.h5"):
                try:
                    model.load_weights(path)
                except Exception as exc:
                    raise ModelFileError(f"weights do not fit the architecture ({exc})", path) from None
            else:
                loaded, skipped = load_weights_by_name(model, path)
                notes.append(f"weights loaded by name into {len(loaded)} layers")
                notes.extend(f"not loaded: {s}" for s in skipped)
    else:
        raise ModelFileError("unsupported model file type (expected .keras, .h5, .hdf5 or .weights.h5)", path)
    spec = spec or _infer_spec(model, notes)
    _check_fits(model, spec, path)
    return LoadedModel(model=model, spec=spec, path=path, sha256=file_sha256(path), notes=notes)
