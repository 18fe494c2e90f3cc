"""Figure panels: file formats, titles, sizes, colour records, errors."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from painxai_gui.errors import ExportError
from painxai_gui.export.panel import PanelCell, PanelRow, compose_panel


def _rows(n=2):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        img = rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)
        cells = (PanelCell("gradcam", rng.random((32, 32)), False, 1),
                 PanelCell("lrp.z", rng.standard_normal((32, 32)) * (i + 1), True, 1))
        rows.append(PanelRow(img, f"img{i}.png", "pain" if i else None, "disgust", cells))
    return rows


def test_png_has_print_resolution_and_one_norm_per_tile(tmp_path):
    out = tmp_path / "panel.png"
    norms = compose_panel(_rows(), ["Grad-CAM", "LRP-Z"], out, dpi=200, tile_inches=1.0)
    with Image.open(out) as im:
        w, h = im.size
    assert w == 3 * 200  # three columns of one inch each at 200 dpi
    assert h == int(round(200 * (2 * 1.0 * 1.12 + 0.6 + 0.7)))
    assert len(norms) == 2 and [t["method"] for t in norms[0]] == ["gradcam", "lrp.z"]
    signed = norms[1][1]
    assert signed["vmin"] == -signed["vmax"] and signed["cmap"] == "RdBu_r"
    assert norms[0][0]["vmin"] == 0.0 and norms[0][0]["cmap"] == "inferno"


def test_svg_keeps_titles_as_text_and_pdf_is_pdf(tmp_path):
    svg = tmp_path / "panel.svg"
    compose_panel(_rows(), ["Grad-CAM", "LRP-Z"], svg)
    text = svg.read_text()
    assert "true: ? · pred: disgust" in text and "true: pain · pred: disgust" in text and "Grad-CAM" in text
    pdf = tmp_path / "panel.pdf"
    compose_panel(_rows(1), ["Grad-CAM", "LRP-Z"], pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_bad_outputs_are_clear_errors(tmp_path):
    with pytest.raises(ExportError, match="unsupported panel format"):
        compose_panel(_rows(), ["a", "b"], tmp_path / "panel.gif")
    with pytest.raises(ExportError, match="does not exist"):
        compose_panel(_rows(), ["a", "b"], tmp_path / "missing" / "panel.png")
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        with pytest.raises(ExportError, match="not writable"):
            compose_panel(_rows(), ["a", "b"], locked / "panel.png")
    finally:
        os.chmod(locked, 0o700)


def test_no_temporary_files_are_left_behind(tmp_path):
    compose_panel(_rows(), ["a", "b"], tmp_path / "p.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.png"]
    assert (tmp_path / "p.png").stat().st_mode & 0o777 == 0o644
