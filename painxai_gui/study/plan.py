"""A study cut into shards, each keyed by what its results depend on.

Images (manifest order) are cut into blocks of ``shard_size``; a block is one
Zarr chunk along the image axis. Per block there is one *images* shard
(probabilities, target, landmarks, the random-ranking baseline's AUCs) and
one *method* shard per method (heatmaps, region measures, deletion /
insertion AUCs, class contrast); per (model, method) one *sanity* shard.

Keys are sha256 digests of (image ids, model hashes, method, resolved
options, measure settings): a finished shard with the same key is never done
again; a changed input changes the key and the shard is redone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from painxai_gui.study.config import StudyConfig
from painxai_gui.study.inputs import StudyInputs, digest


@dataclass
class Shard:
    """One unit of work; plain data, so Dask can send it to a worker."""

    kind: str  # "images" | "method" | "sanity"
    key: str
    out: str
    rows: list[int]  # manifest row indices (block, or the sanity subset)
    paths: list[str]
    categories: list[str]
    models: list[tuple[str, str]]  # (path, sha256) per distinct model
    model_of: list[int]  # per row: index into models
    settings: dict[str, Any]
    method: str | None = None
    method_index: int = -1
    options: dict[str, Any] = field(default_factory=dict)
    landmarks: np.ndarray | None = None  # from the manifest (None: detected by the images shard)
    depends: str | None = None  # method shard that needs the images shard's detected landmarks
    block: int = -1

    @property
    def size(self) -> int:
        return len(self.rows)


@dataclass
class Plan:
    shards: list[Shard]
    n_images: int  # images covered (after --limit)
    total_images: int  # images in the manifest (the Zarr array's length)

    def of_kind(self, kind: str) -> list[Shard]:
        return [s for s in self.shards if s.kind == kind]


def resolved_options(config: StudyConfig) -> dict[str, dict[str, Any]]:
    """Every method's options with defaults filled in (checked now, before any work)."""
    from painxai_gui.explain import get_method

    return {m: get_method(m).resolve_options(config.options.get(m, {})) for m in config.methods}


def _shard(kind: str, key: str, config: StudyConfig, inputs: StudyInputs, rows: list[int], **extra: Any) -> Shard:
    used = sorted({inputs.model_of[r] for r in rows})
    local = {m: i for i, m in enumerate(used)}
    return Shard(kind, key, str(config.out), rows, [str(inputs.rows[r].path) for r in rows],
                 [inputs.rows[r].category for r in rows],
                 [(str(inputs.models[m].path), inputs.models[m].sha256) for m in used],
                 [local[inputs.model_of[r]] for r in rows], config.measure_settings(), **extra)


def sanity_subset(rows: list[int], count: int, seed: int, sha256: str) -> list[int]:
    """``count`` rows of one model, drawn with a seed and the model hash; sorted."""
    if len(rows) <= count:
        return sorted(rows)
    rng = np.random.default_rng([seed, int(sha256[:8], 16)])
    return sorted(int(r) for r in rng.choice(rows, size=count, replace=False))


def make_plan(config: StudyConfig, inputs: StudyInputs) -> Plan:
    options = resolved_options(config)
    total = len(inputs.rows)
    n = min(total, config.limit) if config.limit else total
    shards: list[Shard] = []
    landmark_source = "dlib-on-crop" if inputs.landmarks is None else "manifest"
    for block, start in enumerate(range(0, n, config.shard_size)):
        rows = list(range(start, min(start + config.shard_size, n)))
        ids = [inputs.image_ids[r] for r in rows]
        shas = [inputs.models[inputs.model_of[r]].sha256 for r in rows]
        lms = None if inputs.landmarks is None else inputs.landmarks[rows]
        image_key = digest(["images", ids, shas, config.measure_settings(), landmark_source,
                            None if lms is None else digest(lms.round(3).tolist())])
        shards.append(_shard("images", image_key, config, inputs, rows, landmarks=lms, block=block))
        for index, method in enumerate(config.methods):
            key = digest(["method", image_key, method, options[method]])
            # landmarks from the manifest travel with the shard; detected ones come from the images shard
            shards.append(_shard("method", key, config, inputs, rows, method=method, method_index=index,
                                 options=options[method], landmarks=lms, depends=image_key if lms is None else None,
                                 block=block))
    for m, ref in enumerate(inputs.models):
        rows = sanity_subset([r for r in range(n) if inputs.model_of[r] == m], config.sanity_images,
                             config.seed, ref.sha256)
        if not rows or config.sanity_images < 1:
            continue
        for method in config.methods:
            key = digest(["sanity", ref.sha256, method, options[method], [inputs.image_ids[r] for r in rows],
                          config.measure_settings()])
            shards.append(_shard("sanity", key, config, inputs, rows, method=method, options=options[method]))
    return Plan(shards, n, total)
