"""The app's per-frame work, Qt-free: read a frame, crop the face and predict, explain, fill the probability timeline.

Jobs are plain functions ``job(request, ctx)`` over immutable requests; ``ctx``
is any :class:`~painxai_gui.live.context.JobContext` (the GUI's worker
channels pass theirs; tests and benchmarks pass their own). ``gui/`` only
builds the requests and draws the results.

| module | role |
|---|---|
| ``context.py`` | ``JobContext`` protocol (``cancelled()``, ``progress(done, total)``), ``Cancelled`` |
| ``media.py`` | ``MediaPool``: open readers and face tracks shared by the workers |
| ``frames.py`` | ``read_frame`` and ``analyse`` (face crop + class probabilities) |
| ``explain_job.py`` | ``explain_frame``: one dock's explanation through ``explain.face.explain_face`` |
| ``video_pass.py`` | ``run_pass``: decode + face crop of many frames ahead in threads, batches to the caller |
| ``timeline_cache.py`` | ``TimelineCache``: whole-video arrays in memory and as ``.npy`` (keys hashed) |
| ``probabilities.py`` | ``fill_video``: every frame's class probabilities, through the pass, cached |
| ``region_timeline.py`` | ``fill_regions``: every frame's relevance share per facial region for one method |
"""
