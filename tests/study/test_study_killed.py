"""A `painxai study run` process killed with SIGKILL after its first finished shard resumes to the clean run's tables.

SIGKILL gives the process no chance to clean up (no ``finally``, no atomic
rename of what it was writing): what it leaves is what a power cut leaves.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from painxai_gui.study.store import read_table

from study_helpers import METHODS, SETTINGS

ROOT = Path(__file__).resolve().parents[2]


def _argv(known_truth, out: Path) -> list[str]:
    """The same command as the clean run of conftest.local_study, into ``out``."""
    return ["study", "run", "--manifest", str(known_truth["manifest"]), "--models", str(known_truth["run"]),
            "--methods", ",".join(METHODS), "--out", str(out), "--quiet",
            "--shard-size", str(SETTINGS["shard_size"]), "--sanity-images", str(SETTINGS["sanity_images"]),
            "--heatmap-size", str(SETTINGS["heatmap_size"])]


def _kill_after_first_shard(argv: list[str], ledger: Path, timeout: float = 300.0) -> int:
    """Start the CLI in a subprocess, SIGKILL it as soon as one ledger entry exists; the entries then."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.Popen([sys.executable, "-m", "painxai_gui.cli", *argv], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while not (ledger.is_dir() and any(ledger.glob("*.json"))):
            if proc.poll() is not None:
                pytest.fail(f"the study run ended (code {proc.returncode}) before its first shard:\n"
                            f"{proc.stderr.read().decode(errors='replace')}")
            if time.monotonic() > deadline:
                pytest.fail("no shard finished in time")
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    return len(list(ledger.glob("*.json")))


@pytest.mark.slow  # the subprocess imports TensorFlow
def test_killed_run_resumes_to_the_clean_runs_tables(local_study, known_truth, tmp_path, capsys):
    from painxai_gui.cli import main

    out = tmp_path / "killed"
    argv = _argv(known_truth, out)
    total = len(list((local_study / "ledger").glob("*.json")))
    finished = _kill_after_first_shard(argv, out / "ledger")
    assert 1 <= finished < total
    assert not (out / "rows.parquet").exists()  # merged only at the end

    capsys.readouterr()
    assert main(argv) == 0  # the same command resumes
    assert f"ran {total - finished} of {total} shards" in capsys.readouterr().out
    clean, resumed = read_table(local_study / "rows.parquet"), read_table(out / "rows.parquet")
    assert clean.keys() == resumed.keys()
    for key in clean:
        np.testing.assert_array_equal(clean[key], resumed[key], err_msg=key)
    clean_sanity, resumed_sanity = read_table(local_study / "sanity.parquet"), read_table(out / "sanity.parquet")
    for key in clean_sanity:
        np.testing.assert_array_equal(clean_sanity[key], resumed_sanity[key], err_msg=key)
    import zarr

    for name in ("heatmaps", "landmarks"):
        np.testing.assert_array_equal(zarr.open_group(str(local_study / "heatmaps.zarr"), mode="r")[name][:],
                                      zarr.open_group(str(out / "heatmaps.zarr"), mode="r")[name][:], err_msg=name)

    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    assert main(argv) == 0  # and once more: nothing to do, nothing written
    assert f"nothing to do: all {total} shards" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before
