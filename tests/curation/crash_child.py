"""Child process for the kill tests: curation operations or an export, reporting each one done.

    python crash_child.py ops PROJECT        select frames one by one (with undo/redo pairs)
    python crash_child.py export PROJECT OUT export with the real face pipeline
    python crash_child.py hold PROJECT       open for writing (as annotator "child") until killed

Prints ``ready`` first, then ``done <i>`` after operation ``i`` has returned.
"""

from __future__ import annotations

import sys

import curation_helpers  # noqa: F401  (puts the repo root on sys.path)

from painxai_gui.curation import Project


def op_target(project: Project, i: int) -> tuple[str, int]:
    """The (video, frame) that operation ``i`` selects: unique per ``i``."""
    videos = project.videos(role="slots")
    return videos[i % len(videos)].id, i // len(videos)


def run_ops(path: str) -> None:
    with Project.open(path, annotator="child") as project:
        print("ready", flush=True)
        for i in range(1_000_000):
            video, frame = op_target(project, i)
            project.select(video, frame)
            if i % 10 == 9:  # exercise undo/redo under the same kill
                project.undo()
                project.redo()
            print(f"done {i}", flush=True)


def run_export(path: str, out: str) -> None:
    with Project.open(path, annotator="child") as project:
        print("ready", flush=True)
        summary = project.export(out, folds=3, allow_unbalanced=True)
        print(f"finished {summary.written}", flush=True)


def run_hold(path: str) -> None:
    import time

    with Project.open(path, annotator="child"):
        print("ready", flush=True)
        while True:
            time.sleep(1)


if __name__ == "__main__":
    if sys.argv[1] == "ops":
        run_ops(sys.argv[2])
    elif sys.argv[1] == "hold":
        run_hold(sys.argv[2])
    else:
        run_export(sys.argv[2], sys.argv[3])
