"""The latest-wins channel: bursts collapse, stale results are dropped, errors and cancels reported."""

from __future__ import annotations

import threading
import time

import pytest

from painxai_gui.gui.workers import Cancelled, Channel, Tasks


def test_burst_runs_few_jobs_and_ends_on_the_newest(qtbot):
    gate = threading.Event()
    seen = []

    def job(request, ctx):
        gate.wait(5)
        time.sleep(0.01)
        return request * 10

    channel = Channel("t", job)
    channel.finished.connect(lambda o: seen.append(o.result))
    for i in range(50):
        channel.submit(i)
    gate.set()
    qtbot.waitUntil(lambda: bool(seen) and seen[-1] == 490 and not channel.is_busy(), timeout=5000)
    assert channel.jobs_run <= 2  # the first one (already running) and the newest
    assert seen[-1] == 490
    assert seen == sorted(seen)  # never goes backwards
    channel.shutdown()


def test_a_result_older_than_one_shown_is_dropped(qtbot):
    channel = Channel("t", lambda r, c: r)
    got = []
    channel.finished.connect(lambda o: got.append(o.generation))
    channel._on_done(5, "new", "new", 0.0, None, "")
    channel._on_done(3, "old", "old", 0.0, None, "")
    assert got == [5]
    channel.shutdown()


def test_superseding_channel_cancels_the_running_job(qtbot):
    started = threading.Event()
    cancelled = []

    def job(request, ctx):
        if request == "slow":
            started.set()
            for _ in range(500):
                ctx.check()
                time.sleep(0.01)
        return request

    channel = Channel("t", job, supersede=True)
    channel.cancelled.connect(cancelled.append)
    with qtbot.waitSignal(channel.finished, timeout=5000) as blocker:
        channel.submit("slow")
        assert started.wait(2)
        channel.submit("fast")
    assert blocker.args[0].result == "fast"
    qtbot.waitUntil(lambda: cancelled == ["slow"], timeout=2000)
    channel.shutdown()


def test_errors_come_back_with_the_request(qtbot):
    def job(request, ctx):
        raise ValueError(f"bad {request}")

    channel = Channel("t", job)
    with qtbot.waitSignal(channel.failed, timeout=3000) as blocker:
        channel.submit(7)
    request, error, text = blocker.args
    assert request == 7 and isinstance(error, ValueError) and "bad 7" in text
    channel.shutdown()


def test_progress_and_cancel(qtbot):
    def job(request, ctx):
        for i in range(200):
            ctx.progress(i, 200)
            if ctx.cancelled():
                raise Cancelled()
            time.sleep(0.005)
        return "done"

    channel = Channel("t", job)
    progress = []
    channel.progress.connect(lambda r, d, t: progress.append(d))
    with qtbot.waitSignal(channel.cancelled, timeout=5000):
        channel.submit("x")
        qtbot.waitUntil(lambda: len(progress) > 3, timeout=3000)
        channel.cancel()
    assert not channel.is_busy()
    channel.shutdown()


def test_tasks_call_back_on_the_gui_thread(qtbot):
    errors = []
    tasks = Tasks(lambda e, t: errors.append(e))
    main = threading.get_ident()
    out = []
    with qtbot.waitSignal(tasks.ended, timeout=3000):
        tasks.run("a", "adding", lambda ctx: threading.get_ident(), lambda tid: out.append((tid, threading.get_ident())))
    assert out and out[0][0] != main and out[0][1] == main
    with qtbot.waitSignal(tasks.ended, timeout=3000):
        tasks.run("a", "failing", lambda ctx: 1 / 0, lambda _r: None)
    assert isinstance(errors[0], ZeroDivisionError)
    tasks.shutdown()


@pytest.mark.parametrize("n", [1, 3])
def test_shutdown_is_quick(qtbot, n):
    channels = [Channel(f"c{i}", lambda r, c: r) for i in range(n)]
    t0 = time.perf_counter()
    for c in channels:
        c.shutdown()
    assert time.perf_counter() - t0 < 1.0


def test_every_request_ends_once_even_when_replaced_or_cancelled(qtbot):
    gate = threading.Event()
    ended = []

    def job(request, ctx):
        gate.wait(5)
        return request

    channel = Channel("t", job)
    channel.ended.connect(ended.append)
    for i in range(5):
        channel.submit(i)  # 0 runs, 1..3 are replaced while pending, 4 runs
    gate.set()
    qtbot.waitUntil(lambda: sorted(ended) == [0, 1, 2, 3, 4], timeout=5000)
    gate.clear()
    channel.submit("a")
    channel.submit("b")
    channel.cancel()
    gate.set()
    qtbot.waitUntil(lambda: "a" in ended and "b" in ended, timeout=5000)
    assert len(ended) == 7
    channel.shutdown()


def test_tasks_stay_busy_until_the_result_is_applied(qtbot):
    tasks = Tasks(lambda e, t: None)
    applied = []
    gate = threading.Event()
    tasks.run("x", "one", lambda ctx: gate.wait(5) and 1, applied.append)
    tasks.run("x", "two", lambda ctx: 2, applied.append)  # may replace "one" or run after it
    assert tasks.busy("x")
    gate.set()
    qtbot.waitUntil(lambda: not tasks.busy("x"), timeout=5000)
    assert applied and applied[-1] == 2  # busy() turned False only after on_done ran
    tasks.shutdown()


def test_core_cancellations_are_told_by_type_not_by_name(qtbot):
    """Any errors.Cancelled subclass (here LIME's own, raised by a real explain) is a cancel; an error
    class merely *named* like one is a failure."""
    import numpy as np

    from painxai_gui.errors import Cancelled as CoreCancelled
    from painxai_gui.explain import explain

    class CancelledByTheDisk(OSError):  # has "cancel" in its name, is no cancellation
        pass

    def job(request, ctx):
        if request == "lime":
            import keras

            inputs = keras.Input((8, 8, 3))
            model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(inputs)))
            x = np.zeros((8, 8, 3), np.float32)
            explain(model, x, "lime", num_samples=20, batch_size=10, segments=np.zeros((8, 8), int),
                    cancel=lambda: True)
        raise CancelledByTheDisk("not a cancel")

    channel = Channel("t", job)
    cancelled, failed = [], []
    channel.cancelled.connect(cancelled.append)
    channel.failed.connect(lambda r, e, t: failed.append(e))
    with qtbot.waitSignal(channel.ended, timeout=60000):
        channel.submit("lime")
    with qtbot.waitSignal(channel.ended, timeout=5000):
        channel.submit("named")
    assert cancelled == ["lime"] and len(failed) == 1 and isinstance(failed[0], CancelledByTheDisk)
    assert Cancelled is CoreCancelled
    channel.shutdown()


def test_tasks_route_a_cancel_to_on_cancel_not_on_error(qtbot):
    from painxai_gui.errors import ExportCancelled

    errors, cancels, done = [], [], []
    tasks = Tasks(lambda e, t: errors.append(e))

    def job(ctx):
        raise ExportCancelled("panel export cancelled")

    with qtbot.waitSignal(tasks.ended, timeout=3000):
        tasks.run("panel", "exporting", job, done.append, errors.append, lambda: cancels.append("c"))
    with qtbot.waitSignal(tasks.ended, timeout=3000):
        tasks.run("panel", "exporting", job, done.append)  # no on_cancel: nothing is shown
    assert cancels == ["c"] and errors == [] and done == []
    tasks.shutdown()
