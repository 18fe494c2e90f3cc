"""`painxai study run` + `report` on a set whose truth is known; resume, idempotence, engines."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from painxai_gui.errors import StudyError
from painxai_gui.study.store import read_table

from study_helpers import METHODS, SETTINGS, study_config

TRUTH = {"pain": "eyes", "disgust": "nose", "happiness": "mouth"}


def _rows(folder):
    return read_table(folder / "rows.parquet")


def _heatmaps(folder):
    import zarr

    return zarr.open_group(str(folder / "heatmaps.zarr"), mode="r")["heatmaps"][:]


def test_study_folder_contents(local_study, known_truth):
    rows = _rows(local_study)
    assert len(rows["image"]) == 36 * len(METHODS)
    assert list(rows["method"][:2]) == list(METHODS)  # sorted by image, then method
    heat = _heatmaps(local_study)
    assert heat.dtype == np.float16 and heat.shape == (36, 2, SETTINGS["heatmap_size"], SETTINGS["heatmap_size"])
    assert np.isfinite(heat).all()
    record = json.loads((local_study / "record.json").read_text())
    assert record["state"]["complete"] and len(record["models"]) == 2
    assert set(record["methods"]) == set(METHODS) and "tensorflow" in record["versions"]
    # each image was explained by the model of the fold where its subject was a test subject
    manifest = list(csv.DictReader(open(known_truth["manifest"], newline="")))
    fold_sha = {m["fold"]: m["sha256"] for m in record["models"]}
    for i, model in zip(rows["image"], rows["model"]):
        assert model == fold_sha[int(manifest[int(i)]["fold"])]
    # probabilities: a softmax over the classes, and the target is the predicted class
    probs = np.stack([rows["p_pain"], rows["p_disgust"], rows["p_happiness"]], 1)
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(rows["target"], probs.argmax(1))
    sanity = read_table(local_study / "sanity.parquet")
    assert len(sanity["stage"]) == 2 * len(METHODS) * 3 * SETTINGS["sanity_images"]
    ledger = list((local_study / "ledger").glob("*.json"))
    assert len(ledger) == 3 * (1 + len(METHODS)) + 2 * len(METHODS)


def test_report_ranks_the_planted_region_first(study_report):
    rows = list(csv.DictReader(open(study_report / "regions.csv", newline="")))
    for grouping in ("true", "predicted"):
        for cls, region in TRUTH.items():
            for method in METHODS:
                cells = {r["region"]: r for r in rows if r["grouping"] == grouping and r["class"] == cls
                         and r["method"] == method and r["measure"] == "share"}
                first = cells[region]
                assert first["rank"] == "1", (grouping, cls, method)
                others = [float(c["high"]) for name, c in cells.items() if name != region]
                assert float(first["low"]) > max(others), (grouping, cls, method)
    methods = {r["method"]: r for r in csv.DictReader(open(study_report / "methods.csv", newline=""))}
    for method in METHODS:  # heatmap order beats a random order
        assert float(methods[method]["deletion_gain_low"]) > 0 and float(methods[method]["insertion_gain_low"]) > 0
    for name in ("report.md", "report.json", "region_differences.csv", "clusters.csv", "average_faces.npz",
                 "regions_true.png", "regions_true.pdf", "average_faces_true.png", "methods.pdf", "clusters.png"):
        assert (study_report / name).is_file(), name
    text = (study_report / "report.md").read_text()
    assert "| pain | gradient | eyes" in text and "Clever Hans" in text
    faces = np.load(study_report / "average_faces.npz")
    assert faces["true|pain|gradient"].shape == (64, 64)


def test_report_lists_every_member_of_every_cluster(study_report):
    clusters = list(csv.DictReader(open(study_report / "clusters.csv", newline="")))
    members = list(csv.DictReader(open(study_report / "cluster_members.csv", newline="")))
    maps = np.load(study_report / "cluster_maps.npz")
    for c in clusters:
        key = (c["class"], c["method"], c["cluster"])
        mine = [m for m in members if (m["class"], m["method"], m["cluster"]) == key]
        assert len(mine) == int(c["size"]), c
        assert maps[f"{c['class']}|{c['method']}|{c['cluster']}"].shape == (64, 64)
    for method in METHODS:  # per (class, method) the clusters split the class's 12 images
        for cls in TRUTH:
            images = [int(m["image"]) for m in members if (m["class"], m["method"]) == (cls, method)]
            assert len(images) == len(set(images)) == 12, (cls, method)


def test_rerun_does_nothing(local_study, known_truth):
    from painxai_gui.study import run_study

    before = {p: p.stat().st_mtime_ns for p in local_study.rglob("*") if p.is_file()}
    result = run_study(study_config(known_truth, local_study))
    assert result.shards_run == 0 and not result.merged
    after = {p: p.stat().st_mtime_ns for p in local_study.rglob("*") if p.is_file()}
    assert before == after


def test_stopped_run_resumes_to_the_same_tables(local_study, known_truth, tmp_path):
    from painxai_gui.study import run_study
    from painxai_gui.study.engines import StudyStopped

    config = study_config(known_truth, tmp_path / "resumed")
    with pytest.raises(StudyStopped):
        run_study(config, stop_after=4)
    assert len(list((tmp_path / "resumed" / "ledger").glob("*.json"))) == 4
    assert not (tmp_path / "resumed" / "rows.parquet").exists()
    result = run_study(config)
    assert result.shards_run == result.shards_total - 4
    a, b = _rows(local_study), _rows(tmp_path / "resumed")
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    np.testing.assert_array_equal(_heatmaps(local_study), _heatmaps(tmp_path / "resumed"))


@pytest.mark.slow  # a worker process imports TensorFlow (about 10 s idle, much more on a loaded machine)
def test_dask_engine_gives_the_same_tables(local_study, known_truth, tmp_path):
    from painxai_gui.study import run_study

    config = study_config(known_truth, tmp_path / "dask", engine="dask", workers=1, limit=SETTINGS["shard_size"],
                          sanity_images=0)
    result = run_study(config)
    assert result.images == SETTINGS["shard_size"] and result.shards_run == 1 + len(METHODS)
    a, b = _rows(local_study), _rows(tmp_path / "dask")
    first = a["image"] < SETTINGS["shard_size"]
    for key in b:
        np.testing.assert_array_equal(a[key][first], b[key], err_msg=key)
    np.testing.assert_array_equal(_heatmaps(local_study)[:SETTINGS["shard_size"]],
                                  _heatmaps(tmp_path / "dask")[:SETTINGS["shard_size"]])


def test_bad_inputs_are_named(local_study, known_truth, tmp_path):
    from painxai_gui.study import run_study

    with pytest.raises(StudyError, match="other settings"):
        run_study(study_config(known_truth, local_study, methods=("gradient",)))
    with pytest.raises(StudyError, match="no fold's test subjects"):
        lonely = tmp_path / "m.csv"
        text = known_truth["manifest"].read_text().replace("S000", "S999")
        lonely.write_text(text)
        run_study(study_config(known_truth, tmp_path / "x", manifest=lonely))
    with pytest.raises(StudyError, match="target must be"):
        study_config(known_truth, tmp_path / "y", target="other")
