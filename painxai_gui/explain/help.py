"""How to read each method's heatmap, one line per method id (the F1 help; the CLI may print it too).

A method's ``summary`` (in the registry) says what it computes; :data:`READING`
says what its colours mean under the app's one colour policy
(``export/colormaps.py``): unsigned maps in the sequential map (``inferno``:
black = nothing, through purple and orange, to pale yellow = the most), signed
maps in the diverging map centred on 0 (``RdBu_r``: red = for the target
class, blue = against it, white = neutral). Kept in one table here, keyed by
method id, so the method modules stay as they are.
"""

from __future__ import annotations

from typing import Any, NamedTuple

UNSIGNED = "(black = none, pale yellow = most; magnitude only, no sign)"
SIGNED = "red = evidence for the target class, blue = against it, white = neutral"

READING: dict[str, str] = {
    "deconvnet": "bright = patterns the class's features respond to (edges, textures); "
                 "says little about this class versus the others. " + UNSIGNED,
    "gradient": "bright = pixels where a small change moves the class score most: sensitivity, "
                "not evidence; speckled. " + UNSIGNED,
    "guided_backprop": "bright = fine edges that excite the class's features; sharp but weakly "
                       "class-specific. " + UNSIGNED,
    "gradcam": "bright = coarse regions the last convolutional layer uses for the class "
               "(positive evidence only, blurred to the layer's resolution). " + UNSIGNED,
    "guided_gradcam": "bright = fine detail inside the Grad-CAM regions: sharp and "
                      "class-specific. " + UNSIGNED,
    "lrp.z": "the class score split over the pixels (they add up to it): " + SIGNED + "; noisy",
    "lrp.epsilon": "the class score split over the pixels, weak contributions damped: " + SIGNED,
    "lrp.preset_a_flat": "the class score split over the pixels, tuned for readable maps: " + SIGNED,
    "lrp.preset_b_flat": "like PresetAFlat with negative evidence weighed in (alpha 2, beta 1): " + SIGNED,
    "lime": "segments whose presence raises (red) or lowers (blue, mode positive_negative) the class "
            "probability in a local linear model; only the top_k segments are coloured",
    "lrp.alpha_beta": "the class score split over the pixels, positive and negative parts weighed by "
                      "alpha and beta: " + SIGNED,
    "smoothgrad": "bright = sensitivity averaged over noisy copies: less speckle than the plain "
                  "gradient. " + UNSIGNED,
    "integrated_gradients": "the class score's change from a blank baseline split over the pixels: " + SIGNED,
    "occlusion": "red = hiding a patch here lowers the class score (the model needs it), "
                 "blue = hiding it raises the score",
}


class MethodHelp(NamedTuple):
    id: str
    name: str
    shows: str     # what it computes (the registry's summary)
    reading: str   # how to read its colours


def reading(method: Any) -> str:
    """How to read ``method``'s colours (a registered method object); a generic line for methods not listed."""
    return READING.get(method.id, SIGNED if method.signed else UNSIGNED)


def method_help() -> list[MethodHelp]:
    """One line per registered method, in the registry's (thesis) order."""
    from .registry import METHODS

    return [MethodHelp(m.id, m.display_name, m.summary, reading(m)) for m in METHODS.values()]
