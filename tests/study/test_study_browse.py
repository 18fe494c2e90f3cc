"""What the Study window reads (``study.browse``, Qt-free): the current report, or the report's numbers computed."""

from __future__ import annotations

import csv
import json
import shutil

import numpy as np
import pytest

from painxai_gui.errors import StudyError
from painxai_gui.study.browse import find_report, open_study


def _csv(path):
    return list(csv.DictReader(open(path, newline="")))


def test_the_current_report_is_read(local_study, study_report):
    browse = open_study(local_study)
    assert browse.report == study_report.resolve()
    rows = _csv(study_report / "regions.csv")
    assert len(browse.regions) == len(rows)
    for row in rows:
        cell = browse.cell(row["grouping"], row["class"], row["method"], row["measure"], row["region"])
        assert (cell["mean"], cell["low"], cell["high"], cell["rank"]) == (
            float(row["mean"]), float(row["low"]), float(row["high"]), int(row["rank"]))
    faces = np.load(study_report / "average_faces.npz")
    np.testing.assert_array_equal(browse.averages[("true", "pain", "gradient")], faces["true|pain|gradient"])
    assert sum(len(v) for v in browse.members.values()) == len(_csv(study_report / "cluster_members.csv"))


def test_a_report_of_another_state_is_not_used(local_study, study_report, tmp_path):
    study = tmp_path / "study"
    shutil.copytree(local_study, study)
    shutil.copytree(study_report, tmp_path / "report")  # beside the copy, but it names the original study
    assert find_report(study, open_study(local_study).record) is None
    data = json.loads((tmp_path / "report" / "report.json").read_text())
    data["study"] = str(study.resolve())
    (tmp_path / "report" / "report.json").write_text(json.dumps(data))
    record = json.loads((study / "record.json").read_text())
    assert find_report(study, record) == (tmp_path / "report").resolve()
    record["state"]["plan"] = "something else"  # the study changed since the report
    (study / "record.json").write_text(json.dumps(record))
    browse = open_study(study)
    assert browse.report is None and len(browse.regions) == len(_csv(study_report / "regions.csv"))


def test_not_a_study_names_the_folder(tmp_path):
    with pytest.raises(StudyError, match="not a finished study folder") as info:
        open_study(tmp_path)
    assert str(tmp_path) in str(info.value)
