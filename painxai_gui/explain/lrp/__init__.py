"""Layer-wise relevance propagation in Zennit's vocabulary.

* :mod:`.rules` -- small declarative rules (Z, Epsilon, AlphaBeta, Flat) for a
  linear stage ``z = a W + b``;
* :mod:`.composites` -- which rule each layer gets (first match wins, special
  first layer, :mod:`.first`); the thesis presets are composites; each LRP
  method declares its own, :func:`thesis_composite` gives the thesis convention's;
* :mod:`.canonizers` -- graph rewrites applied before the rules (BatchNorm
  folding) -- on our replay of the graph, never on the user's model;
* :mod:`.engine` -- one forward pass keeping each stage's input and
  pre-activation, then one backward sweep distributing relevance.
"""

from .canonizers import fold_batchnorm
from .composites import Composite, preset_flat, thesis_composite
from .engine import canonize, lrp_relevance
from .first import first_layers, input_fed_layers
from .rules import AlphaBeta, BatchNormThesis, Epsilon, Flat, Rule, ZRule

__all__ = [
    "AlphaBeta", "BatchNormThesis", "Composite", "Epsilon", "Flat", "Rule", "ZRule",
    "canonize", "first_layers", "fold_batchnorm", "input_fed_layers", "lrp_relevance", "preset_flat",
    "thesis_composite",
]
