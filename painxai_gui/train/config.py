"""Run settings, progress events and the hooks a caller (CLI, GUI worker) passes in."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from painxai_gui.errors import CancelHook  # noqa: F401  (re-exported: the hook type of train())
from painxai_gui.train.errors import TrainError

#: settings that do not change a run's numbers; they may differ when a run is resumed
NOT_IDENTITY = ("out", "cache_dir", "keep_cache", "show_progress_bar", "only_folds")
CACHE_DTYPES = ("float32", "float16")
#: fold: the fold's training images (thesis); all: every image of the manifest; vggface: Parkhi et al.'s mean.
#: With all/vggface every fold has the same mean, so all folds share one feature cache (about 5x less extraction).
MEAN_SOURCES = ("fold", "all", "vggface")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a run (thesis defaults: Adam 1e-5, L2 1e-4, patience 1, 20% validation)."""

    manifest: Path
    out: Path
    base_weights: Path | None = None  # VGG-Face HDF5 loaded by layer name; None: random base (warned)
    architecture: str = "vggface"  # a key of ARCHITECTURES, or a label for a custom base_builder
    folds: int | None = None  # None: the manifest's folds; else must match them (or assigns them)
    only_folds: tuple[int, ...] | None = None  # run a subset; the others stay to do
    classes: tuple[str, ...] | None = None  # output order; None: pain, disgust, happiness / sorted
    epochs: int = 30
    patience: int = 1  # stop after this many epochs in a row without improvement of validation loss
    min_delta: float = 0.0
    learning_rate: float = 1e-5
    batch_size: int = 32
    l2: float | None = 1e-4
    dropout: float | None = None
    val_fraction: float = 0.2
    seed: int = 0
    input_size: tuple[int, int] = (224, 224)
    fc_units: int = 4096
    color_mode: str = "rgb"
    mean_source: str = "fold"  # see MEAN_SOURCES
    flip: bool = True  # random horizontal flips in training; validation sees both orientations
    extract_batch: int = 16
    cache_dir: Path | None = None  # default: <out>/cache
    cache_dtype: str = "float32"
    keep_cache: bool = False  # default: a fold's features are deleted once the fold is written
    show_progress_bar: bool = False  # tqdm on stderr during feature extraction

    def __post_init__(self) -> None:
        for name in ("epochs", "patience", "batch_size", "extract_batch", "fc_units"):
            if int(getattr(self, name)) < (0 if name == "patience" else 1):
                raise TrainError(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        if not 0.0 < self.val_fraction < 1.0:
            raise TrainError(f"val_fraction must be between 0 and 1, got {self.val_fraction}")
        if self.learning_rate <= 0:
            raise TrainError(f"learning_rate must be positive, got {self.learning_rate}")
        if self.dropout is not None and not 0.0 <= self.dropout < 1.0:
            raise TrainError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.cache_dtype not in CACHE_DTYPES:
            raise TrainError(f"cache_dtype must be one of {CACHE_DTYPES}, got {self.cache_dtype!r}")
        if self.mean_source not in MEAN_SOURCES:
            raise TrainError(f"mean_source must be one of {MEAN_SOURCES}, got {self.mean_source!r}")
        if self.color_mode not in ("rgb", "bgr"):
            raise TrainError(f"color_mode must be 'rgb' or 'bgr', got {self.color_mode!r}")

    @property
    def cache_root(self) -> Path:
        return Path(self.cache_dir) if self.cache_dir is not None else Path(self.out) / "cache"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, Path):
                data[key] = str(value)
            elif isinstance(value, tuple):
                data[key] = list(value)
        return data

    def identity(self) -> dict[str, Any]:
        """The settings that must match for a run folder to be resumed."""
        data = self.to_json()
        for key in NOT_IDENTITY:
            data.pop(key, None)
        return data


@dataclass(frozen=True)
class Progress:
    """One progress report: ``stage`` is scan, extract, epoch, fold, skip, warning or done."""

    stage: str
    message: str
    fold: int | None = None
    step: int = 0
    total: int = 0
    metrics: Mapping[str, float] = field(default_factory=dict)


ProgressCallback = Callable[[Progress], None]
