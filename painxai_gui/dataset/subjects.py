"""BioVid subject ids (``071309_w_21``: recording date, gender w/m, age) to :class:`Subject`."""

from __future__ import annotations

import re

from painxai_gui.dataset.records import Subject

SUBJECT_ID = re.compile(r"^(?P<date>\d{6})_(?P<gender>[wm])_(?P<age>\d{2})$")


def parse_subject(subject_id: str) -> Subject | None:
    """The subject's metadata from its id, or None when the id is not in BioVid's pattern.

    ``date`` keeps the id's six digits as they are (BioVid does not document
    their order); ``gender`` is ``"w"`` or ``"m"``; ``age`` is in years.
    """
    match = SUBJECT_ID.match(subject_id)
    if match is None:
        return None
    return Subject(id=subject_id, date=match["date"], gender=match["gender"], age=int(match["age"]))
