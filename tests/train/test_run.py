"""End to end on the generated set: learns, writes every output, reloads, is seeded and resumable."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from painxai_gui.files import read_record
from painxai_gui.model import load_model, preprocess
from painxai_gui.train import TrainCancelled, TrainError, train
from painxai_gui.train.images import read_rgb

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # inside Keras saving

FOLD_FILES = ["model.keras", "model.json", "result.json", "history.csv", "report.txt", "report.csv",
              "predictions.csv", "confusion_counts.csv"] + [
    f"{stem}.{ext}" for stem in ("curves", "confusion_counts", "confusion_normalised") for ext in ("png", "pdf")]
RUN_FILES = ["run.json", "results.md", "results.csv", "predictions.csv", "curves.png", "curves.pdf",
             "confusion_normalised.png", "confusion_counts.pdf"]


def _csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_learns_the_signal_and_writes_every_output(reference_run):
    result, events = reference_run
    out = result.out
    assert result.pending == [] and [r.fold for r in result.folds] == [1, 2, 3, 4]
    accuracy = np.mean([r.test_accuracy for r in result.folds])
    assert accuracy > 0.6, f"mean test accuracy {accuracy:.3f} is not clearly above chance (1/3)"
    for name in RUN_FILES:
        assert (out / name).stat().st_size > 0, name
    for fold in range(1, 5):
        for name in FOLD_FILES:
            assert (out / f"fold_{fold}" / name).stat().st_size > 0, (fold, name)
    table = _csv(out / "results.csv")
    assert [r["fold"] for r in table] == ["1", "2", "3", "4", "mean"]
    assert float(table[-1]["test_accuracy"]) == pytest.approx(accuracy, abs=1e-6)
    assert "| **average** |" in (out / "results.md").read_text() and "RANDOM" in (out / "results.md").read_text()
    report = {r["label"]: r for r in _csv(out / "fold_1" / "report.csv")}
    assert set(report) >= {"pain", "disgust", "happiness", "macro avg", "weighted avg"}
    assert sum(int(report[c]["support"]) for c in ("pain", "disgust", "happiness")) == result.folds[0].n_test
    predictions = _csv(out / "predictions.csv")
    assert len(predictions) == sum(r.n_test for r in result.folds) == 96
    columns = {"image", "path", "subject", "true", "predicted", "p_pain", "p_disgust", "p_happiness"}
    assert columns <= set(predictions[0])
    assert all(Path(r["path"]).is_file() for r in predictions)
    stages = {e.stage for e in events}
    assert {"scan", "extract", "epoch", "fold", "done", "warning"} <= stages


def test_saved_model_and_sidecar_reproduce_the_logged_test_predictions(reference_run, synth_manifest):
    result, _ = reference_run
    fold = result.folds[1]
    loaded = load_model(result.out / "fold_2" / "model.keras")
    assert loaded.spec.class_names == ("pain", "disgust", "happiness")
    assert loaded.spec.mean == pytest.approx(fold.mean) and loaded.spec.scale == pytest.approx(1 / 255)
    assert loaded.model.output_shape[-1] == 3 and loaded.model.get_layer("fc8_softmax") is not None
    rows = _csv(result.out / "fold_2" / "predictions.csv")
    assert {r["subject"] for r in rows} == set(fold.test_subjects)
    images = np.stack([read_rgb(synth_manifest.parent / r["image"])[0] for r in rows])
    probs = np.asarray(loaded.model(preprocess(images, loaded.spec), training=False))
    logged = np.asarray([[float(r[f"p_{c}"]) for c in loaded.spec.class_names] for r in rows])
    np.testing.assert_allclose(probs, logged, atol=2e-5)
    assert [loaded.spec.class_names[k] for k in probs.argmax(1)] == [r["predicted"] for r in rows]


def _numbers(out):
    return (out / "results.csv").read_text(), (out / "predictions.csv").read_text()


def test_same_seed_same_numbers_and_resume_skips_finished_folds(reference_run, synth_manifest, make_config,
                                                                tmp_path):
    reference, _ = reference_run
    config = make_config(synth_manifest, tmp_path / "resumed")
    seen = []

    def cancel_mid_fold_3() -> bool:  # after folds 1-2 are written, during fold 3's feature extraction
        return any(e.stage == "extract" and e.fold == 3 and e.step >= 16 for e in seen)

    with pytest.raises(TrainCancelled):
        train(config, progress=seen.append, cancel=cancel_mid_fold_3)
    assert (config.out / "fold_2" / "result.json").exists() and not (config.out / "fold_3").exists()
    stamp = (config.out / "fold_1" / "model.keras").stat().st_mtime_ns
    events = []
    result = train(config, progress=events.append)
    skipped = {e.fold for e in events if e.stage == "skip"}
    assert skipped == {1, 2}
    assert (config.out / "fold_1" / "model.keras").stat().st_mtime_ns == stamp
    first_extract = next(e for e in events if e.stage == "extract" and e.fold == 3)
    assert "cached" in first_extract.message and not first_extract.message.endswith("(0 cached)")
    assert [r.fold for r in result.folds] == [1, 2, 3, 4]
    assert _numbers(config.out) == _numbers(reference.out)  # resumed run == uninterrupted run, digit for digit
    assert not any((config.out / "cache").iterdir())  # finished folds' features are removed by default


def test_a_run_folder_refuses_other_settings(reference_run, synth_manifest, make_config):
    reference, _ = reference_run
    with pytest.raises(TrainError, match="other settings.*seed"):
        train(make_config(synth_manifest, reference.out, seed=5))


def test_cli_trains_one_fold_with_dropout(synth_manifest, tmp_path, capsys):
    from painxai_gui.cli import main

    out = tmp_path / "cli"
    code = main(["train", "--manifest", str(synth_manifest), "--out", str(out), "--arch", "tiny", "--lr", "1e-2",
                 "--epochs", "3", "--dropout", "--only-fold", "2", "--quiet"])
    assert code == 0
    text = capsys.readouterr()
    assert "fold 2: test accuracy" in text.out and "RANDOM" in text.err
    assert (out / "fold_2" / "model.keras").exists() and not (out / "fold_1").exists()
    identity = json.loads((out / "run.json").read_text())["identity"]
    assert read_record(out / "run.json", "painxai-train-run", 1).data["identity"] == identity
    assert read_record(out / "fold_2" / "result.json", "painxai-train-fold-result", 1).data["fold"] == 2
    assert identity["dropout"] == 0.5 and identity["l2"] is None
    assert "Folds not finished yet: 1, 3, 4" in (out / "results.md").read_text()
    assert load_model(out / "fold_2" / "model.keras").model.get_layer("fc6_dropout").rate == 0.5


def test_a_shared_mean_shares_one_feature_cache_across_folds(synth_manifest, make_config, tmp_path):
    config = make_config(synth_manifest, tmp_path / "shared", mean_source="all", epochs=2, only_folds=(1, 2))
    events = []
    result = train(config, progress=events.append)
    starts = [e for e in events if e.stage == "extract" and e.step == 0]
    assert [e.total for e in starts] == [168, 24]  # fold 2 only lacks the flips of fold 1's test images
    assert result.folds[0].mean == result.folds[1].mean
    assert load_model(config.out / "fold_2" / "model.keras").spec.mean == pytest.approx(result.folds[0].mean)
    assert not any((config.out / "cache").iterdir())  # removed after the last fold of the call


def _legacy_weights(path, fc8_classes=7):
    """An HDF5 weights file in keras-vggface's layout for the tiny stand-in (fc8 of another shape)."""
    import h5py

    from painxai_gui.train import build_tiny_vggface

    model = build_tiny_vggface(3, fc_units=32)
    rng = np.random.default_rng(42)
    with h5py.File(path, "w") as fh:
        names = []
        for layer in model.layers:
            shapes = [w.shape for w in layer.get_weights()]
            if not shapes:
                continue
            if layer.name == "fc8":
                shapes = [(shapes[0][0], fc8_classes), (fc8_classes,)]
            names.append(layer.name.encode())
            group = fh.create_group(layer.name)
            group.attrs["weight_names"] = [f"{layer.name}/{k}:0".encode() for k in ("kernel", "bias")]
            for k, shape in zip(("kernel", "bias"), shapes):
                group.create_dataset(f"{layer.name}/{k}:0", data=rng.normal(0, 0.2, shape).astype(np.float32))
        fh.attrs["layer_names"] = names
    return path


def test_base_weights_are_loaded_by_layer_name(synth_manifest, make_config, tmp_path):
    import h5py

    weights = _legacy_weights(tmp_path / "base.h5")
    config = make_config(synth_manifest, tmp_path / "based", base_weights=weights, epochs=1, only_folds=(1,))
    events = []
    train(config, progress=events.append)
    model = load_model(config.out / "fold_1" / "model.keras").model
    with h5py.File(weights, "r") as fh:
        np.testing.assert_array_equal(model.get_layer("conv3_1").get_weights()[0], fh["conv3_1/conv3_1/kernel:0"])
    assert "warning" not in {e.stage for e in events}
    text = (config.out / "results.md").read_text()
    assert "RANDOM" not in text and "base weights: `" + str(weights) in text
    assert json.loads((config.out / "run.json").read_text())["identity"]["base_sha256"]
    assert "not loaded: fc8: shapes" in text  # the 7-way fc8 does not fit the 3-class head
