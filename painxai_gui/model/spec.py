"""The model sidecar (`<model>.json`): class names, input size, colour mode, preprocessing.

The sidecar is what makes a bare Keras file usable: the app and the CLI apply
exactly the preprocessing that training used. Preprocessing is
``x = pixel * scale + offset - mean[c]`` on pixels in 0..255, in the given
channel order, after resizing to ``input_size``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from painxai_gui.errors import ModelFileError
from painxai_gui.files import check_record, read_record, write_record

SIDECAR_FORMAT = "painxai-model-sidecar"  # the record kind; also written as "format" (before kinds existed)
SIDECAR_VERSION = 1
COLOR_MODES = ("rgb", "bgr", "grayscale")

#: VGG-Face training-set mean (Parkhi et al. 2015), RGB, on the 0..1 scale.
VGGFACE_MEAN_RGB = (129.1863 / 255.0, 104.7624 / 255.0, 93.5940 / 255.0)
THESIS_CLASSES = ("pain", "disgust", "happiness")


@dataclass(frozen=True)
class ModelSpec:
    """What a model expects and what its outputs mean."""

    class_names: tuple[str, ...]
    input_size: tuple[int, int] = (224, 224)  # (height, width)
    color_mode: str = "rgb"
    scale: float = 1.0 / 255.0
    offset: float = 0.0
    mean: tuple[float, ...] = VGGFACE_MEAN_RGB
    architecture: str | None = None  # e.g. "vggface" for weights-only files
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def channels(self) -> int:
        return 1 if self.color_mode == "grayscale" else 3

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def validate(self, where: str | Path | None = None) -> "ModelSpec":
        if not self.class_names:
            raise ModelFileError("sidecar lists no class names", where)
        if self.color_mode not in COLOR_MODES:
            raise ModelFileError(f"colour mode {self.color_mode!r} is not one of {COLOR_MODES}", where)
        if len(self.input_size) != 2 or min(self.input_size) < 1:
            raise ModelFileError(f"input size {self.input_size!r} is not (height, width)", where)
        if len(self.mean) not in (1, self.channels):
            raise ModelFileError(f"mean has {len(self.mean)} values for {self.channels} channel(s)", where)
        if not np.isfinite([self.scale, self.offset, *self.mean]).all():
            raise ModelFileError("preprocessing contains NaN or infinity", where)
        return self

    def to_json(self) -> dict[str, Any]:
        data = {"kind": SIDECAR_FORMAT, "version": SIDECAR_VERSION, "format": SIDECAR_FORMAT, **asdict(self)}
        data["class_names"] = list(self.class_names)
        data["input_size"] = list(self.input_size)
        data["mean"] = list(self.mean)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str | Path | None = None) -> "ModelSpec":
        data = check_record(data, SIDECAR_FORMAT, SIDECAR_VERSION, where, ModelFileError).data
        check_field_types(data, where)
        known = {f for f in cls.__dataclass_fields__}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs.setdefault("extra", {})
        kwargs["extra"] = {**kwargs["extra"], **{k: v for k, v in data.items() if k not in known | {"format"}}}
        try:
            kwargs["class_names"] = tuple(str(c) for c in data["class_names"])
            for key in ("input_size", "mean"):
                if key in kwargs:
                    kwargs[key] = tuple(kwargs[key])
            spec = cls(**kwargs)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"sidecar is malformed ({exc})", where) from None
        return spec.validate(where)


def check_field_types(data: dict[str, Any], where: str | Path | None = None) -> None:
    """Each sidecar field must have its JSON type: a wrong one is a ModelFileError naming the file and
    the field (never a traceback, never a string split into letters)."""
    def fail(key: str, wanted: str) -> None:
        raise ModelFileError(f"sidecar field {key!r} must be {wanted}, got {data[key]!r}", where)

    if "class_names" not in data:
        raise ModelFileError("sidecar field 'class_names' is missing (a list of class names)", where)
    names = data["class_names"]
    if not isinstance(names, list) or not all(_is_name(c) for c in names):
        fail("class_names", "a list of class names (text)")
    size = data.get("input_size")
    if "input_size" in data and not (isinstance(size, list) and len(size) == 2 and all(_is_int(v) for v in size)):
        fail("input_size", "a list of two whole numbers [height, width]")
    for key in ("scale", "offset"):
        if key in data and not _is_number(data[key]):
            fail(key, "a number")
    mean = data.get("mean")
    if "mean" in data and not (isinstance(mean, list) and all(_is_number(v) for v in mean)):
        fail("mean", "a list of numbers (one per channel)")
    if "color_mode" in data and not isinstance(data["color_mode"], str):
        fail("color_mode", f"one of {', '.join(COLOR_MODES)}")
    if data.get("architecture") is not None and not isinstance(data["architecture"], str):
        fail("architecture", "a name such as 'vggface', or null")
    if "extra" in data and not isinstance(data["extra"], dict):
        fail("extra", "an object")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_name(value: Any) -> bool:
    return (isinstance(value, str) and value.strip() != "") or _is_int(value)


def sidecar_path(model_path: str | Path) -> Path:
    """``weights/model.h5`` -> ``weights/model.json`` (``x.weights.h5`` -> ``x.json``)."""
    path = Path(model_path)
    name = path.name
    for suffix in (".weights.h5", ".keras", ".hdf5", ".h5"):
        if name.endswith(suffix):
            return path.with_name(name[: -len(suffix)] + ".json")
    return path.with_suffix(".json")


def read_sidecar(path: str | Path) -> ModelSpec:
    path = Path(path)
    record = read_record(path, SIDECAR_FORMAT, SIDECAR_VERSION, ModelFileError)
    return ModelSpec.from_json(record.data, path)


def write_sidecar(spec: ModelSpec, path: str | Path) -> Path:
    """Write the sidecar record atomically (mode 0644: it is shared with the model)."""
    path = Path(path)
    spec.validate(path)
    data = spec.to_json()
    return write_record(path, data.pop("kind"), data.pop("version"), data)


def vggface_spec(class_names: tuple[str, ...] = THESIS_CLASSES, mean: tuple[float, ...] = VGGFACE_MEAN_RGB) -> ModelSpec:
    """The thesis's best setting: pixels /255, then per-channel mean centring."""
    return ModelSpec(class_names=tuple(class_names), mean=tuple(mean), architecture="vggface")
