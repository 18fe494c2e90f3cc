"""Where shards run: ``local`` (this process, in order) or ``dask`` (a Dask distributed cluster).

Both call :func:`painxai_gui.study.shard.run_shard` on the same shards, so
they write the same tables. ``dask`` starts a ``LocalCluster`` of
``workers`` processes (one task at a time each) or connects to ``scheduler`` (e.g. a
dask-jobqueue ``SLURMCluster``'s address); every worker writes its shards
straight into the study folder, which must therefore be on a file system all
workers see. A method shard waits for its block's images shard only when
that shard detects the landmarks (no ``landmarks`` column in the manifest).
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable, Sequence

from painxai_gui.study.plan import Shard
from painxai_gui.study.shard import run_shard

OnDone = Callable[[Shard, dict[str, Any]], None]


class StudyStopped(Exception):
    """Raised when a run is stopped on purpose (``stop_after`` in tests, Ctrl+C)."""


def run_local(shards: Sequence[Shard], on_done: OnDone, batch_size: int = 32) -> None:
    for shard in shards:
        on_done(shard, run_shard(shard, batch_size))


def worker_env() -> dict[str, str]:
    """Environment for LocalCluster workers: this process's TensorFlow log level and GPU choice.

    TensorFlow keeps its default thread pools in each worker: capping them at
    ``cores // workers`` was measured slower here (1.6x on 2 cores under
    load; bench_study.py), and a cluster worker should use its node's cores.
    """
    env = {"TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}
    if "CUDA_VISIBLE_DEVICES" in os.environ:
        env["CUDA_VISIBLE_DEVICES"] = os.environ["CUDA_VISIBLE_DEVICES"]
    return env


def connect(workers: int | None, scheduler: str | None):
    """A dask.distributed Client (and the LocalCluster it owns, or None)."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    n = workers or max(1, os.cpu_count() or 1)
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR, env=worker_env())
    return Client(cluster), cluster


def run_dask(shards: Sequence[Shard], on_done: OnDone, batch_size: int = 32, workers: int | None = None,
             scheduler: str | None = None, client: Any = None) -> None:
    from dask.distributed import as_completed

    own = client is None
    cluster = None
    if own:
        client, cluster = connect(workers, scheduler)
    futures = []
    try:
        images: dict[str, Any] = {}
        by_future = {}
        for shard in shards:
            after = images.get(shard.depends) if shard.depends else None
            future = client.submit(run_shard, shard, batch_size, after, key=f"study-{shard.kind}-{shard.key}",
                                   pure=False, retries=0)
            if shard.kind == "images":
                images[shard.key] = future
            futures.append(future)
            by_future[future.key] = shard
        for future in as_completed(futures):
            on_done(by_future[future.key], future.result())
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
