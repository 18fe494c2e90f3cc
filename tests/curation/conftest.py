"""Fixtures for curation tests: small real datasets on disk and a project over one."""

from __future__ import annotations

import pytest

from curation_helpers import make_dataset  # noqa: F401  (tests/curation is on sys.path under pytest)

#: demo tree small enough for the real face pipeline in seconds: 3 subjects,
#: PA3/PA4 clips of 6 frames (36 pain frames), emotion videos of 30 frames
DEMO_OPTIONS = {"size": (320, 240), "part_a_frames": 6, "emotion_frames": 30}


@pytest.fixture
def dataset(tmp_path):
    return make_dataset(tmp_path / "data")


@pytest.fixture
def project(tmp_path, dataset):
    from painxai_gui.curation import Project

    p = Project.create(tmp_path / "p.sqlite", dataset.root, index=dataset, annotator="alice")
    yield p
    p.close()


@pytest.fixture(scope="session")
def demo_tree(tmp_path_factory):
    """A generated BioVid-like tree (real face photo in every frame); treat it as read-only."""
    from painxai_gui.demo_data import generate_demo_tree

    root = tmp_path_factory.mktemp("demo") / "biovid"
    generate_demo_tree(root, **DEMO_OPTIONS)
    return root
