"""Fixtures for the explanation-engine tests (models and helpers: explain_models.py)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def pytest_collection_modifyitems(items):
    # Calling a Keras model on a bare array warns about the input structure; harmless here.
    for item in items:
        if "tests/explain/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.filterwarnings("ignore:The structure of `inputs`:UserWarning"))
