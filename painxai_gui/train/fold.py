"""One fold: channel mean (the training images' by default), network, feature cache, head training, outputs."""

from __future__ import annotations

import gc
import time
from pathlib import Path

import numpy as np

from painxai_gui.files import atomic_write, write_record
from painxai_gui.model.spec import VGGFACE_MEAN_RGB, sidecar_path, write_sidecar
from painxai_gui.train.cache import FeatureCache, cache_key, compiled_forward, extract
from painxai_gui.train.head import EarlyStopping, EpochLog, HeadTrainer, Part, predict, scores
from painxai_gui.train.network import Network, build_network
from painxai_gui.train.report import write_fold_report, write_history
from painxai_gui.train.results import RESULT_KIND, RESULT_VERSION, FoldResult
from painxai_gui.train.runner import RunContext
from painxai_gui.train.splits import FoldSplit


def open_cache(ctx: RunContext, net: Network, spec) -> FeatureCache:
    cfg, digests = ctx.config, ctx.stats.digests
    key = cache_key(net.fingerprint, spec, digests, net.feature_shape, cfg.cache_dtype)
    meta = {"base_fingerprint": net.fingerprint, "mean": list(spec.mean), "input_size": list(spec.input_size),
            "color_mode": spec.color_mode, "feature_shape": list(net.feature_shape), "rows": len(digests),
            "manifest": str(ctx.manifest.path)}
    size = int(np.prod(net.feature_shape))
    return FeatureCache.open(ctx.config.cache_root, key, len(digests), size, cfg.cache_dtype, meta)


def _bar(ctx: RunContext, fold: int):
    """A progress(done, total) callback for extraction: tqdm (when asked) plus Progress events."""
    bar = None
    if ctx.config.show_progress_bar:
        from tqdm import tqdm

        bar = tqdm(desc=f"fold {fold}: pool5 features", unit="img", leave=False)

    def update(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.update(done - bar.n)
        ctx.emit("extract", f"fold {fold}: features {done}/{total}", fold=fold, step=done, total=total)

    return update, (bar.close if bar is not None else (lambda: None))


def extract_fold(ctx: RunContext, split: FoldSplit, net: Network, spec, cache: FeatureCache) -> None:
    flips = (0, 1) if ctx.config.flip else (0,)
    pairs = [(r, f) for r in split.train + split.val for f in flips] + [(r, 0) for r in split.test]
    todo = len(cache.missing(pairs))
    ctx.emit("extract", f"fold {split.fold}: {todo} of {len(pairs)} (image, flip) features to compute "
             f"({len(pairs) - todo} cached)", fold=split.fold, total=todo)
    update, close = _bar(ctx, split.fold)
    try:
        extract(cache, compiled_forward(net.extractor, spec), [r.path for r in ctx.manifest.rows], pairs, spec,
                ctx.config.extract_batch, update, ctx.cancel)
    finally:
        close()


def fit_fold(ctx: RunContext, split: FoldSplit, net: Network, cache: FeatureCache):
    cfg, labels = ctx.config, ctx.labels
    flips = (0, 1) if cfg.flip else (0,)
    train = Part.of(split.train, labels[list(split.train)])
    val = Part.of(split.val, labels[list(split.val)], flips)
    trainer = HeadTrainer(net.head, cache, net.feature_shape, len(ctx.classes), cfg.learning_rate,
                          cfg.batch_size, cfg.flip)

    def on_epoch(h: EpochLog) -> None:
        ctx.emit("epoch", f"fold {split.fold} epoch {h.epoch}/{cfg.epochs}: loss {h.loss:.4f} acc {h.accuracy:.4f}"
                 f" | val_loss {h.val_loss:.4f} val_acc {h.val_accuracy:.4f} ({h.seconds:.1f} s)",
                 fold=split.fold, step=h.epoch, total=cfg.epochs, loss=h.loss, accuracy=h.accuracy,
                 val_loss=h.val_loss, val_accuracy=h.val_accuracy)

    rng = np.random.default_rng([cfg.seed, split.fold, 1])
    fit = trainer.fit(train, val, cfg.epochs, EarlyStopping(cfg.patience, cfg.min_delta), rng, on_epoch,
                      ctx.cancel)
    return fit, Part.of(split.train, labels[list(split.train)], flips), val


def fold_mean(ctx: RunContext, split: FoldSplit) -> tuple[float, ...]:
    source = ctx.config.mean_source
    if source == "vggface":
        return tuple(VGGFACE_MEAN_RGB[::-1] if ctx.config.color_mode == "bgr" else VGGFACE_MEAN_RGB)
    return ctx.stats.mean_of(split.train if source == "fold" else range(len(ctx.manifest.rows)))


def run_fold(ctx: RunContext, split: FoldSplit, remove_cache: bool = True) -> FoldResult:
    """Train, evaluate and write one fold; ``result.json`` is written last (the fold's done marker)."""
    cfg, start, fold = ctx.config, time.perf_counter(), split.fold
    mean = fold_mean(ctx, split)
    spec = ctx.spec(mean, fold)
    ctx.emit("fold", f"fold {fold}: {len(split.train)} training, {len(split.val)} validation, "
             f"{len(split.test)} test images; channel mean {', '.join(f'{m:.4f}' for m in mean)}", fold=fold)
    net = build_network(ctx.builder, len(ctx.classes), (*cfg.input_size, spec.channels), cfg.fc_units,
                        cfg.l2, cfg.dropout, Path(cfg.base_weights) if cfg.base_weights else None, cfg.seed)
    for note in net.notes:
        if "NOT loaded" in note:
            ctx.emit("warning", note, fold=fold)
    cache = open_cache(ctx, net, spec)
    extract_fold(ctx, split, net, spec, cache)
    fit, train_all, val = fit_fold(ctx, split, net, cache)
    test = Part.of(split.test, ctx.labels[list(split.test)])
    evals = [scores(predict(net.head, cache, part, net.feature_shape, 256), part.labels)
             for part in (train_all, val)]
    test_probs = predict(net.head, cache, test, net.feature_shape, 256)
    evals.append(scores(test_probs, test.labels))
    result = FoldResult(fold, *evals[0], *evals[1], *evals[2], fit.epochs, fit.best_epoch, len(split.train),
                        len(split.val), len(split.test), tuple(mean), split.train_subjects, split.val_subjects,
                        split.test_subjects, tuple(fit.history), time.perf_counter() - start, tuple(net.notes))
    write_fold(ctx, result, net, spec, test_probs, test.labels)
    if remove_cache:
        cache.remove()
    del net, cache
    gc.collect()
    return result


def write_fold(ctx: RunContext, result: FoldResult, net: Network, spec, probs: np.ndarray,
               labels: np.ndarray) -> None:
    folder = ctx.out / f"fold_{result.fold}"
    folder.mkdir(parents=True, exist_ok=True)
    model_path = atomic_write(folder / "model.keras", net.model.save)
    write_sidecar(spec, sidecar_path(model_path))
    write_history(folder, result.fold, result.history, result.best_epoch)
    rows = [ctx.manifest.rows[i] for i in ctx.splits[result.fold - 1].test]
    write_fold_report(folder, result.fold, rows, probs, labels, ctx.classes)
    write_record(folder / "result.json", RESULT_KIND, RESULT_VERSION, result.to_json())
    ctx.emit("fold", f"fold {result.fold}: test accuracy {result.test_accuracy:.4f}, loss {result.test_loss:.4f}, "
             f"{result.epochs} epochs (best {result.best_epoch}) -> {folder}", fold=result.fold,
             test_accuracy=result.test_accuracy, test_loss=result.test_loss)
