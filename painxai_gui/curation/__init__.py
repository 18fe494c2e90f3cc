"""Curation core (Qt-free): the SQLite project, slots and quota, undo/redo, reports, export, agreement.

Glossary: a *frame* is one image of a video, by 0-based index; a *slot* is one
of N equal time slots of an emotion video (:mod:`.slots`); the *quota* is how
many frames to pick per slot; a *selection* is a frame the annotator chose, a
*suggestion* one the tool proposes until it is accepted; an *exclusion* drops
a subject or a video, with a reason.
"""

from painxai_gui.curation.entities import (ROLE_ALL_FRAMES, ROLE_SLOTS, Exclusion, Progress,
                                           ProjectChange, SlotInfo, VideoInfo, VideoProgress)
from painxai_gui.curation.project import Project
from painxai_gui.curation.slots import compute_quota, slot_bounds, slot_of

__all__ = [
    "Project", "VideoInfo", "SlotInfo", "Progress", "VideoProgress", "Exclusion", "ProjectChange",
    "ROLE_ALL_FRAMES", "ROLE_SLOTS", "compute_quota", "slot_bounds", "slot_of",
]
