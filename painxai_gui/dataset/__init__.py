"""Dataset index: BioVid Part A clips and emotion videos as :class:`VideoRecord` rows."""

from painxai_gui.dataset.records import Subject, VideoRecord

__all__ = ["Subject", "VideoRecord"]
