"""The settings of one study (``painxai study run``) and which of them define its results."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from painxai_gui.errors import StudyError

TARGETS = ("predicted", "true")
BASELINES = ("blur", "mean")
ENGINES = ("local", "dask")


@dataclass
class StudyConfig:
    """Everything ``painxai study run`` takes. Defaults are ``docs/study.md``'s."""

    manifest: Path
    models: Path
    methods: tuple[str, ...]
    out: Path
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # method -> option -> value
    target: str = "predicted"
    shard_size: int = 32  # images per shard (and per Zarr chunk)
    heatmap_size: int = 64  # stored heatmaps: heatmap_size x heatmap_size float16
    steps: int = 20  # deletion / insertion steps K
    baseline: str = "blur"  # blur: Gaussian sigma = crop side / 10; mean: the mean colour
    blur_fraction: float = 0.1
    random_draws: int = 3
    contrast: bool = True
    sanity_images: int = 50
    seed: int = 0
    batch_size: int = 32
    limit: int | None = None  # only the first N images (manifest order)
    engine: str = "local"
    workers: int | None = None  # dask: LocalCluster of N processes
    scheduler: str | None = None  # dask: address of a running scheduler
    show_progress_bar: bool = True

    def __post_init__(self) -> None:
        self.manifest, self.models, self.out = Path(self.manifest), Path(self.models), Path(self.out)
        self.methods = tuple(self.methods)
        checks = [(self.target in TARGETS, f"target must be one of {TARGETS}, got {self.target!r}"),
                  (self.baseline in BASELINES, f"baseline must be one of {BASELINES}, got {self.baseline!r}"),
                  (self.engine in ENGINES, f"engine must be one of {ENGINES}, got {self.engine!r}"),
                  (self.shard_size >= 1 and self.heatmap_size >= 8, "shard size >= 1 and heatmap size >= 8"),
                  (self.steps >= 1 and self.random_draws >= 1, "steps and random draws must be >= 1"),
                  (self.limit is None or self.limit >= 1, "limit must be >= 1"),
                  (bool(self.methods), "choose at least one method"),
                  (len(set(self.methods)) == len(self.methods), "a method is listed twice")]
        for ok, message in checks:
            if not ok:
                raise StudyError(message)
        unknown = sorted(set(self.options) - set(self.methods))
        if unknown:
            raise StudyError(f"options given for methods that are not studied: {unknown}")

    def measure_settings(self) -> dict[str, Any]:
        """The settings every image row depends on (part of every shard key)."""
        return {"target": self.target, "steps": self.steps, "baseline": self.baseline,
                "blur_fraction": self.blur_fraction, "random_draws": self.random_draws, "seed": self.seed,
                "contrast": self.contrast, "heatmap_size": self.heatmap_size}

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("manifest", "models", "out"):
            data[key] = str(data[key])
        data["methods"] = list(self.methods)
        return data
