"""`painxai project ...` and `painxai agreement` end to end on a generated demo tree (real index)."""

from __future__ import annotations

import shutil

import pytest

from painxai_gui.cli import main
from painxai_gui.curation import Project
from painxai_gui.demo_data import generate_demo_tree


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "biovid"
    generate_demo_tree(root, size=(320, 240), part_a_frames=12, emotion_frames=30)
    return root


@pytest.fixture(scope="module")
def long_root(tmp_path_factory):
    """Emotion videos of 321 frames: slots of 107 hold the thesis's quota."""
    root = tmp_path_factory.mktemp("demo-long") / "biovid"
    generate_demo_tree(root, size=(160, 120), part_a_frames=12, emotion_frames=321)
    return root


def _run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _error_line(err):
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("painxai: error: "), err
    return lines[0]


def test_init_status_report(tmp_path, capsys, demo_root):
    project = tmp_path / "p.sqlite"
    code, out, _ = _run(capsys, "project", "init", str(project), "--root", str(demo_root), "--annotator", "ann")
    assert code == 0 and "quota 8 per slot" in out  # ceil(3 subjects x 2 clips x 12 / (3 x 3))
    with Project.open(project, annotator="ann") as p:
        assert {c: len(p.videos(c)) for c in p.categories()} == {"disgust": 3, "happiness": 3, "pain": 6}
        v = p.videos("disgust")[0]
        p.select_range(v, 0, 8)
    code, out, _ = _run(capsys, "project", "status", str(project))
    assert code == 0 and "0/6 videos complete, 8/144 frames" in out
    code, out, _ = _run(capsys, "project", "report", str(project), "--csv", str(tmp_path / "r.csv"),
                        "--md", str(tmp_path / "r.md"))
    assert code == 0 and "pain intensity 3" in out and "8/8, 0/8, 0/8" in out
    assert (tmp_path / "r_completeness.csv").is_file() and (tmp_path / "r_exclusions.csv").is_file()
    assert (tmp_path / "r.csv").read_text().splitlines()[0].startswith("part,name,category,subjects_before")
    # "after" is what the export writes: no subject is complete yet, so no pain frame either
    assert "| A | pain intensity 4 | pain | 3 | 36 | 0 | 0 |" in (tmp_path / "r.md").read_text()
    with Project.open(project, annotator="ann") as p:
        for video in p.videos(role="slots"):
            for start, _ in p.slot_bounds(video):
                p.select_range(video, start, start + 8, allow_over_quota=True)
    code, out, _ = _run(capsys, "project", "report", str(project), "--md", str(tmp_path / "r.md"))
    assert code == 0 and "(balanced within 5% of pain)" in out
    assert "| A | pain intensity 4 | pain | 3 | 36 | 3 | 36 |" in (tmp_path / "r.md").read_text()


def test_exclude_quota_undo(tmp_path, capsys, long_root):
    project = tmp_path / "p.sqlite"
    _run(capsys, "project", "init", str(project), "--root", str(long_root))
    video = "emotion/071309_w_21/071309_w_21-disgust.mp4"
    code, out, _ = _run(capsys, "project", "exclude", str(project), "--video", video,
                        "--reason", "turned away", "--annotator", "ann")
    assert code == 0 and "quota 12 per slot" in out  # ceil(72 / (2 disgust subjects x 3))
    assert _run(capsys, "project", "quota", str(project), "107")[1].startswith("quota 107")
    code, out, _ = _run(capsys, "project", "undo", str(project))
    assert code == 0 and "set quota to 107" in out
    code, out, _ = _run(capsys, "project", "include", str(project), "--video", video)
    assert "included" in out and "quota 8" in out
    code, out, _ = _run(capsys, "project", "exclude", str(project), "--subject", "071309_w_21", "--reason", "x")
    assert "quota 8" in out  # ceil(48 / (2 x 3)): pain clips go with the subject


def test_agreement_both_spellings(tmp_path, capsys, demo_root):
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    _run(capsys, "project", "init", str(a), "--root", str(demo_root))
    with Project.open(a) as p:
        for v in p.videos(role="slots"):
            p.select_range(v, 0, 4)
    shutil.copy(a, b)
    with Project.open(b) as p:
        for v in p.videos(role="slots"):
            p.unselect(v, 0)
            p.select(v, 29)
    code, top, _ = _run(capsys, "agreement", str(a), str(b), "--csv", str(tmp_path / "agr.csv"))
    code2, sub, _ = _run(capsys, "project", "agreement", str(a), str(b))
    assert code == code2 == 0
    assert top.split("\nwrote")[0] == sub.strip("\n")
    overall = [line for line in sub.splitlines() if line.startswith("overall")][0].split()
    assert overall[1:6] == ["180", "24", "24", "18", "0.600"]  # 6 videos x 30 frames; 18 / 30 union


def test_relocate(tmp_path, capsys, demo_root):
    root = tmp_path / "data"
    shutil.copytree(demo_root, root)
    project = tmp_path / "p.sqlite"
    _run(capsys, "project", "init", str(project), "--root", str(root))
    moved = tmp_path / "moved"
    root.rename(moved)
    code, out, _ = _run(capsys, "project", "status", str(project))
    assert code == 0 and "NOT FOUND" in out and "relocate" in out
    code, _, err = _run(capsys, "project", "export", str(project), "--out", str(tmp_path / "out"))
    assert code == 1 and "relocate" in _error_line(err) and str(project) in err
    code, out, _ = _run(capsys, "project", "relocate", str(project), "--root", str(moved))
    assert code == 0 and str(moved) in out


def test_errors_are_one_line(tmp_path, capsys, demo_root):
    code, _, err = _run(capsys, "project", "status", str(tmp_path / "none.sqlite"))
    assert code == 1 and "none.sqlite: project file not found" in _error_line(err)
    bad = tmp_path / "bad.csv"
    bad.write_text("who,what\nx,y\n")
    target = tmp_path / "p.sqlite"
    code, _, err = _run(capsys, "project", "init", str(target), "--root", str(demo_root), "--manifest", str(bad))
    line = _error_line(err)
    assert code == 1 and "bad.csv" in line and "missing columns" in line and not target.exists()
    code, _, err = _run(capsys, "project", "init", str(target), "--root", str(tmp_path / "nowhere"))
    assert code == 1 and "dataset root not found" in _error_line(err)
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database at all" * 50)
    code, _, err = _run(capsys, "agreement", str(junk), str(junk))
    assert code == 1 and "not a PainXAI project" in _error_line(err)
