"""Manifest rows whose video lies outside the dataset root are refused with their row number unless allowed."""

from __future__ import annotations

import shutil
from pathlib import Path

from painxai_gui.dataset import index_dataset


def test_rows_outside_the_root_are_refused_with_their_line(tree_copy: Path, tmp_path: Path):
    inside = "emotion/071309_w_21/071309_w_21-disgust.mp4"
    shutil.copy(tree_copy / inside, tmp_path / "up.mp4")
    elsewhere = tmp_path / "elsewhere" / "far.mp4"
    elsewhere.parent.mkdir()
    shutil.copy(tree_copy / inside, elsewhere)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("subject,category,path\n"
                        f"071309_w_21,disgust,{inside}\n"
                        "080314_m_44,disgust,../up.mp4\n"
                        f"101908_m_61,happiness,{elsewhere}\n"
                        "101908_m_61,disgust,emotion/../../up.mp4\n")
    index = index_dataset(tree_copy, manifest=manifest, probe=False)
    emotion = sorted(v.id for v in index.videos if v.part == "D")
    assert emotion == [inside]
    outside = sorted((p.kind.value, p.message.split(":")[0]) for p in index.problems)
    assert outside == [("outside_root", "line 3"), ("outside_root", "line 4"), ("outside_root", "line 5")]
    assert all("--allow-outside-root" in p.message and str(tree_copy) in p.message for p in index.problems)
    allowed = index_dataset(tree_copy, manifest=manifest, probe=False, allow_outside_root=True)
    paths = {v.path.resolve() for v in allowed.videos if v.part == "D"}
    assert paths == {(tree_copy / inside).resolve(), (tmp_path / "up.mp4").resolve(), elsewhere.resolve()}
    assert [p.kind.value for p in allowed.problems] == ["duplicate"]  # ../up.mp4 twice
