"""A video replaced or rewritten while its reader is open is an error, never the new file's frames."""

from __future__ import annotations

import os

import pytest

from painxai_gui.demo_data import write_test_video
from painxai_gui.errors import VideoError
from painxai_gui.video import VideoReader


@pytest.mark.parametrize("how", ["renamed over", "rewritten in place"])
def test_a_replaced_file_is_not_read_as_the_old_one(tmp_path, how):
    path = write_test_video(tmp_path / "clip.mp4", 30, (160, 120), fourcc="mp4v")
    other = write_test_video(tmp_path / "other.mp4", 40, (160, 120), fourcc="mp4v", variant=3)
    reader = VideoReader(path, cache_bytes=0)
    try:
        first = reader.read(5).copy()
        if how == "renamed over":
            os.replace(other, path)
        else:
            path.write_bytes(other.read_bytes())
        with pytest.raises(VideoError, match="replaced or changed on disk") as info:
            reader.read(0)  # a backward jump reopens the file
        assert info.value.path == path
    finally:
        reader.close()
    with VideoReader(path) as fresh:  # opened again, it is simply the new video
        assert fresh.frame_count == 40 and not (fresh.read(5) == first).all()
