"""Keras layers -> replayable graph nodes: the one table of layers the engine knows.

Every node is replayed with our own TensorFlow ops so that methods can swap
the ReLU (guided backprop, deconvnet), read pre-activations (LRP) and drop a
final softmax -- without touching the user's model. Weights are read from the
model's variables *inside* the traced function, so nothing is copied. Weights
*derived* from them (LRP's sign-split kernels, :meth:`Stage.derived`) are
computed once per model from the weights of the first call and kept with the
parsed graph: after changing a model's weights in place, call
:func:`~.context.clear_cache`.

Node kinds:

``input``      the model input
``linear``     one or more :class:`Stage` (y = apply(a, W) + b), then an activation
               (Conv2D, DepthwiseConv2D, SeparableConv2D = depthwise + pointwise,
               Dense, BatchNormalization / Rescaling as per-channel affine)
``pool``       average pooling as a fixed linear stage (AveragePooling2D, GAP)
``maxpool``    MaxPooling2D, GlobalMaxPooling2D
``act``        an elementwise activation (Activation, ReLU, LeakyReLU, ELU)
``reshape``    pure re-indexing: Flatten, Reshape, ZeroPadding2D, Cropping2D,
               Dropout & co. (identity at inference)
``add``        Add / Average (relevance split by contribution)
``concat``     Concatenate
``generic``    anything else: replayed by calling the layer; fine for plain
               gradients, rejected by methods that must change the backward pass
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from painxai_gui.errors import ExplainError

from ._lazy import keras, tf

#: activations through which LRP passes relevance unchanged
LRP_IDENTITY_ACTIVATIONS = frozenset(
    {"relu", "linear", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "relu6"}
)
_RESHAPE_LAYERS = (
    "Flatten", "Reshape", "ZeroPadding2D", "Cropping2D", "Dropout", "SpatialDropout2D",
    "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Identity",
)
#: a transposed conv with at least this many output channels runs as a forward conv with the
#: flipped kernel: TF's CPU Conv2DBackpropInput is up to 3x slower than Conv2D for the same
#: product; with fewer channels (the image's 3) the forward conv is the slower one
FLIPPED_CONV_MIN_CHANNELS = 16
_DERIVED_LOCK = threading.Lock()


@dataclass(frozen=True, eq=False)
class Stage:
    """One linear map ``z = apply(a, kernel) + bias`` of a layer.

    ``kernel`` / ``bias`` are zero-argument callables evaluated at trace time
    (they read the model's variables; canonizers wrap them, e.g. BN folding).
    ``params``: the op's settings (strides, padding...); a BatchNormalization's
    affine stage also carries ``mean`` and ``beta`` callables (the thesis's BN rule).
    """

    op: str  # conv | depthwise | dense | affine | avgpool | gap
    kernel: Callable[[], Any] | None = None
    bias: Callable[[], Any] | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    _derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def derived(self, name: str, make: Callable[[Any], Any]) -> Any:
        """``make(kernel)`` computed once per stage, eagerly (also when called while tracing), and kept.

        For LRP's sign-split kernels: splitting fc6's 102M weights on every call
        cost more than the rule itself. The tensor is captured by the traced
        functions that use it (no copy per call)."""
        with _DERIVED_LOCK:
            if name not in self._derived:
                with tf.init_scope():
                    self._derived[name] = tf.convert_to_tensor(make(self.kernel()))
            return self._derived[name]

    def apply(self, a: Any, kernel: Any = None) -> Any:
        p = self.params
        if self.op == "conv":
            return keras.ops.conv(a, kernel, p["strides"], p["padding"], "channels_last", p["dilation"])
        if self.op == "depthwise":
            return keras.ops.depthwise_conv(a, kernel, p["strides"], p["padding"], "channels_last", p["dilation"])
        if self.op == "dense":
            return tf.tensordot(a, kernel, [[a.shape.rank - 1], [0]]) if a.shape.rank > 2 else tf.matmul(a, kernel)
        if self.op == "affine":
            return a * kernel
        if self.op == "avgpool":
            return tf.nn.avg_pool2d(a, p["pool"], p["strides"], p["padding"].upper())
        if self.op == "gap":
            return tf.reduce_mean(a, axis=[1, 2], keepdims=p["keepdims"])
        raise AssertionError(self.op)

    def forward(self, a: Any, kernel: Any = None, bias: Any = None) -> Any:
        """``apply(a, kernel) + bias``; by default the stage's own kernel and bias."""
        kernel = kernel if kernel is not None else (self.kernel() if self.kernel is not None else None)
        bias = bias if bias is not None else (self.bias() if self.bias is not None else None)
        return add_bias(self.apply(a, kernel), bias)

    def vjp(self, a: Any, s: Any, kernel: Any = None, flipped: Any = None) -> Any:
        """sum_j W_ij s_j for every input i (the transposed map applied to ``s``).

        ``flipped``: :func:`flip_kernel` of ``kernel`` if already at hand (conv only)."""
        if self.flippable(a):
            return self._transposed_conv(s, flipped if flipped is not None else flip_kernel(kernel))
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(a)
            z = self.apply(a, kernel)
        return tape.gradient(z, a, output_gradients=s)

    def flippable(self, a: Any) -> bool:
        """Whether :meth:`vjp` runs as a forward conv with the flipped kernel (stride 1, no dilation)."""
        p = self.params
        return (self.op == "conv" and tuple(p["strides"]) == (1, 1) and tuple(p["dilation"]) == (1, 1)
                and a.shape[-1] is not None and a.shape[-1] >= FLIPPED_CONV_MIN_CHANNELS)

    def _transposed_conv(self, s: Any, flipped: Any) -> Any:
        kh, kw = int(flipped.shape[0]), int(flipped.shape[1])
        pads = [[0, 0]]
        for k in (kh, kw):
            before = (k - 1) // 2 if self.params["padding"] == "same" else 0
            after = (k - 1 - before) if self.params["padding"] == "same" else 0
            pads.append([k - 1 - before, k - 1 - after])
        pads.append([0, 0])
        same = all(b == a == (k - 1) // 2 for (b, a), k in zip(pads[1:3], (kh, kw)))
        return tf.nn.conv2d(s, flipped, 1, "SAME" if same else pads)


@dataclass(frozen=True, eq=False)
class Node:
    """One replayable operation of the model graph (see the module docstring)."""

    index: int
    name: str
    layer_class: str
    kind: str
    inputs: tuple[int, ...]
    stages: tuple[Stage, ...] = ()
    activation: str = "linear"
    fn: Callable[[list], Any] | None = None
    shape: tuple[int | None, ...] = ()

    def forward(self, inputs: list, relu: Callable[[Any], Any]) -> Any:
        if self.kind in ("linear", "pool"):
            a = inputs[0]
            for stage in self.stages:
                a = stage.forward(a)
            return activate(a, self.activation, relu, self.fn)
        if self.kind == "act":
            return activate(inputs[0], self.activation, relu, self.fn)
        return self.fn(inputs)

    def describe(self) -> str:
        return f"layer {self.name!r} ({self.layer_class})"


def add_bias(z: Any, bias: Any) -> Any:
    """``z + bias``; a per-channel bias as BiasAdd, which TensorFlow fuses with the conv / matmul before it."""
    if bias is None:
        return z
    if bias.shape.rank == 1 and z.shape.rank in (2, 4) and bias.shape[0] == z.shape[-1]:
        return tf.nn.bias_add(z, bias)
    return z + bias


def flip_kernel(kernel: Any) -> Any:
    """The kernel of the transposed stride-1 conv: spatially flipped, in/out channels swapped."""
    return tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2])


def activate(z: Any, name: str, relu: Callable[[Any], Any], fn: Callable | None = None) -> Any:
    if name == "linear":
        return z
    if name == "relu":
        return relu(z)
    return fn(z) if fn is not None else keras.activations.get(name)(z)


def _variable(layer: Any, attr: str) -> Callable[[], Any]:
    """Reads ``layer.<attr>`` when called (inside a trace: the variable is captured, not copied)."""
    return lambda: tf.convert_to_tensor(getattr(layer, attr))


def _activation_name(fn: Any) -> str:
    return getattr(fn, "__name__", None) or type(fn).__name__


def _check_channels_last(layer: Any) -> None:
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        raise ExplainError(f"layer {layer.name!r} ({type(layer).__name__}) uses channels_first; only channels_last is supported")


def _conv_params(layer: Any) -> dict[str, Any]:
    _check_channels_last(layer)
    return {"strides": tuple(layer.strides), "padding": layer.padding, "dilation": tuple(layer.dilation_rate)}


def _bias(layer: Any) -> Callable[[], Any] | None:
    return _variable(layer, "bias") if getattr(layer, "use_bias", False) else None


def _linear(layer: Any, in_rank: int) -> dict[str, Any] | None:
    """Fields of a ``linear`` node for the weight layers we know, else None."""
    cls = type(layer).__name__
    if getattr(layer, "quantization_mode", None):
        raise ExplainError(f"layer {layer.name!r} ({cls}) is quantized; explain the float model")
    if isinstance(layer, keras.layers.Conv2D):
        if getattr(layer, "groups", 1) != 1:
            return None
        stages = (Stage("conv", _variable(layer, "kernel"), _bias(layer), _conv_params(layer)),)
    elif isinstance(layer, keras.layers.DepthwiseConv2D):
        stages = (Stage("depthwise", _variable(layer, "kernel"), _bias(layer), _conv_params(layer)),)
    elif isinstance(layer, keras.layers.SeparableConv2D):
        pointwise = {"strides": (1, 1), "padding": "valid", "dilation": (1, 1)}
        stages = (
            Stage("depthwise", _variable(layer, "depthwise_kernel"), None, _conv_params(layer)),
            Stage("conv", _variable(layer, "pointwise_kernel"), _bias(layer), pointwise),
        )
    elif isinstance(layer, keras.layers.Dense):
        stages = (Stage("dense", _variable(layer, "kernel"), _bias(layer)),)
    elif isinstance(layer, keras.layers.BatchNormalization):
        if layer.axis not in (-1, in_rank - 1):
            return None
        beta = _variable(layer, "beta") if layer.center else None
        params = {"mean": _variable(layer, "moving_mean"), "beta": beta}
        stages = (Stage("affine", *_batchnorm_affine(layer), params=params),)
        return {"stages": stages, "activation": "linear"}
    elif isinstance(layer, keras.layers.Rescaling):
        scale, offset = layer.scale, layer.offset
        stages = (Stage("affine", lambda: tf.constant(scale, tf.float32), lambda: tf.constant(offset, tf.float32)),)
        return {"stages": stages, "activation": "linear"}
    else:
        return None
    return {"stages": stages, "activation": _activation_name(layer.activation)}


def _batchnorm_affine(layer: Any) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """Inference-time BN as ``a * scale + offset`` (per channel)."""

    def scale() -> Any:
        s = tf.math.rsqrt(tf.convert_to_tensor(layer.moving_variance) + layer.epsilon)
        return s * tf.convert_to_tensor(layer.gamma) if layer.scale else s

    def offset() -> Any:
        o = -tf.convert_to_tensor(layer.moving_mean) * scale()
        return o + tf.convert_to_tensor(layer.beta) if layer.center else o

    return scale, offset


def _pool(layer: Any) -> dict[str, Any] | None:
    L = keras.layers
    if isinstance(layer, L.AveragePooling2D):
        _check_channels_last(layer)
        params = {"pool": tuple(layer.pool_size), "strides": tuple(layer.strides), "padding": layer.padding}
        return {"kind": "pool", "stages": (Stage("avgpool", params=params),)}
    if isinstance(layer, L.GlobalAveragePooling2D):
        _check_channels_last(layer)
        return {"kind": "pool", "stages": (Stage("gap", params={"keepdims": bool(layer.keepdims)}),)}
    if isinstance(layer, L.MaxPooling2D):
        _check_channels_last(layer)
        pool, strides, padding = tuple(layer.pool_size), tuple(layer.strides), layer.padding.upper()
        return {"kind": "maxpool", "fn": lambda xs: tf.nn.max_pool2d(xs[0], pool, strides, padding)}
    if isinstance(layer, L.GlobalMaxPooling2D):
        _check_channels_last(layer)
        keep = bool(layer.keepdims)
        return {"kind": "maxpool", "fn": lambda xs: tf.reduce_max(xs[0], axis=[1, 2], keepdims=keep)}
    return None


def _simple(layer: Any) -> dict[str, Any] | None:
    L, cls = keras.layers, type(layer).__name__
    if isinstance(layer, L.Activation):
        name = _activation_name(layer.activation)
        return {"kind": "act", "activation": name, "fn": layer.activation}
    if isinstance(layer, L.ReLU):
        if layer.max_value is None and not layer.negative_slope and not layer.threshold:
            return {"kind": "act", "activation": "relu"}
        return None
    if isinstance(layer, (L.LeakyReLU, L.ELU)):
        return {"kind": "act", "activation": "leaky_relu" if cls == "LeakyReLU" else "elu", "fn": layer.call}
    if isinstance(layer, L.Softmax):
        return {"kind": "act", "activation": "softmax", "fn": layer.call}
    if cls in _RESHAPE_LAYERS:
        if cls in ("ZeroPadding2D", "Cropping2D"):
            _check_channels_last(layer)
        fn = (lambda xs: xs[0]) if "Drop" in cls or cls in ("GaussianNoise", "ActivityRegularization", "Identity") else None
        if cls == "Flatten":
            fn = lambda xs: tf.reshape(xs[0], (tf.shape(xs[0])[0], -1))  # noqa: E731
        return {"kind": "reshape", "fn": fn or (lambda xs: layer(xs[0]))}
    if isinstance(layer, (L.Add, L.Average)):
        mean = isinstance(layer, L.Average)
        return {"kind": "add", "fn": lambda xs: tf.add_n(xs) / len(xs) if mean else tf.add_n(xs)}
    if isinstance(layer, L.Concatenate):
        axis = layer.axis
        return {"kind": "concat", "fn": lambda xs: tf.concat(xs, axis=axis)}
    return None


def build_node(index: int, layer: Any, keras_node: Any, inputs: tuple[int, ...], tensor_index: int) -> Node:
    """The :class:`Node` replaying one call of ``layer`` (``keras_node``)."""
    in_rank = len(keras_node.input_tensors[0].shape) if keras_node.input_tensors else 0
    fields = _linear(layer, in_rank)
    if fields is not None:
        fields = {"kind": "linear", **fields}
    else:
        fields = _pool(layer) or _simple(layer) or {"kind": "generic", "fn": _generic(layer, keras_node, tensor_index)}
    shape = tuple(keras_node.outputs[tensor_index].shape)
    if len(inputs) != 1 and fields["kind"] not in ("add", "concat", "generic"):
        fields = {"kind": "generic", "fn": _generic(layer, keras_node, tensor_index)}
    return Node(index=index, name=layer.name, layer_class=type(layer).__name__, inputs=inputs, shape=shape, **fields)


def _generic(layer: Any, keras_node: Any, tensor_index: int) -> Callable[[list], Any]:
    tensors = list(keras_node.input_tensors)

    def call(values: list) -> Any:
        args, kwargs = keras_node.arguments.fill_in({id(t): v for t, v in zip(tensors, values)})
        out = layer(*args, **kwargs)
        return keras.tree.flatten(out)[tensor_index]

    return call
