"""Crash safety: a child doing operations (or an export) is killed with SIGKILL at a random moment.

Runs ``PAINXAI_KILL_RUNS`` times (default 2), e.g. ``PAINXAI_KILL_RUNS=100 pytest tests/curation/test_crash.py``;
the export is killed ``PAINXAI_KILL_EXPORT_RUNS`` times (default: the same, at most 20).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import pytest

from curation_helpers import make_dataset
from painxai_gui.curation import Project
from painxai_gui.curation.crops import is_complete_png

CHILD = Path(__file__).with_name("crash_child.py")
RUNS = int(os.environ.get("PAINXAI_KILL_RUNS", "2"))
EXPORT_RUNS = int(os.environ.get("PAINXAI_KILL_EXPORT_RUNS", str(min(RUNS, 20))))


class Child:
    """A child process whose stdout lines are collected by a thread (so it never blocks on a full pipe)."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([sys.executable, str(CHILD), *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, cwd=CHILD.parent)
        self.lines: list[str] = []
        self._ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.strip())
            if line.startswith("ready"):
                self._ready.set()

    def wait_ready(self, timeout: float = 120) -> None:
        if not self._ready.wait(timeout):
            self.proc.kill()
            pytest.fail(f"child never got ready: {self.proc.stderr.read()[-2000:]}")

    def kill(self) -> list[str]:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        time.sleep(0.1)  # let the reader thread take the last lines
        return list(self.lines)


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.parametrize("run", range(RUNS))
def test_killed_operations_lose_nothing(tmp_path, run):
    data = make_dataset(tmp_path / "data", emotion_frames=5000, write=False)
    path = tmp_path / "p.sqlite"
    with Project.create(path, data.root, index=data, annotator="parent") as p:
        p.set_quota(p.quota_cap().cap)  # 1666: the child selects up to thousands of frames per slot
    child = Child("ops", str(path))
    child.wait_ready()
    time.sleep(random.Random(run).uniform(0.05, 1.5))
    lines = child.kill()
    reported = [int(line.split()[1]) for line in lines if line.startswith("done ")]
    assert _integrity(path) == "ok"
    with Project.open(path) as p:  # the dead child's lock is gone
        from crash_child import op_target

        selected = {(v.id, f) for v in p.videos(role="slots") for f in p.selections(v)}
        expected = {op_target(p, i) for i in reported}
        assert expected <= selected, "an operation reported done is missing"
        extra = selected - expected
        assert extra <= {op_target(p, len(reported))}, "something selected that was never asked for"
        rows = p._store.read("SELECT description, COUNT(*) FROM history GROUP BY description HAVING COUNT(*) > 1")
        assert rows == [], "an operation recorded twice in the undo history"
        audited = [r[0] for r in p._store.read("SELECT details FROM audit WHERE action = 'select'")]
        assert len(audited) == len(set(audited)), "an operation recorded twice in the audit log"
        # the in-flight operation may have committed (and, for i % 10 == 9, been undone before the kill)
        assert len(audited) in (len(reported), len(reported) + 1)
        undos, redos = (p._store.read("SELECT COUNT(*) FROM audit WHERE action = ?", (a,))[0][0]
                        for a in ("undo", "redo"))
        assert undos - redos in (0, 1) and redos - len(reported) // 10 in (0, 1)
        if undos == redos:
            assert not p.can_redo
    print(f"run {run}: killed after {len(reported)} reported operations")


@pytest.mark.slow
@pytest.mark.parametrize("run", range(EXPORT_RUNS))
def test_killed_export_leaves_no_partial_file(tmp_path, demo_tree, run):
    path = tmp_path / "p.sqlite"
    with Project.create(path, demo_tree, annotator="parent") as p:  # real index, real face pipeline
        for v in p.videos(role="slots"):
            p.select_range(v, 0, 30, allow_over_quota=True)  # 10 per slot, quota 4
    out = tmp_path / "out"
    child = Child("export", str(path), str(out))
    child.wait_ready()
    deadline = time.time() + 60
    while not any(out.rglob("*.png")) and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(random.Random(run).uniform(0.0, 1.5))
    lines = child.kill()
    pngs = list(out.rglob("*.png"))
    for png in pngs:
        assert is_complete_png(png) and cv2.imread(str(png)).shape == (256, 256, 3), png
    with Project.open(path) as p:
        summary = p.export(out, folds=3, allow_unbalanced=True)  # pain 36, emotions 90 each
    finished = any(line.startswith("finished") for line in lines)
    assert summary.skipped_existing == len(pngs) and summary.written == summary.planned - len(pngs)
    assert summary.planned == 36 + 6 * 30 and not summary.cancelled and summary.no_face == 0
    assert not list(out.rglob("*.tmp")) and not list(out.rglob(".*.painxai-tmp*")) and len((out / "manifest.csv").read_text().splitlines()) == 1 + 216
    print(f"run {run}: killed after {len(pngs)} of {summary.planned} files (finished before kill: {finished})")
