"""CLI guards: every output path inside --out, and bad arguments as one line with the allowed range."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from painxai_gui.cli import main
from painxai_gui.demo_data import generate_demo_tree

CLIP = "PartA/video/071309_w_21/071309_w_21-PA4-003.mp4"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("guards") / "root"
    generate_demo_tree(root, subjects=("071309_w_21",), size=(320, 240), part_a_frames=3, emotion_frames=3)
    return root


def _run(capsys, *argv):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_crops_of_a_video_outside_the_root_stay_inside_out(tree: Path, tmp_path: Path, capsys):
    source = tmp_path / "elsewhere"
    source.mkdir()
    shutil.copy(tree / CLIP, source / "clip.mp4")
    out = tmp_path / "out"
    code, printed, _ = _run(capsys, "crops", tree, "--out", out, "--videos", source / "clip.mp4", "--frames", "0")
    assert code == 0 and "written 1" in printed
    assert sorted(p.name for p in source.iterdir()) == ["clip.mp4"]  # nothing written next to the source
    written = [p for p in out.rglob("*") if p.is_file() and ".landmark-cache" not in p.parts]
    assert {p.name for p in written} == {"000000.png", "landmarks.json"}
    assert all(p.resolve().is_relative_to(out.resolve()) for p in written)
    assert written[0].parent.parent.name == "_outside_root" and written[0].parent.name.startswith("clip_")


def test_a_manifest_row_outside_the_root_is_refused_unless_allowed(tree: Path, tmp_path: Path, capsys):
    root = tmp_path / "root"
    shutil.copytree(tree, root)
    shutil.copy(tree / CLIP, tmp_path / "outside.mp4")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("subject,category,path\n071309_w_21,disgust,../outside.mp4\n")
    out = tmp_path / "out"
    code, _, err = _run(capsys, "crops", root, "--out", out, "--manifest", manifest, "--frames", "0")
    assert "line 2: video '../outside.mp4' is outside the dataset root" in err
    assert not any("outside" in p.name for p in out.rglob("*"))
    code, printed, _ = _run(capsys, "crops", root, "--out", out, "--manifest", manifest, "--frames", "0",
                            "--allow-outside-root")
    assert code == 0
    assert not (tmp_path / "outside").exists() and sorted(p.name for p in tmp_path.iterdir()) == [
        "manifest.csv", "out", "outside.mp4", "root"]
    assert list((out / "_outside_root").glob("outside_*/000000.png"))


@pytest.mark.parametrize("argv, option, allowed", [
    (["explain", "x.png", "--model", "m.keras", "--out", "p.png", "--dpi", "0"], "--dpi", "10..1200"),
    (["explain", "x.png", "--model", "m.keras", "--out", "p.png", "--dpi", "100000"], "--dpi", "10..1200"),
    (["explain", "x.png", "--model", "m.keras", "--out", "p.png", "--methods", ""], "--methods", "'thesis' or 'all'"),
    (["crops", "ROOT", "--out", "o", "--size", "0"], "--size", "16..2048"),
    (["crops", "ROOT", "--out", "o", "--size", "20000"], "--size", "16..2048"),
    (["crops", "ROOT", "--out", "o", "--margin", "-5"], "--margin", "0.0..2.0"),
    (["project", "init", "p.painxai", "--root", "ROOT", "--slots", "100000"], "--slots", "1..100"),
    (["project", "init", "p.painxai", "--root", "ROOT", "--slots", "0"], "--slots", "1..100"),
    (["project", "export", "p.painxai", "--out", "o", "--folds", "0"], "--folds", "1..100"),
])
def test_bad_arguments_are_one_line_with_the_allowed_range(tree, tmp_path, capsys, monkeypatch, argv, option, allowed):
    monkeypatch.chdir(tmp_path)
    argv = [str(tree) if a == "ROOT" else a for a in argv]
    code, _, err = _run(capsys, *argv)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code not in (0, None) and len(lines) == 1, err
    assert lines[0].startswith(f"painxai: error: {option}") and allowed in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written
