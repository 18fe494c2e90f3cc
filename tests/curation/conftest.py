"""Fixtures for curation tests: a small real dataset on disk and a project over it."""

from __future__ import annotations

import pytest

from curation_helpers import make_dataset  # noqa: F401  (tests/curation is on sys.path under pytest)


@pytest.fixture
def dataset(tmp_path):
    return make_dataset(tmp_path / "data")


@pytest.fixture
def project(tmp_path, dataset):
    from painxai_gui.curation import Project

    p = Project.create(tmp_path / "p.sqlite", dataset.root, index=dataset, annotator="alice")
    yield p
    p.close()
