"""A study folder: ``heatmaps.zarr``, shard tables, the ledger, ``rows.parquet``, ``sanity.parquet``, ``record.json``.

Layout (``docs/study.md``):

* ``heatmaps.zarr`` -- a Zarr group: ``heatmaps`` (images x methods x h x w,
  float16, chunks of one shard x one method, NaN until written) and
  ``landmarks`` (images x 68 x 2 float32, crop pixels, chunks of one shard);
  attributes name the methods and sizes.
* ``shards/<kind>-<key>.parquet`` -- what each shard measured, written by the
  process that ran it (a Dask worker or the local engine).
* ``ledger/<key>.json`` -- written last, atomically: the shard is finished.
  A killed run leaves no ledger entry for a half-done shard, so it is redone.
* ``rows.parquet`` / ``sanity.parquet`` -- the merged tables (one row per
  image and method / per image, method and stage).
* ``record.json`` -- identity (what defines the results), inputs, model
  hashes, methods with options, versions, and the state of the run.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from painxai_gui.errors import StudyError
from painxai_gui.files import atomic_write, read_record, write_record

RECORD_KIND = "painxai-study"        #: record.json
LEDGER_KIND = "painxai-study-shard"  #: ledger/<key>.json, one per finished shard
REPORT_KIND = "painxai-study-report"  #: report.json of `painxai study report`
VERSION = 1


def write_json(path: Path, kind: str, data: dict[str, Any]) -> None:
    """A JSON record of the study (stamped ``kind`` + :data:`VERSION`), written atomically."""
    write_record(path, kind, VERSION, data, default=str, parents=True)


def write_table(path: Path, columns: dict[str, Any]) -> None:
    """A Parquet file from equal-length columns (numpy arrays or lists)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({k: (v if isinstance(v, list) else np.asarray(v)) for k, v in columns.items()})
    atomic_write(path, lambda tmp: pq.write_table(table, tmp), parents=True)


def read_table(path: Path) -> dict[str, np.ndarray]:
    """A Parquet file as a dict of numpy columns."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as exc:
        raise StudyError(f"not a readable Parquet table ({exc})", path) from None
    return {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}


class StudyStore:
    """Paths and the small amount of logic around them; safe to use from several processes."""

    def __init__(self, out: str | Path):
        self.out = Path(out)

    # paths
    @property
    def zarr_path(self) -> Path:
        return self.out / "heatmaps.zarr"

    @property
    def record_path(self) -> Path:
        return self.out / "record.json"

    def shard_table(self, kind: str, key: str) -> Path:
        return self.out / "shards" / f"{kind}-{key}.parquet"

    def ledger_entry(self, key: str) -> Path:
        return self.out / "ledger" / f"{key}.json"

    # state
    def is_done(self, kind: str, key: str) -> bool:
        return self.ledger_entry(key).is_file() and self.shard_table(kind, key).is_file()

    def read_record(self) -> dict[str, Any] | None:
        if not self.record_path.is_file():
            return None
        return read_record(self.record_path, RECORD_KIND, VERSION, error=StudyError).data

    def open(self, identity: dict[str, Any], record: dict[str, Any], n_images: int, methods: tuple[str, ...],
             shard_size: int, heatmap_size: int) -> bool:
        """Create the folder and arrays, or check an existing one has the same identity; True when resuming."""
        old = self.read_record()
        if old is not None:
            previous = old.get("identity", {})
            differ = sorted(k for k in set(previous) | set(identity) if previous.get(k) != identity.get(k))
            if differ:
                raise StudyError(f"this study folder was made with other settings ({', '.join(differ)}); "
                                 "use another --out for a new study", self.out)
            return True
        import zarr

        self.out.mkdir(parents=True, exist_ok=True)
        group = zarr.open_group(str(self.zarr_path), mode="w")
        group.create_array("heatmaps", shape=(n_images, len(methods), heatmap_size, heatmap_size), dtype="float16",
                           chunks=(shard_size, 1, heatmap_size, heatmap_size), fill_value=float("nan"))
        group.create_array("landmarks", shape=(n_images, 68, 2), dtype="float32", chunks=(shard_size, 68, 2),
                           fill_value=float("nan"))
        group.attrs.update({"methods": list(methods), "heatmap_size": heatmap_size, "shard_size": shard_size,
                            "axes": ["image", "method", "y", "x"]})
        write_json(self.record_path, RECORD_KIND, dict(record, identity=identity,
                                          created=time.strftime("%Y-%m-%dT%H:%M:%S")))
        return False

    def update_record(self, **fields: Any) -> None:
        record = self.read_record() or {}
        record.update(fields)
        write_json(self.record_path, RECORD_KIND, record)

    def arrays(self, mode: str = "r+"):
        import zarr

        group = zarr.open_group(str(self.zarr_path), mode=mode)
        return group["heatmaps"], group["landmarks"]

    def finish_shard(self, kind: str, key: str, table: dict[str, Any], summary: dict[str, Any]) -> None:
        """Write the shard's table, then its ledger entry (the 'done' marker)."""
        write_table(self.shard_table(kind, key), table)
        write_json(self.ledger_entry(key), LEDGER_KIND, dict(summary, shard=kind, key=key,
                                                finished=time.strftime("%Y-%m-%dT%H:%M:%S")))
