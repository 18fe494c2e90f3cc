"""Central views: the video frame with overlays and the slot timeline."""
