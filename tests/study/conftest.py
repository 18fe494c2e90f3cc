"""A known-truth study, run once per session: synthetic faces, one-region-per-class fold models."""

from __future__ import annotations

from pathlib import Path

import pytest

from study_helpers import METHODS, SETTINGS  # noqa: E402


@pytest.fixture(scope="session")
def known_truth(tmp_path_factory) -> dict[str, Path]:
    """6 subjects x 3 classes x 2 frames (96 px crops, landmarks in the manifest), 2 fold models."""
    from painxai_gui.study.synthetic import make_known_truth, make_run_folder

    root = tmp_path_factory.mktemp("known_truth")
    manifest = make_known_truth(root / "set", subjects=6, frames=2, size=96, folds=2)
    run = make_run_folder(root / "run", manifest)
    return {"root": root, "manifest": manifest, "run": run}


@pytest.fixture(scope="session")
def local_study(known_truth) -> Path:
    """The study run through the CLI (local engine)."""
    from painxai_gui.cli import main

    out = known_truth["root"] / "study"
    argv = ["study", "run", "--manifest", str(known_truth["manifest"]), "--models", str(known_truth["run"]),
            "--methods", ",".join(METHODS), "--out", str(out), "--quiet",
            "--shard-size", str(SETTINGS["shard_size"]), "--sanity-images", str(SETTINGS["sanity_images"]),
            "--heatmap-size", str(SETTINGS["heatmap_size"])]
    assert main(argv) == 0
    return out


@pytest.fixture(scope="session")
def study_report(local_study) -> Path:
    from painxai_gui.cli import main

    out = local_study.parent / "report"
    assert main(["study", "report", str(local_study), "--out", str(out), "--bootstrap", "500",
                 "--permutations", "2000"]) == 0
    return out
