"""ReLU rules: one mechanism for the gradient, deconvnet and guided backprop.

A ReLU rule is a ReLU whose forward pass is the ordinary ``max(0, x)`` and
whose backward pass is replaced (``tf.custom_gradient``). The graph replay
takes the ReLU as an argument, so the model itself is never patched. Max
pooling keeps its ordinary gradient, which routes through the forward arg-max
("switches"), as deconvnet requires.

=================  ===============================================
rule               backward of a ReLU with input x, upstream g
=================  ===============================================
``gradient``       ``g * (x > 0)``
``deconvnet``      ``relu(g)``  (forward sign ignored)
``guided``         ``relu(g) * (x > 0)``
=================  ===============================================
"""

from __future__ import annotations

from functools import cache
from typing import Any, Callable

from ._lazy import tf

RULES = ("gradient", "deconvnet", "guided")


@cache
def relu_rule(name: str) -> Callable[[Any], Any]:
    """The ReLU implementing the rule ``name`` (built on first use, then shared)."""
    if name == "gradient":
        return tf.nn.relu

    if name == "deconvnet":

        @tf.custom_gradient
        def deconvnet_relu(x: Any) -> Any:
            return tf.nn.relu(x), lambda g: tf.nn.relu(g)

        return deconvnet_relu

    if name == "guided":

        @tf.custom_gradient
        def guided_relu(x: Any) -> Any:
            return tf.nn.relu(x), lambda g: tf.nn.relu(g) * tf.cast(x > 0, g.dtype)

        return guided_relu

    raise KeyError(f"unknown ReLU rule {name!r}; use one of {', '.join(RULES)}")


#: node kinds through which a ReLU rule is exact: a 'generic' layer could hide
#: ReLUs that the rule cannot reach, so methods that modify ReLUs reject it
RULE_SAFE_KINDS = ("linear", "pool", "maxpool", "act", "reshape", "add", "concat")
