"""One rule for results that belong to another frame than the one on screen (docks, bars, overlay).

A result carries the frame it was computed for; while another frame is shown
it is dimmed and labelled "frame N (shown M)" in :data:`STALE_COLOUR`.
"""

from __future__ import annotations

STALE_OPACITY = 0.35  #: images, bars and tables of a result for another frame than the one shown
STALE_COLOUR = "#e9a24a"


def is_stale(result_frame: int | None, shown_frame: int | None) -> bool:
    """Both known and different (no result or nothing shown yet: not stale)."""
    return result_frame is not None and shown_frame is not None and result_frame != shown_frame


def frame_label(result_frame: int, shown_frame: int | None, html: bool = True) -> str:
    """``"frame 13"``, or ``"frame 13 (shown 19)"`` (coloured when ``html``) while it is stale."""
    if not is_stale(result_frame, shown_frame):
        return f"frame {result_frame}"
    text = f"frame {result_frame} (shown {shown_frame})"
    return f"<span style='color:{STALE_COLOUR}'>{text}</span>" if html else text
