"""Face work from several threads: each detection leases its own dlib detector (copies detect alike), and
threads asking a FaceTrack for the same new frame at once share one detection."""

from __future__ import annotations

import threading

import numpy as np

from painxai_gui.demo_data import write_test_video
from painxai_gui.face import FaceCropper, FaceTrack, models


def test_concurrent_leases_are_distinct_detectors_that_agree(photo):
    import cv2

    gray = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)
    with models.detector_lease() as a, models.detector_lease() as b:
        assert a is not b
        boxes = [[(r.left(), r.top(), r.right(), r.bottom()) for r in d(gray, 0)] for d in (a, b)]
    assert boxes[0] == boxes[1] == [(179, 83, 266, 170)]


def test_one_new_frame_asked_twice_at_once_is_detected_once(tmp_path):
    path = write_test_video(tmp_path / "v.mp4", 3, (320, 240))
    cropper = FaceCropper()
    with FaceTrack(path, cropper) as track:
        image = track.reader.read(1)
        start = threading.Barrier(3)
        results = []

        def ask():
            start.wait()
            results.append(track.get(1, image))

        threads = [threading.Thread(target=ask) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert cropper.predictor_calls == 1  # one set of landmarks for the three callers
        assert all(r.ok for r in results)
        for r in results[1:]:
            np.testing.assert_array_equal(r.source_landmarks, results[0].source_landmarks)
