"""Shared settings of the study tests."""

from __future__ import annotations

from pathlib import Path

METHODS = ("gradient", "lrp.epsilon")
SETTINGS = dict(shard_size=12, sanity_images=4, heatmap_size=32)


def study_config(known_truth: dict[str, Path], out: Path, **changes):
    from painxai_gui.study import StudyConfig

    kw = dict(manifest=known_truth["manifest"], models=known_truth["run"], methods=METHODS, out=out,
              show_progress_bar=False, **SETTINGS)
    kw.update(changes)
    return StudyConfig(**kw)
