"""index_dataset on generated trees: exact subjects, categories, counts, and every problem reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from painxai_gui.dataset import ProblemKind, UnknownVideoError, index_dataset, parse_subject
from painxai_gui.errors import DatasetError

SUBJECTS = ["071309_w_21", "080314_m_44", "101908_m_61"]
EMOTION_PATTERN = r"(?P<subject>\d{6}_[wm]_\d{2})-(?P<token>[a-z]+)\.mp4$"


def _kinds(index) -> list[tuple[str, str]]:
    return sorted((p.kind.value, p.path.name) for p in index.problems)


def test_demo_tree_gives_expected_index(demo_tree):
    index = index_dataset(demo_tree.root)
    assert index.root == demo_tree.root and index.problems == []
    assert list(index.subjects) == SUBJECTS
    s = index.subjects["080314_m_44"]
    assert (s.date, s.gender, s.age, s.age_group) == ("080314", "m", 44, "36-50")
    assert index.subjects["101908_m_61"].age_group == "51-65"
    assert len(index.videos) == 15
    assert [v.id for v in index.videos] == sorted(v.id for v in index.videos)
    assert {c: len(vs) for c, vs in index.by_category().items()} == {"pain": 6, "disgust": 3, "happiness": 3}
    assert list(index.by_category()) == ["pain", "disgust", "happiness"]
    assert sorted(v.label for v in index.unmapped) == ["BL1"] * 3 and all(v.category is None for v in index.unmapped)
    clip = index.video("PartA/video/071309_w_21/071309_w_21-PA4-003.mp4")
    assert (clip.subject, clip.label, clip.category, clip.part) == ("071309_w_21", "PA4", "pain", "A")
    assert clip.path == demo_tree.root / clip.id and clip.frame_count == 6 and clip.fps == 25.0
    emotion = index.video("emotion/101908_m_61/101908_m_61-happiness.mp4")
    assert (emotion.part, emotion.category, emotion.frame_count) == ("D", "happiness", 9)


def test_unknown_video_id_is_a_keyerror_and_dataset_error(demo_tree):
    index = index_dataset(demo_tree.root, probe=False)
    with pytest.raises(UnknownVideoError) as info:
        index.video("PartA/video/nobody.mp4")
    assert isinstance(info.value, KeyError) and isinstance(info.value, DatasetError)
    assert "nobody.mp4" in str(info.value)


def test_probe_false_and_progress(demo_tree):
    calls: list[tuple[int, int]] = []
    index = index_dataset(demo_tree.root, probe=False, progress=lambda d, t: calls.append((d, t)))
    assert all(v.frame_count is None and v.fps is None for v in index.videos)
    assert calls == [(15, 15)]
    calls.clear()
    index_dataset(demo_tree.root, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(i, 15) for i in range(1, 16)]


def test_samples_csv_without_videos(tree_copy: Path):
    import shutil

    shutil.rmtree(tree_copy / "PartA" / "video")
    index = index_dataset(tree_copy)
    assert list(index.subjects) == SUBJECTS  # still known from samples.csv
    assert [v.part for v in index.videos] == ["D"] * 6
    missing = [p for p in index.problems if p.kind == ProblemKind.MISSING_FILE]
    assert len(missing) == 9 and all(p.path.name == "samples.csv" for p in missing)
    assert "071309_w_21-PA4-003" in " ".join(p.message for p in missing)


def test_bad_files_are_reported_and_do_not_stop_the_index(tree_copy: Path):
    subject_dir = tree_copy / "PartA" / "video" / "071309_w_21"
    good = subject_dir / "071309_w_21-PA3-002.mp4"
    (subject_dir / "badname.mp4").write_bytes(good.read_bytes())
    (subject_dir / "071309_w_21-PA7-099.mp4").write_bytes(good.read_bytes())
    (subject_dir / "071309_w_21-PA3-002.avi").write_bytes(good.read_bytes())
    (subject_dir / "071309_w_21-PA1-050.mp4").write_bytes(b"\x00" * 4096)
    (subject_dir / "080314_m_44-PA2-051.mp4").write_bytes(good.read_bytes())
    (subject_dir / "notes.txt").write_text("hello")
    (tree_copy / "PartA" / "video" / "090909_m_30").mkdir()
    odd = tree_copy / "PartA" / "video" / "john_doe"
    odd.mkdir()
    (odd / "john_doe-PA4-001.mp4").write_bytes(good.read_bytes())
    index = index_dataset(tree_copy)
    assert _kinds(index) == sorted([
        ("malformed_name", "badname.mp4"),
        ("unknown_label", "071309_w_21-PA7-099.mp4"),
        ("duplicate", "071309_w_21-PA3-002.mp4"),  # .avi and .mp4 of one sample: the second one found
        ("unreadable", "071309_w_21-PA1-050.mp4"),
        ("malformed_name", "080314_m_44-PA2-051.mp4"),  # names another subject than its folder
        ("ignored_file", "notes.txt"),
        ("empty_folder", "090909_m_30"),
        ("malformed_name", "john_doe-PA4-001.mp4"),  # subject id not like 071309_w_21
    ])
    ids = {v.id for v in index.videos}
    assert len(index.videos) == 16  # the 15 good ones + john_doe's readable clip
    assert "PartA/video/071309_w_21/071309_w_21-PA1-050.mp4" not in ids
    assert index.subjects["john_doe"].age is None


def test_samples_csv_problems(tree_copy: Path):
    samples = tree_copy / "PartA" / "starting_point" / "samples.csv"
    lines = samples.read_text().splitlines()
    header, first = lines[0], lines[1]
    mismatch = lines[2].replace("\tPA3\t", "\tPA4\t")
    unknown = lines[3].replace("\tPA4\t", "\tPA9\t")
    samples.write_text("\n".join([header, first, first, mismatch, unknown, *lines[4:]]) + "\n")
    index = index_dataset(tree_copy, probe=False)
    found = sorted((p.kind.value, p.message.split(":")[0]) for p in index.problems)
    assert found == [("duplicate", "line 3"), ("label_mismatch", "line 4"), ("unknown_label", "line 5")]
    assert len(index.videos) == 15  # files are still indexed from the folder


def test_manifest_mode(tree_copy: Path, tmp_path: Path):
    absolute = tree_copy / "emotion" / "080314_m_44" / "080314_m_44-happiness.mp4"
    manifest = tmp_path / "my manifest.csv"
    manifest.write_text(
        "Subject;Category;Path\n"
        "071309_w_21;disgust;emotion/071309_w_21/071309_w_21-disgust.mp4\n"
        f"080314_m_44;happiness;{absolute}\n"
        "101908_m_61;surprise;emotion/101908_m_61/101908_m_61-disgust.mp4\n"
        "101908_m_61;disgust;emotion/101908_m_61/nope.mp4\n"
        "101908_m_61;;emotion/101908_m_61/101908_m_61-happiness.mp4\n"
        "071309_w_21;disgust;emotion/071309_w_21/071309_w_21-disgust.mp4\n"
    )
    index = index_dataset(tree_copy, manifest=manifest)
    emotion = {v.id: (v.subject, v.label, v.category) for v in index.videos if v.part == "D"}
    assert emotion == {
        "emotion/071309_w_21/071309_w_21-disgust.mp4": ("071309_w_21", "disgust", "disgust"),
        "emotion/080314_m_44/080314_m_44-happiness.mp4": ("080314_m_44", "happiness", "happiness"),
        "emotion/101908_m_61/101908_m_61-disgust.mp4": ("101908_m_61", "surprise", None),
    }
    assert [v.label for v in index.unmapped if v.part == "D"] == ["surprise"]
    assert sorted((p.kind.value, p.message.split(":")[0]) for p in index.problems) == [
        ("bad_table", "line 6"), ("duplicate", "line 7"), ("missing_file", "line 5")]


def test_manifest_without_columns_and_missing_manifest(tree_copy: Path, tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    index = index_dataset(tree_copy, manifest=bad, probe=False)
    assert _kinds(index) == [("bad_table", "bad.csv")]
    assert len(index.videos) == 9  # Part A is unaffected
    index = index_dataset(tree_copy, manifest=tmp_path / "gone.csv", probe=False)
    assert _kinds(index) == [("missing_file", "gone.csv")]


def test_pattern_mode_with_token_map(tree_copy: Path):
    os.remove(tree_copy / "emotion_manifest.csv")
    index = index_dataset(tree_copy, pattern=EMOTION_PATTERN, token_map={"disgust": "disgust", "happiness": "joy"}, probe=False)
    emotion = sorted((v.subject, v.label, v.category) for v in index.videos if v.part == "D")
    assert len(emotion) == 6 and emotion[0] == ("071309_w_21", "disgust", "disgust")
    assert {c for _, _, c in emotion} == {"disgust", "joy"}
    partial = index_dataset(tree_copy, pattern=EMOTION_PATTERN, token_map={"disgust": "disgust"}, probe=False)
    assert sorted(v.label for v in partial.unmapped) == ["BL1"] * 3 + ["happiness"] * 3


def test_pattern_errors(demo_tree):
    with pytest.raises(DatasetError, match="invalid file-name pattern"):
        index_dataset(demo_tree.root, pattern="(?P<subject>[", probe=False)
    with pytest.raises(DatasetError, match="named groups"):
        index_dataset(demo_tree.root, pattern=r"(?P<subject>\w+)\.mp4", probe=False)


def test_custom_category_map(demo_tree):
    index = index_dataset(demo_tree.root, category_map={"BL1": "baseline", "PA4": "pain"}, probe=False)
    groups = index.by_category()
    assert list(groups) == ["baseline", "pain"]
    assert [len(groups["baseline"]), len(groups["pain"])] == [3, 3]
    assert sorted({v.label for v in index.unmapped}) == ["PA3", "disgust", "happiness"]


def test_missing_root_and_empty_root(tmp_path: Path):
    with pytest.raises(DatasetError, match="not found"):
        index_dataset(tmp_path / "nothing")
    index = index_dataset(tmp_path)
    assert index.videos == [] and _kinds(index) == [("empty_folder", tmp_path.name)]


@pytest.mark.parametrize(
    ("subject_id", "expected"),
    [("071309_w_21", ("071309", "w", 21, "18-35")), ("120514_m_65", ("120514", "m", 65, "51-65")),
     ("120514_m_70", ("120514", "m", 70, None)), ("071309-w-21", None), ("071309_x_21", None)],
)
def test_parse_subject(subject_id: str, expected):
    parsed = parse_subject(subject_id)
    if expected is None:
        assert parsed is None
    else:
        assert (parsed.date, parsed.gender, parsed.age, parsed.age_group) == expected
