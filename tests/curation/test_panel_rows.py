"""Figure-panel rows in the project file: order, undo/redo, reopen, migration of version-1 files, memory keeper."""

from __future__ import annotations

import sqlite3

import pytest

from painxai_gui.curation import Project
from painxai_gui.curation.panel import MemoryPanel, PanelRef, moved, panel_diff, reordered, with_added, without
from painxai_gui.curation.schema import SCHEMA_VERSION
from painxai_gui.errors import ProjectError

PAIN = "PartA/video/071300_w_20/071300_w_20-PA3-000.mp4"
DISGUST = "emotion/071301_w_21-disgust.mp4"
HAPPY = "emotion/071302_w_22-happiness.mp4"


def _file_rows(path):
    """The rows as stored, read through a separate read-only connection (like another process)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT position, video_id, frame FROM panel_rows ORDER BY position").fetchall()
    finally:
        conn.close()


def test_list_operations_by_hand():
    a, b, c = PanelRef("v", 1), PanelRef("v", 2), PanelRef("w", 0)
    assert with_added([a, b], c) == [a, b, c] and with_added([a, b], PanelRef("v", 2)) is None
    assert without([a, b, c], [1, 7]) == [a, c]
    assert moved([a, b, c], 2, 0) == [c, a, b] and moved([a, b, c], 0, 99) == [b, c, a]
    assert reordered([a, b, c], [2, 0, 1]) == [c, a, b]
    with pytest.raises(ValueError):
        reordered([a, b, c], [0, 0, 1])
    change = panel_diff([a, b, c], [a, c])  # row 0 stays untouched
    assert change.removed == ((1, "v", 2), (2, "w", 0)) and change.added == ((1, "w", 0),)


def test_rows_are_committed_in_order_undone_and_kept_across_reopen(project):
    path = project.path
    assert project.add_panel_row(PAIN, 3) and project.add_panel_row(DISGUST, 10)
    assert project.add_panel_row(HAPPY, 30)
    assert not project.add_panel_row(DISGUST, 10)  # already a row: nothing changes, no history entry
    assert _file_rows(path) == [(0, PAIN, 3), (1, DISGUST, 10), (2, HAPPY, 30)]
    assert project.move_panel_row(2, 0)
    assert _file_rows(path) == [(0, HAPPY, 30), (1, PAIN, 3), (2, DISGUST, 10)]
    assert project.remove_panel_rows([1]) == 1
    assert _file_rows(path) == [(0, HAPPY, 30), (1, DISGUST, 10)]
    assert project.undo_description == "remove panel row 2"
    assert project.undo() == "remove panel row 2"
    assert _file_rows(path) == [(0, HAPPY, 30), (1, PAIN, 3), (2, DISGUST, 10)]
    project.undo()
    assert _file_rows(path) == [(0, PAIN, 3), (1, DISGUST, 10), (2, HAPPY, 30)]
    project.redo()
    assert project.reorder_panel_rows([1, 2, 0])
    project.set_panel_title("Figure 5.10 again")
    expected = [PanelRef(PAIN, 3), PanelRef(DISGUST, 10), PanelRef(HAPPY, 30)]
    assert project.panel_rows() == expected
    actions = [e.action for e in project.audit_log()]
    assert actions.count("panel_add") == 3 and "panel_move" in actions and "undo" in actions
    project.close()
    with Project.open(path) as again:  # undo history and rows survive closing
        assert again.panel_rows() == expected and again.panel_title() == "Figure 5.10 again"
        again.undo()
        assert again.panel_rows() == [PanelRef(HAPPY, 30), PanelRef(PAIN, 3), PanelRef(DISGUST, 10)]


def test_bad_rows_are_refused_with_the_project_named(project):
    with pytest.raises(ProjectError, match="outside 0..30") as info:
        project.add_panel_row(DISGUST, 31)
    assert info.value.path == project.path
    with pytest.raises(ProjectError, match="nope.mp4"):
        project.add_panel_row("nope.mp4", 0)
    with pytest.raises(ProjectError, match="cannot reorder"):
        project.reorder_panel_rows([0, 0])
    assert project.panel_rows() == [] and project.undo_description is None


def test_a_version_1_project_opens_and_is_migrated(project):
    """A file made before panels existed: read-only it opens as it is (no rows); for writing it gets the table."""
    path = project.path
    project.add_panel_row(PAIN, 1)
    project.close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE panel_rows")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with Project.open(path, read_only=True) as old:
        assert old.panel_rows() == [] and old.videos()
    with Project.open(path) as upgraded:
        assert upgraded.panel_rows() == []
        assert upgraded.add_panel_row(PAIN, 2)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    conn.close()
    assert _file_rows(path) == [(0, PAIN, 2)]


def test_memory_keeper_behaves_like_the_project(project):
    memory = MemoryPanel()
    for keeper in (memory, project):
        assert keeper.add_panel_row(PAIN, 3) and keeper.add_panel_row(DISGUST, 10) and keeper.add_panel_row(HAPPY, 0)
        assert not keeper.add_panel_row(PAIN, 3)
        assert keeper.move_panel_row(0, 2) and keeper.remove_panel_rows([0]) == 1
        assert keeper.reorder_panel_rows([1, 0])
        keeper.set_panel_title("  t  ")
    assert memory.panel_rows() == project.panel_rows() == [PanelRef(PAIN, 3), PanelRef(HAPPY, 0)]
    assert memory.panel_title() == project.panel_title() == "t"
    assert not memory.persistent and project.persistent
