"""`main.py --screenshot` options: extra docks and the window size are checked before any window opens."""

from __future__ import annotations

import pytest

from painxai_gui.gui.app import parse_args
from painxai_gui.gui.screenshot_docks import parse_dock


def test_dock_spec_is_parsed_and_typed_by_the_methods_options():
    method, options = parse_dock("lime:num_samples=300,segmentation=precomputed,mode=positive_negative")
    assert method == "lime"
    assert options == {"num_samples": 300, "segmentation": "precomputed", "mode": "positive_negative"}
    assert parse_dock("gradcam") == ("gradcam", {})


@pytest.mark.parametrize("spec, words", [("nope", "unknown method 'nope'"),
                                         ("lime:bogus=1", "name one of num_samples"),
                                         ("lime:num_samples=abc", "must be int"),
                                         ("lime:segmentation=voronoi", "segmentation")])
def test_bad_dock_specs_stop_with_a_message(spec, words):
    with pytest.raises(SystemExit, match=words):
        parse_dock(spec)


def test_screenshot_size():
    assert parse_args(["--screenshot", "x.png", "--screenshot-size", "1366x768"]).screenshot_size == (1366, 768)
    assert parse_args([]).screenshot_size == (1590, 990)
    with pytest.raises(SystemExit):
        parse_args(["--screenshot-size", "100x100"])
