"""A tiny generated BioVid-like tree (3 subjects, 320x240, a few frames per video), made once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from painxai_gui.demo_data import generate_demo_tree

PART_A_FRAMES = 6
EMOTION_FRAMES = 9


@pytest.fixture(scope="session")
def demo_tree(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("biovid") / "root"
    return generate_demo_tree(root, size=(320, 240), part_a_frames=PART_A_FRAMES, emotion_frames=EMOTION_FRAMES)


@pytest.fixture
def tree_copy(demo_tree, tmp_path: Path) -> Path:
    """A private copy of the demo tree that a test may damage."""
    return Path(shutil.copytree(demo_tree.root, tmp_path / "root"))
