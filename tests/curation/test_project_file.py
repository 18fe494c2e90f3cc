"""The project file: one writer per file (not per name), never harmed, never half-made, readable when read-only.

Mounts (a tiny tmpfs for a full disk, a read-only bind mount) are real where
this process may mount (root); otherwise those tests use the real condition a
normal user can make (a read-only folder) or are skipped with the reason.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from curation_helpers import make_dataset
from painxai_gui.cli import main
from painxai_gui.curation import Project
from painxai_gui.curation.lock import lock_path
from painxai_gui.errors import ProjectError, ProjectLockedError, ProjectReadOnlyError

CHILD = Path(__file__).with_name("crash_child.py")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def closed(tmp_path, dataset):
    """A closed project file with one selection."""
    path = tmp_path / "p.painxai"
    with Project.create(path, dataset.root, index=dataset, annotator="alice") as p:
        p.select(p.videos(role="slots")[0], 1)
    return path


def _links(tmp_path: Path, path: Path) -> tuple[Path, Path]:
    symlink = tmp_path / "alias.painxai"
    symlink.symlink_to(path)
    (tmp_path / "elsewhere").mkdir()
    hard = tmp_path / "elsewhere" / "hard.painxai"
    os.link(path, hard)
    return symlink, hard


# -- one writer per file ---------------------------------------------------------------------
def test_links_to_one_file_meet_one_lock_in_one_process(tmp_path, closed):
    symlink, hard = _links(tmp_path, closed)
    with Project.open(closed, annotator="alice") as first:
        for other in (symlink, hard):
            with pytest.raises(ProjectLockedError):
                Project.open(other, annotator="bob")
        with Project.open(hard, read_only=True) as reader:  # readers are welcome through any name
            assert reader.selections(reader.videos(role="slots")[0]) == {1}
        first.select(first.videos(role="slots")[0], 2)
    with Project.open(hard, annotator="bob") as again:
        assert again.selections(again.videos(role="slots")[0]) == {1, 2}


class _Holder:
    """A child process holding the project open for writing through ``path``."""

    def __init__(self, path: Path):
        self.proc = subprocess.Popen([sys.executable, str(CHILD), "hold", str(path)], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, cwd=CHILD.parent)
        line = self.proc.stdout.readline()
        assert line.startswith("ready"), self.proc.stderr.read()

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(30)


def test_links_to_one_file_meet_one_lock_across_processes(tmp_path, closed):
    symlink, hard = _links(tmp_path, closed)
    holder = _Holder(symlink)
    try:
        with pytest.raises(ProjectLockedError) as info:
            Project.open(closed)
        assert (info.value.annotator, info.value.pid) == ("child", holder.proc.pid)  # the record is by the file
        with pytest.raises(ProjectLockedError):
            Project.open(hard)
        lock_path(closed).unlink()  # a deleted lock record bypasses nothing
        with pytest.raises(ProjectLockedError, match="by another process"):
            Project.open(hard)
    finally:
        holder.stop()
    with Project.open(hard, annotator="bob") as p:  # the OS released the dead child's lock
        assert p.selections(p.videos(role="slots")[0]) == {1}


def test_a_deleted_lock_file_bypasses_nothing(closed):
    with Project.open(closed, annotator="alice"):
        lock_path(closed).unlink()
        with pytest.raises(ProjectLockedError):
            Project.open(closed, annotator="bob")


def test_hard_link_writers_no_longer_lose_selections(tmp_path, closed):
    """Through a hard link a second writer could open the file and its selections vanished."""
    _, hard = _links(tmp_path, closed)
    first = Project.open(closed, annotator="alice")
    try:
        video = first.videos(role="slots")[0]
        first.select_range(video, 2, 8)
        with pytest.raises(ProjectLockedError):
            Project.open(hard, annotator="bob")
    finally:
        first.close()
    with Project.open(hard, read_only=True) as p:
        assert p.selections(video) == frozenset({1, *range(2, 8)})


# -- files that are not ours are never changed ----------------------------------------------------
def _other_apps_database(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.executemany("INSERT INTO notes (text) VALUES (?)", [("note %d" % i,) for i in range(50)])
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("kind", ["other app's SQLite", "empty file", "text file"])
@pytest.mark.parametrize("read_only", [False, True])
def test_opening_a_file_that_is_not_a_project_changes_nothing(tmp_path, kind, read_only):
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "thing.painxai"
    if kind == "other app's SQLite":
        _other_apps_database(path)
    elif kind == "empty file":
        path.write_bytes(b"")
    else:
        path.write_text("hello, not a database\n" * 20)
    before, listing = _digest(path), _listing(folder)
    with pytest.raises(ProjectError, match="not a PainXAI project"):
        Project.open(path, read_only=read_only)
    assert _digest(path) == before and _listing(folder) == listing  # no WAL switch, no .lock, no -shm
    if kind == "empty file":
        assert path.stat().st_size == 0


def test_a_painxai_file_with_a_schema_it_cannot_use_says_so(tmp_path, closed):
    conn = sqlite3.connect(closed)
    conn.execute("DROP TABLE predictions")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="no table 'predictions'") as info:
        Project.open(closed)
    assert not isinstance(info.value.__cause__, sqlite3.Error) or "damaged" in str(info.value)
    broken = tmp_path / "b.painxai"
    conn = sqlite3.connect(broken)
    conn.execute("CREATE TABLE meta (key TEXT)")  # PainXAI mark, version 0, a clashing table
    conn.execute("PRAGMA application_id = 1347961161")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="cannot be used with schema version 0 .table meta already exists"):
        Project.open(broken)


# -- project init: never half-made --------------------------------------------------------------------
def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount here ({result.stderr.strip() or result.returncode})")


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 48 KiB tmpfs (root only)."""
    target = tmp_path / "tiny"
    target.mkdir()
    _mount("-t", "tmpfs", "-o", "size=48k", "tmpfs", str(target))
    yield target
    _umount(target)


def test_init_on_a_full_disk_leaves_nothing_and_says_disk_full(tmp_path, tiny_disk, capsys):
    data = make_dataset(tmp_path / "data", write=False)
    path = tiny_disk / "p.painxai"
    with pytest.raises(ProjectError, match="disk full") as info:
        Project.create(path, data.root, index=data, annotator="a")
    assert info.value.path == path and _listing(tiny_disk) == []
    subprocess.run(["mount", "-o", "remount,size=4m", str(tiny_disk)], check=True)
    with Project.create(path, data.root, index=data, annotator="a") as p:  # a rerun: no "file exists"
        assert len(p.videos()) == 12


def test_init_failure_reported_by_sqlite_as_full_leaves_nothing(tmp_path, monkeypatch):
    """The same path without a mount (any user): SQLite reports SQLITE_FULL while filling the file."""
    from painxai_gui.curation import create

    data = make_dataset(tmp_path / "data", write=False)

    def full(*args, **kwargs):
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorcode = sqlite3.SQLITE_FULL
        raise exc

    monkeypatch.setattr(create, "_fill", full)
    folder = tmp_path / "projects"
    folder.mkdir()
    with pytest.raises(ProjectError, match="disk full"):
        Project.create(folder / "p.painxai", data.root, index=data, annotator="a")
    assert _listing(folder) == []


# -- read-only media ---------------------------------------------------------------------------------
@pytest.fixture
def read_only_copy(tmp_path, closed):
    """The project seen through a real read-only condition: a read-only bind mount (root) or a
    folder without write permission (other users)."""
    if os.geteuid() != 0:
        os.chmod(closed.parent, 0o555)
        yield closed, "folder of the project file is not writable"
        os.chmod(closed.parent, 0o755)
        return
    target = tmp_path.parent / (tmp_path.name + "-ro")
    target.mkdir()
    _mount("--bind", "-o", "ro", str(closed.parent), str(target))
    yield target / closed.name, "the file system is read-only"
    _umount(target)


def test_a_project_on_read_only_media_opens_read_only_and_says_why(read_only_copy, capsys):
    path, why = read_only_copy
    listing = _listing(path.parent)
    with pytest.raises(ProjectReadOnlyError, match=why) as info:
        Project.open(path)
    assert "open it read-only" in str(info.value)
    with Project.open(path, read_only=True) as p:
        assert p.read_only and why in p.read_only_reason
        assert p.selections(p.videos(role="slots")[0]) == {1} and p.report().completeness
    assert main(["project", "status", str(path)]) == 0
    assert f"opened read-only: {why}" in capsys.readouterr().out
    assert _listing(path.parent) == listing


def test_the_app_opens_read_only_media_read_only_with_the_reason(read_only_copy):
    pytest.importorskip("PySide6")
    from painxai_gui.gui.files import open_project_job

    path, why = read_only_copy
    project, note = open_project_job(path)
    try:
        assert project.read_only and why in str(note) and "READ-ONLY" in str(note)
    finally:
        project.close()
