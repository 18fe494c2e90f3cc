"""``train(config)``: subject-wise cross-validation of the VGG-Face head on cached pool5 features.

A run folder holds ``run.json`` (the settings that define it), ``fold_k/`` per
fold and the summaries. A fold is finished when ``fold_k/result.json`` exists
(written last, atomically); a rerun with the same settings skips finished folds,
reuses extracted features and retrains an unfinished fold's head from its seeded
start, so a resumed run gives the same numbers as an uninterrupted one.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from painxai_gui import __version__
from painxai_gui.errors import DatasetError, cancel_check
from painxai_gui.files import read_record, write_record
from painxai_gui.model.loading import file_sha256
from painxai_gui.model.spec import ModelSpec
from painxai_gui.model.vggface import build_vggface
from painxai_gui.train.config import CancelHook, Progress, ProgressCallback, TrainConfig
from painxai_gui.train.errors import TrainError
from painxai_gui.train.images import ImageStats, scan_images
from painxai_gui.train.manifest import Manifest, class_order, read_manifest
from painxai_gui.train.network import ARCHITECTURES, BaseBuilder
from painxai_gui.train.results import FoldResult
from painxai_gui.train.splits import FoldSplit, make_splits

log = logging.getLogger(__name__)
RUN_FORMAT = "painxai-train-run"  # run.json's record kind
RUN_VERSION = 1
RANDOM_BASE = ("NO BASE WEIGHTS: the frozen convolutional layers have RANDOM weights (pass --base with the "
               "VGG-Face weights); these results say nothing about fine-tuned VGG-Face")


@dataclass
class RunContext:
    config: TrainConfig
    builder: BaseBuilder
    arch_label: str
    manifest: Manifest
    classes: tuple[str, ...]
    labels: np.ndarray  # class index per manifest row
    splits: list[FoldSplit]
    progress: ProgressCallback | None = None
    cancel: Callable[[], bool] | None = None
    stats: ImageStats | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def out(self) -> Path:
        return Path(self.config.out)

    def emit(self, stage: str, message: str, fold: int | None = None, step: int = 0, total: int = 0,
             **metrics: float) -> None:
        if self.progress is None and stage in ("warning", "fold", "skip", "done"):
            (log.warning if stage == "warning" else log.info)(message)
        if self.progress is not None:
            self.progress(Progress(stage, message, fold, step, total, metrics))

    def spec(self, mean: Sequence[float], fold: int) -> ModelSpec:
        cfg = self.config
        vgg = self.builder is build_vggface and cfg.fc_units == 4096
        extra = {"trained_by": f"painxai train {__version__}", "run": self.out.name, "fold": fold,
                 "base_weights": str(cfg.base_weights) if cfg.base_weights else None,
                 "test_subjects": list(self.splits[fold - 1].test_subjects)}
        return ModelSpec(class_names=self.classes, input_size=tuple(cfg.input_size), color_mode=cfg.color_mode,
                         scale=1.0 / 255.0, offset=0.0, mean=tuple(mean),
                         architecture="vggface" if vgg else None, extra=extra)


@dataclass
class RunResult:
    out: Path
    classes: tuple[str, ...]
    folds: list[FoldResult]
    pending: list[int]
    notes: list[str]


def _builder(config: TrainConfig, base_builder: BaseBuilder | None) -> tuple[BaseBuilder, str]:
    if base_builder is not None:
        return base_builder, f"custom:{getattr(base_builder, '__qualname__', repr(base_builder))}"
    if config.architecture not in ARCHITECTURES:
        raise TrainError(f"unknown architecture {config.architecture!r} (known: {sorted(ARCHITECTURES)})")
    return ARCHITECTURES[config.architecture], config.architecture


def prepare(config: TrainConfig, base_builder: BaseBuilder | None = None, progress: ProgressCallback | None = None,
            cancel: CancelHook = None) -> RunContext:
    """Read the manifest, fix classes and folds (no image is read yet)."""
    if config.base_weights is not None and not Path(config.base_weights).is_file():
        raise TrainError("base weights file not found", config.base_weights)
    builder, label = _builder(config, base_builder)
    manifest = read_manifest(config.manifest)
    classes = class_order(manifest.categories, config.classes)
    if len(classes) < 2:
        raise DatasetError(f"training needs at least two classes, the manifest has {list(classes)}", manifest.path)
    index = {c: i for i, c in enumerate(classes)}
    labels = np.asarray([index[r.category] for r in manifest.rows], np.int64)
    splits = make_splits(manifest.rows, config.folds, config.val_fraction, config.seed)
    return RunContext(config, builder, label, manifest, classes, labels, splits, progress, cancel_check(cancel))


def _identity(ctx: RunContext) -> dict:
    cfg = ctx.config
    data = cfg.identity()
    data.update(folds=len(ctx.splits), manifest=str(Path(cfg.manifest).resolve()),
                manifest_sha256=ctx.manifest.sha256, architecture=ctx.arch_label, classes=list(ctx.classes),
                images_sha256=hashlib.sha256("\n".join(ctx.stats.digests).encode()).hexdigest(),
                base_weights=str(Path(cfg.base_weights).resolve()) if cfg.base_weights else None,
                base_sha256=file_sha256(cfg.base_weights) if cfg.base_weights else None)
    return data


def open_run(ctx: RunContext) -> None:
    """Write run.json, or check that an existing run folder was made with the same settings."""
    path = ctx.out / "run.json"
    identity = _identity(ctx)
    if path.exists():
        old = read_record(path, RUN_FORMAT, RUN_VERSION, TrainError).data.get("identity", {})
        differ = sorted(k for k in set(old) | set(identity) if old.get(k) != identity.get(k))
        if differ:
            raise TrainError(f"this run folder was made with other settings ({', '.join(differ)}); "
                             "use another --out to start a new run", ctx.out)
        ctx.emit("resume", f"resuming the run in {ctx.out}")
        return
    ctx.out.mkdir(parents=True, exist_ok=True)
    write_record(path, RUN_FORMAT, RUN_VERSION, {"tool": __version__, "identity": identity,
                                                 "created": time.strftime("%Y-%m-%dT%H:%M:%S")})


def scan(ctx: RunContext) -> None:
    paths = [r.path for r in ctx.manifest.rows]
    ctx.emit("scan", f"reading {len(paths)} images (hashes and channel means)", total=len(paths))
    flat = ctx.spec((0.0, 0.0, 0.0), 1)  # scan_images measures before centring
    step = max(1, len(paths) // 20)

    def on_step(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            ctx.emit("scan", f"read {done}/{total} images", step=done, total=total)

    ctx.stats = scan_images(paths, flat, on_step, ctx.cancel)


def fold_done(out: Path, fold: int) -> bool:
    folder = out / f"fold_{fold}"
    return (folder / "result.json").is_file() and (folder / "model.keras").is_file()


def train(config: TrainConfig, *, base_builder: BaseBuilder | None = None, progress: ProgressCallback | None = None,
          cancel: CancelHook = None) -> RunResult:
    """Run (or resume) the cross-validation; see the module docstring. Raises TrainCancelled on cancel."""
    from painxai_gui.train.fold import run_fold
    from painxai_gui.train.summary import write_summary

    ctx = prepare(config, base_builder, progress, cancel)
    if config.base_weights is None:
        ctx.notes.append(RANDOM_BASE)
        ctx.emit("warning", RANDOM_BASE)
    scan(ctx)
    open_run(ctx)
    wanted = set(config.only_folds or [s.fold for s in ctx.splits])
    unknown = wanted - {s.fold for s in ctx.splits}
    if unknown:
        raise TrainError(f"no fold(s) {sorted(unknown)}; the run has folds 1..{len(ctx.splits)}")
    results: dict[int, FoldResult] = {}
    todo = [s.fold for s in ctx.splits if s.fold in wanted and not fold_done(ctx.out, s.fold)]
    for split in ctx.splits:
        if fold_done(ctx.out, split.fold):
            results[split.fold] = FoldResult.read(ctx.out / f"fold_{split.fold}" / "result.json")
            ctx.emit("skip", f"fold {split.fold}: finished earlier, skipped", fold=split.fold)
        elif split.fold in wanted:
            # a per-fold mean means a per-fold cache; a shared mean shares it until the last fold
            shared = config.mean_source != "fold" and split.fold != todo[-1]
            results[split.fold] = run_fold(ctx, split, remove_cache=not (config.keep_cache or shared))
            write_summary(ctx, results)
    summary = write_summary(ctx, results)
    ctx.emit("done", f"finished {len(results)}/{len(ctx.splits)} folds; results in {ctx.out}")
    return summary
