"""Study: explain a whole curated set, measure which facial regions each class uses, scale out on Dask.

    from painxai_gui.study import StudyConfig, run_study, make_report
    run_study(StudyConfig(manifest="balanced/manifest.csv", models="runs/first", methods=("gradcam",),
                          out="study"))
    make_report("study", "report")

Definitions of every measure: ``docs/study.md``. Qt-free; TensorFlow, Dask,
Zarr and PyArrow are imported only when used.

| module | role |
|---|---|
| ``config`` | ``StudyConfig`` |
| ``inputs`` | manifest, fold models, landmarks, crops |
| ``explain_step`` | THE per-image explanation + region measures (the seam to the shared face path) |
| ``sanity`` | cascading model randomisation |
| ``plan`` / ``shard`` | shards keyed by their inputs; running one shard |
| ``store`` | ``heatmaps.zarr``, Parquet tables, ledger, ``record.json`` |
| ``engines`` / ``run`` | local and Dask engines; ``run_study`` |
| ``stats`` / ``warp`` / ``spray`` | bootstrap, permutation, Holm; template warp; SpRAy |
| ``report*`` | tables, faces and clusters, figures, Markdown |
| ``synthetic`` | a known-truth set (tests, benchmarks) |
"""

from __future__ import annotations

from typing import Any

__all__ = ["StudyConfig", "make_report", "run_study"]


def __getattr__(name: str) -> Any:
    if name == "StudyConfig":
        from painxai_gui.study.config import StudyConfig

        return StudyConfig
    if name == "run_study":
        from painxai_gui.study.run import run_study

        return run_study
    if name == "make_report":
        from painxai_gui.study.report import make_report

        return make_report
    raise AttributeError(name)
