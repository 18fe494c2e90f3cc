"""Sidecar fields of the wrong type are refused with the file and the field named, never a traceback."""

from __future__ import annotations

import json

import pytest

from painxai_gui.errors import ModelFileError
from painxai_gui.model import read_sidecar


@pytest.mark.parametrize("field, value", [
    ("input_size", ["x", "y"]), ("input_size", 224), ("input_size", [224, 224, 3]), ("input_size", [True, 2]),
    ("scale", "abc"), ("offset", [1]), ("scale", True),
    ("class_names", "abc"), ("class_names", [["pain"]]), ("class_names", ["pain", ""]),
    ("mean", "0.5"), ("mean", [0.5, "a", 0.5]), ("color_mode", 3), ("architecture", 7), ("extra", []),
])
def test_wrong_types_name_the_file_and_the_field(tmp_path, field, value):
    path = tmp_path / "model.json"
    data = {"class_names": ["pain", "disgust", "happiness"], "input_size": [224, 224], field: value}
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFileError) as info:
        read_sidecar(path)
    assert info.value.path == path and f"sidecar field {field!r} must be" in str(info.value)


def test_a_missing_class_list_is_named(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"input_size": [8, 8]}))
    with pytest.raises(ModelFileError, match="'class_names' is missing"):
        read_sidecar(path)


def test_good_types_still_load(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"class_names": ["a", 2], "input_size": [8, 8], "scale": 1, "offset": 0.5,
                                "mean": [0, 0.5, 1], "color_mode": "bgr", "architecture": None}))
    spec = read_sidecar(path)
    assert spec.class_names == ("a", "2") and spec.input_size == (8, 8) and spec.scale == 1
