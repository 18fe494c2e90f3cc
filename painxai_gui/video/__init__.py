"""Video access: frame-exact random reads, a decoded-frame cache, read-ahead and intra-frame proxies."""

from painxai_gui.video.cache import FrameCache
from painxai_gui.video.proxy import prune_proxies
from painxai_gui.video.proxy_build import ProxyCancelled, find_proxy, needs_proxy, prepare_proxy
from painxai_gui.video.reader import SEQUENTIAL, TIMESTAMPS, ReaderStats, VideoReader

__all__ = ["FrameCache", "ProxyCancelled", "ReaderStats", "SEQUENTIAL", "TIMESTAMPS", "VideoReader", "find_proxy",
           "needs_proxy", "prepare_proxy", "prune_proxies"]
