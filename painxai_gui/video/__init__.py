"""Video access: frame-exact random reads, a decoded-frame cache and read-ahead."""

from painxai_gui.video.cache import FrameCache
from painxai_gui.video.reader import SEQUENTIAL, TIMESTAMPS, ReaderStats, VideoReader

__all__ = ["FrameCache", "ReaderStats", "SEQUENTIAL", "TIMESTAMPS", "VideoReader"]
