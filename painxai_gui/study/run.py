"""``run_study(config)``: plan, run the unfinished shards on an engine, merge the tables.

Resumable and idempotent: each shard's result is in the study folder once
its ledger entry exists (see :mod:`painxai_gui.study.store`); a rerun with
the same inputs skips finished shards, and when nothing is left and the
merged tables are current it does nothing at all.
"""

from __future__ import annotations

import importlib.metadata as md
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from painxai_gui import __version__
from painxai_gui.study.config import StudyConfig
from painxai_gui.study.engines import StudyStopped, run_dask, run_local
from painxai_gui.study.inputs import StudyInputs, digest, load_inputs
from painxai_gui.study.plan import Plan, make_plan, resolved_options
from painxai_gui.study.store import StudyStore, read_table, write_table

VERSIONS = ("tensorflow", "keras", "numpy", "scipy", "scikit-learn", "scikit-image", "dask", "distributed", "zarr",
            "pyarrow", "lime", "opencv-python-headless")


@dataclass
class StudyResult:
    out: Any
    shards_total: int
    shards_run: int
    images: int
    merged: bool
    seconds: float


def versions() -> dict[str, str]:
    found = {"painxai": __version__, "python": sys.version.split()[0]}
    for dist in VERSIONS:
        try:
            found[dist] = md.version(dist)
        except md.PackageNotFoundError:
            found[dist] = "not installed"
    return found


def identity(config: StudyConfig, inputs: StudyInputs) -> dict[str, Any]:
    """What defines a study's results; a folder holds exactly one."""
    return {"manifest_sha256": inputs.manifest.sha256, "images": digest(inputs.image_ids),
            "models": [m.sha256 for m in inputs.models], "model_of": digest(inputs.model_of),
            "methods": list(config.methods), "options": resolved_options(config),
            "settings": config.measure_settings(), "shard_size": config.shard_size,
            "landmarks": "manifest" if inputs.landmarks is not None else "dlib-on-crop"}


def record(config: StudyConfig, inputs: StudyInputs) -> dict[str, Any]:
    return {"inputs": {"manifest": str(config.manifest.resolve()), "models": str(config.models.resolve()),
                       "images": len(inputs.rows)},
            "models": [{"path": str(m.path.resolve()), "sha256": m.sha256, "fold": m.fold} for m in inputs.models],
            "methods": {m: o for m, o in resolved_options(config).items()}, "settings": config.measure_settings(),
            "config": config.to_json(), "versions": versions()}


def _manifest_columns(inputs: StudyInputs, images: np.ndarray) -> dict[str, Any]:
    rows = [inputs.rows[i] for i in images]
    return {"path": [r.image for r in rows], "subject": [r.subject for r in rows],
            "category": [r.category for r in rows], "fold": np.asarray([r.fold or 0 for r in rows]),
            "source_video": [r.source_video for r in rows],
            "frame": np.asarray([-1 if r.frame is None else r.frame for r in rows])}


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    names = list(dict.fromkeys(k for p in parts for k in p))
    out = {}
    for name in names:
        cols = []
        for p in parts:
            n = len(next(iter(p.values())))
            cols.append(p[name] if name in p else np.full(n, np.nan))
        out[name] = np.concatenate(cols)
    return out


def merge(store: StudyStore, plan: Plan, inputs: StudyInputs, methods: tuple[str, ...]) -> None:
    """rows.parquet (image x method, image columns joined in) and sanity.parquet."""
    images = _concat([read_table(store.shard_table("images", s.key)) for s in plan.of_kind("images")])
    where = {int(i): j for j, i in enumerate(images["image"])}
    parts = []
    for shard in plan.of_kind("method"):
        part = read_table(store.shard_table("method", shard.key))
        pos = np.asarray([where[int(i)] for i in part["image"]])
        joined = {"image": part["image"], "method": part["method"], "method_index": np.full(len(pos),
                                                                                              shard.method_index)}
        joined.update(_manifest_columns(inputs, part["image"]))
        joined.update({k: v[pos] for k, v in images.items() if k not in ("image", "target")})
        joined.update({k: v for k, v in part.items() if k not in ("image", "method")})
        parts.append(joined)
    rows = _concat(parts)
    order = np.lexsort((rows["method_index"], rows["image"]))
    write_table(store.out / "rows.parquet", {k: (v[order] if isinstance(v, np.ndarray) else v) for k, v in rows.items()})
    sanity = [read_table(store.shard_table("sanity", s.key)) for s in plan.of_kind("sanity")]
    if sanity:
        table = _concat(sanity)
        order = np.lexsort((table["stage"], table["image"], table["method"], table["model"]))
        write_table(store.out / "sanity.parquet", {k: v[order] for k, v in table.items()})


def _bar(config: StudyConfig, total: int):
    if not config.show_progress_bar:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="study", unit="img", file=sys.stderr, smoothing=0.1)


def run_study(config: StudyConfig, progress: Callable[[int, int], None] | None = None,
              stop_after: int | None = None, client: Any = None) -> StudyResult:
    """Run (or resume) a study; ``stop_after`` stops after that many shards (tests)."""
    start = time.perf_counter()
    inputs = load_inputs(config.manifest, config.models)
    plan = make_plan(config, inputs)
    store = StudyStore(config.out)
    ident = identity(config, inputs)
    store.open(ident, record(config, inputs), plan.total_images, config.methods, config.shard_size,
               config.heatmap_size)
    plan_digest = digest([s.key for s in plan.shards])
    todo = [s for s in plan.shards if not store.is_done(s.kind, s.key)]
    current = (store.read_record() or {}).get("state", {}).get("plan") == plan_digest
    if not todo and current and (store.out / "rows.parquet").is_file():
        return StudyResult(store.out, len(plan.shards), 0, plan.n_images, False, time.perf_counter() - start)
    units = sum(s.size for s in todo)
    bar, done = _bar(config, units), {"shards": 0, "units": 0}

    def on_done(shard, summary) -> None:
        done["shards"] += 1
        done["units"] += shard.size
        if bar is not None:
            bar.update(shard.size)
        if progress is not None:
            progress(done["units"], units)
        if stop_after is not None and done["shards"] >= stop_after:
            raise StudyStopped(f"stopped after {done['shards']} shards")

    try:
        if config.engine == "dask":
            run_dask(todo, on_done, config.batch_size, config.workers, config.scheduler, client)
        else:
            run_local(todo, on_done, config.batch_size)
    finally:
        if bar is not None:
            bar.close()
    merge(store, plan, inputs, config.methods)
    store.update_record(state={"plan": plan_digest, "images": plan.n_images, "complete": plan.n_images ==
                               plan.total_images, "updated": time.strftime("%Y-%m-%dT%H:%M:%S")},
                        versions=versions())
    return StudyResult(store.out, len(plan.shards), len(todo), plan.n_images, True, time.perf_counter() - start)
