"""What the app opens at start, after the window is shown: the demo (dataset + project + model) or given paths.

The heavy parts (generating the demo videos once, indexing, importing
TensorFlow and loading the model) run in workers with a visible status; the
first frame appears as soon as the project is open, before the model is ready.
"""

from __future__ import annotations

from pathlib import Path

from painxai_gui.curation.schema import PROJECT_SUFFIX
from painxai_gui.gui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[2]
DEMO_ROOT = REPO / "demo_data"
DEMO_MODEL = REPO / "model_weights" / "demo" / "emotion_model.hdf5"
DEMO_PROJECT_NAME = f"demo{PROJECT_SUFFIX}"
DEMO_QUOTA = 10  # the demo's emotion videos are 75 frames (3 slots of 25); the computed quota would not fit


def demo_project_job(root: Path, project_path: Path, progress, quota: int | None = DEMO_QUOTA):
    """Worker: generate the demo tree once, then open (or create) its project file."""
    from painxai_gui.curation import Project
    from painxai_gui.demo_data import ensure_demo_tree

    ensure_demo_tree(root, progress=progress)
    if project_path.exists():
        return Project.open(project_path)
    project = Project.create(project_path, root)
    if quota is not None:
        project.set_quota(quota)
    return project


def open_demo(window: MainWindow, root: Path = DEMO_ROOT, project_path: Path | None = None,
              then=None) -> None:
    project_path = project_path or root / DEMO_PROJECT_NAME
    window.session.status.emit(f"Preparing the demo dataset in {root} (generated once)…")

    def done(project) -> None:
        window.files.project_ready(project)
        if then is not None:
            then(project)

    window.tasks.run("open", "preparing the demo", lambda ctx: demo_project_job(root, project_path, ctx.progress),
                     done)


def start(window: MainWindow, *, project: Path | None = None, dataset: Path | None = None,
          model: Path | None = None, demo_root: Path = DEMO_ROOT, then=None) -> None:
    """Open what was asked for (or the demo), then load the model (or the demo model)."""
    if project is not None:
        window.files.load_project(project, then=then and (lambda: then(window.session.project)))
    elif dataset is not None:
        window.files.load_dataset(dataset)
    else:
        open_demo(window, demo_root, then=then)
    window.files.load_model(model or DEMO_MODEL)
