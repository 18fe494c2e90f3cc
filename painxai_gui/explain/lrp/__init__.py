"""Layer-wise relevance propagation in Zennit's vocabulary.

* :mod:`.rules` -- small declarative rules (Z, Epsilon, AlphaBeta, Flat) for a
  linear stage ``z = a W + b``;
* :mod:`.composites` -- which rule each layer gets (first match wins, special
  first layer); the thesis presets are composites;
* :mod:`.canonizers` -- graph rewrites applied before the rules (BatchNorm
  folding) -- on our replay of the graph, never on the user's model;
* :mod:`.engine` -- one forward pass keeping each stage's input and
  pre-activation, then one backward sweep distributing relevance.
"""

from .canonizers import fold_batchnorm
from .composites import COMPOSITES, Composite
from .engine import lrp_relevance
from .rules import AlphaBeta, Epsilon, Flat, Rule, ZRule

__all__ = [
    "AlphaBeta", "COMPOSITES", "Composite", "Epsilon", "Flat", "Rule", "ZRule",
    "fold_batchnorm", "lrp_relevance",
]
