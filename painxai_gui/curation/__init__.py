"""Curation core (Qt-free): the SQLite project, slots and quota, undo/redo, reports, export, agreement.

Glossary: a *frame* is one image of a video, by 0-based index; a *slot* is one
of N equal time slots of an emotion video (:mod:`.slots`); the *quota* is how
many frames to pick per slot; a *selection* is a frame the annotator chose, a
*suggestion* one the tool proposes until it is accepted; an *exclusion* drops
a subject or a video, with a reason.

For the GUI: every read is cheap and cached (``selections(video)`` and
``suggestions(video)`` are frozensets of frame indices, ``slots(video)`` gives
per-slot counts and quota, ``progress_text(video)`` reads "107/107, 64/107,
0/107"); ``subscribe(callback)`` calls ``callback(ProjectChange)`` after each
commit, on the thread that made the change (marshal to the GUI thread
yourself); ``annotator`` is a settable property; ``can_undo``/``can_redo``
and ``undo_description``/``redo_description`` label the actions;
``get_setting``/``set_setting`` keep per-project JSON settings. A Project is
thread-safe (one lock around its SQLite connection), so ``export`` may run in
a worker while the GUI keeps reading. Only one process may open a project for
writing; others open it with ``read_only=True``.
"""

from painxai_gui.curation.entities import Exclusion, Progress, ProjectChange, SlotInfo, VideoProgress
from painxai_gui.curation.project import Project
from painxai_gui.curation.slots import compute_quota, slot_bounds, slot_of
from painxai_gui.dataset.records import ROLE_ALL_FRAMES, ROLE_SLOTS

__all__ = [
    "Project", "SlotInfo", "Progress", "VideoProgress", "Exclusion", "ProjectChange",
    "ROLE_ALL_FRAMES", "ROLE_SLOTS", "compute_quota", "slot_bounds", "slot_of",
]
