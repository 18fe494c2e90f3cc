"""One module per explanation method; importing this package fills the registry."""

from . import (  # noqa: F401
    deconvnet,
    gradcam,
    gradient,
    guided_backprop,
    guided_gradcam,
    integrated_gradients,
    lime,
    lrp,
    occlusion,
    smoothgrad,
)
