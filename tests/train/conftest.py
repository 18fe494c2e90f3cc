"""Shared fixtures: a generated curated set (32x32 crops, 8 subjects, 4 folds) and a tiny stand-in base."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from painxai_gui.train import TrainConfig
from painxai_gui.train.synthetic import make_dataset


@pytest.fixture(scope="session")
def synth_manifest(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("synth"), subjects=8, frames=4, size=32, folds=4, seed=0)


def tiny_config(manifest: Path, out: Path, **changes) -> TrainConfig:
    """Settings that learn the generated signal in a few seconds (the thesis's lr 1e-5 is far too slow here)."""
    cfg = TrainConfig(manifest=manifest, out=out, architecture="tiny", input_size=(32, 32), fc_units=32,
                      learning_rate=1e-2, epochs=30, patience=3, batch_size=16, seed=0)
    return replace(cfg, **changes)


@pytest.fixture(scope="session")
def make_config():
    return tiny_config


@pytest.fixture(scope="session")
def reference_run(synth_manifest, tmp_path_factory):
    """One uninterrupted run, shared by the tests that only read its outputs."""
    from painxai_gui.train import train

    events = []
    out = tmp_path_factory.mktemp("runs") / "reference"
    result = train(tiny_config(synth_manifest, out), progress=events.append)
    return result, events
