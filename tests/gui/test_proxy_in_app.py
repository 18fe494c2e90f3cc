"""A long-GOP H.264 video in the app: its seeking proxy is made in the background, the reader switches, frames stay exact."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from gui_helpers import open_project, shown_marker, wait_shown


def _x264_clips():
    path = Path(__file__).resolve().parents[1] / "video" / "x264_clips.py"
    spec = importlib.util.spec_from_file_location("x264_clips_for_gui", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_long_gop_video_gets_a_proxy_in_the_background(window, qtbot, tmp_path, demo_root):
    from painxai_gui.curation import Project

    root = tmp_path / "biovid"
    shutil.copytree(demo_root, root)
    video = root / "emotion" / "071309_w_21" / "071309_w_21-disgust.mp4"
    _x264_clips().marked_x264(video, 60)  # one keyframe, B-frames: BioVid-like, in small
    project_path = tmp_path / "long.painxai"
    with Project.create(project_path, root, annotator="tester") as project:
        project.set_quota(5)
    open_project(window, qtbot, project_path)
    entry = next(v for v in window.session.videos() if v.path == video)
    window.session.open_video(entry.id, 40)
    wait_shown(window, qtbot, 40)
    qtbot.waitUntil(lambda: not window.tasks.busy("proxy"), timeout=60000)
    reader = window.pool.reader(video)
    assert reader.decoder == "proxy" and reader.proxy_path.parent == project.cache_dir / "proxies"
    for frame in (7, 52, 51, 3, 59):  # random seeks and a step back, now from the proxy
        window.session.seek(frame)
        wait_shown(window, qtbot, frame)
        assert shown_marker(window) == frame
    assert reader.stats().proxy_reads > 0
