"""Panel text and colour scales: labels in full, one title vocabulary, shared column scale, one record per file."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from painxai_gui.cli import main as cli_main
from painxai_gui.errors import ExportError
from painxai_gui.export.panel import PanelCell, PanelRow, compose_panel, record_path
from painxai_gui.export.panel_job import PanelItem, make_panel
from painxai_gui.export.panel_layout import fit_lines, number
from painxai_gui.model import Predictor, load_model

SUBJECT = "071309_w_21"
FRAMES = (10, 30, 40)  # the frames the old 24-character cut showed all as "..._f000"


def svg_texts(path) -> list[str]:
    """Every text element of an SVG (matplotlib writes one per line with svg.fonttype 'none')."""
    root = ET.parse(path).getroot()
    return ["".join(el.itertext()) for el in root.iter() if el.tag.endswith("}text") or el.tag == "text"]


def _rows(seed=0, signed_scale=(1.0, 5.0, 0.2)):
    rng = np.random.default_rng(seed)
    rows = []
    for i, (frame, scale) in enumerate(zip(FRAMES, signed_scale)):
        cells = (PanelCell("gradcam", rng.random((16, 16)) * (i + 1), False, 1, target_name="disgust"),
                 PanelCell("lrp.z", rng.standard_normal((16, 16)) * scale, True, 1, target_name="disgust"))
        rows.append(PanelRow(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8), f"{SUBJECT}-disgust_f{frame:05d}",
                             "disgust", "disgust", cells, 0.5 + i / 10, (SUBJECT, "disgust", f"frame {frame}")))
    return rows


def test_row_labels_are_whole_and_tile_titles_use_one_vocabulary(tmp_path):
    out = tmp_path / "panel.svg"
    compose_panel(_rows(), ["Grad-CAM", "LRP-Z"], out)
    texts = svg_texts(out)
    joined = "\n".join(texts)
    for frame in FRAMES:
        assert any(f"frame {frame}" in t for t in texts), frame  # each row's frame number, uncut
    assert sum(SUBJECT in t for t in texts) == 3 and sum("disgust" in t and "frame" in t for t in texts) == 3
    assert "…" not in joined and "_f000" not in joined
    assert [t for t in texts if t.startswith("true:")] == [
        "true: disgust · pred: disgust 0.50", "true: disgust · pred: disgust 0.60", "true: disgust · pred: disgust 0.70"]


def test_label_lines_never_split_a_part():
    long = "a_subject_id_far_too_long_for_one_line_of_any_tile"
    lines = fit_lines([long, "happiness", "frame 1234"], 60, 7)
    assert lines[0] == long and "frame 1234" in " ".join(lines) and "happiness" in " ".join(lines)
    assert fit_lines(["s", "c", "frame 1"], 500, 7) == ["s · c · frame 1"]


def test_shared_column_scale_is_the_columns_max_and_the_bars_say_so(tmp_path):
    rows = _rows()
    out = tmp_path / "panel.svg"
    norms = compose_panel(rows, ["Grad-CAM", "LRP-Z"], out, scale="column")
    grad_max = max(np.max(r.cells[0].heatmap) for r in rows)  # unsigned: 0 .. max over the column
    lrp_max = max(np.max(np.abs(r.cells[1].heatmap)) for r in rows)  # signed: -max .. +max over the column
    for row in norms:
        assert (row[0]["vmin"], row[0]["vmax"], row[0]["scale"]) == (0.0, pytest.approx(grad_max), "column")
        assert (row[1]["vmin"], row[1]["vmax"]) == (pytest.approx(-lrp_max), pytest.approx(lrp_max))
    texts = svg_texts(out)
    for value in (grad_max, lrp_max):
        assert number(value) in texts, (value, texts)  # the colour bar under the column shows its max
    assert number(-lrp_max) in texts
    assert any("shared per column" in t for t in texts)
    # per tile (the default): each tile to its own max, and the bars say "per tile"
    tile = compose_panel(rows, ["Grad-CAM", "LRP-Z"], tmp_path / "tile.svg")
    assert [r[1]["vmax"] for r in tile] == pytest.approx([np.max(np.abs(r.cells[1].heatmap)) for r in rows])
    assert any(t.startswith("per tile") for t in svg_texts(tmp_path / "tile.svg"))
    with pytest.raises(ExportError, match="unknown colour scale"):
        compose_panel(rows, ["Grad-CAM", "LRP-Z"], tmp_path / "bad.svg", scale="row")


def test_titles_carry_the_predictors_probability_and_each_file_keeps_its_record(tmp_path, demo_model_path,
                                                                                astronaut_face):
    loaded = load_model(demo_model_path)
    crop, landmarks = astronaut_face
    item = PanelItem(crop, "astronaut", "happiness", is_crop=True, landmarks=landmarks,
                     label=("astronaut", "happiness", "frame 7"), info={"video": "astro.mp4", "frame": 7})
    png = make_panel([item], loaded, ["gradcam"], tmp_path / "fig.png", dpi=60, scale="column", title="Test")
    probs = Predictor(loaded).predict(crop)
    k = int(np.argmax(probs))
    assert png.rows[0].probability == pytest.approx(float(probs[k]), abs=1e-6)
    svg = make_panel([item], loaded, ["gradcam"], tmp_path / "fig.svg", dpi=60)
    title = f"true: happiness · pred: {loaded.spec.class_names[k]} {probs[k]:.2f}"
    texts = svg_texts(svg.path)
    assert title in texts and "astronaut" in texts and "happiness · frame 7" in texts  # two label lines here
    pdf = make_panel([item], loaded, ["gradcam"], tmp_path / "fig.pdf", dpi=60)
    assert pdf.path.read_bytes()[:5] == b"%PDF-"
    records = sorted(p.name for p in tmp_path.glob("*.json"))
    assert records == ["fig.pdf.json", "fig.png.json", "fig.svg.json"]  # the PDF did not overwrite the PNG's
    first = json.loads(record_path(tmp_path / "fig.png").read_text())
    assert first["format"] == "png" and first["colour_scale"] == "column" and first["title"] == "Test"
    assert "shared per column" in first["colour_policy"]
    row = first["rows"][0]
    assert (row["video"], row["frame"], row["title"]) == ("astro.mp4", 7, title)
    assert json.loads(record_path(tmp_path / "fig.pdf").read_text())["colour_scale"] == "tile"


def test_cli_colour_scale_flag_and_records_per_format(tmp_path, demo_model_path):
    base = ["explain", "skimage:astronaut", "--model", str(demo_model_path), "--methods", "gradcam,lrp.z",
            "--categories", "happiness", "--dpi", "50"]
    assert cli_main(base + ["--colour-scale", "column", "--out", str(tmp_path / "p.png")]) == 0
    assert cli_main(base + ["--out", str(tmp_path / "p.pdf")]) == 0
    png, pdf = (json.loads(record_path(tmp_path / n).read_text()) for n in ("p.png", "p.pdf"))
    assert (png["colour_scale"], pdf["colour_scale"]) == ("column", "tile")
    assert png["rows"][0]["label"] == ["skimage:astronaut", "happiness"]
    with pytest.raises(SystemExit):
        cli_main(base + ["--colour-scale", "row", "--out", str(tmp_path / "q.png")])
