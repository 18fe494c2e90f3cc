"""GUI test fixtures: offscreen Qt, exceptions in slots fail the test, temp QSettings, a small demo project.

The demo tree is small (320x240 frames, 30-frame emotion videos) so the real
face pipeline and the real demo model run in seconds.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

DEMO_OPTIONS = {"size": (320, 240), "part_a_frames": 6, "emotion_frames": 30}


@pytest.fixture(scope="session", autouse=True)
def collect_garbage_on_the_gui_thread(qapp):
    """As in the app: worker threads never run Python's cycle collector (see gui/main_thread_gc.py)."""
    from painxai_gui.gui import main_thread_gc

    release = main_thread_gc.hold()
    yield
    release()


@pytest.fixture(autouse=True)
def fail_on_slot_exceptions(monkeypatch):
    """Any exception that reaches sys.excepthook (e.g. raised in a Qt slot) or escapes a thread fails the test."""
    seen: list[str] = []

    def hook(kind, value, tb):
        seen.append("".join(traceback.format_exception(kind, value, tb)))

    def thread_hook(args):
        seen.append("".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)))

    monkeypatch.setattr(sys, "excepthook", hook)
    monkeypatch.setattr(threading, "excepthook", thread_hook)
    yield seen
    if seen:
        pytest.fail("exception raised in a Qt slot or thread:\n" + "\n".join(seen), pytrace=False)


@pytest.fixture
def settings(tmp_path):
    """QSettings in a temp INI file: tests never touch the user's settings."""
    from PySide6 import QtCore

    return QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory):
    from painxai_gui.demo_data import ensure_demo_tree

    root = tmp_path_factory.mktemp("gui-demo") / "biovid"
    return ensure_demo_tree(root, **DEMO_OPTIONS)


@pytest.fixture
def project_path(tmp_path, demo_root):
    """A fresh demo project file (quota 10) for one test."""
    from painxai_gui.curation import Project

    path = tmp_path / "demo.painxai"
    with Project.create(path, demo_root, annotator="tester") as project:
        project.set_quota(10)
    return path


@pytest.fixture(scope="session")
def loaded_model(demo_model_path):
    """The demo model loaded once (TensorFlow import is the slow part), on a worker thread like the app does."""
    from painxai_gui.gui.files import load_model_job
    from painxai_gui.gui.workers import _lower_priority

    out = {}

    def load():
        _lower_priority(10)
        out["model"] = load_model_job(demo_model_path)

    thread = threading.Thread(target=load)
    thread.start()
    thread.join()
    return out["model"]


@pytest.fixture
def window(qtbot, settings):
    """A main window with no docks restored from the user's settings; shut down after the test."""
    from painxai_gui.gui.main_window import MainWindow

    win = MainWindow(settings, quiet_errors=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    yield win
    win.shutdown()
