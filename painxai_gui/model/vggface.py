"""VGG-Face (Parkhi et al. 2015): VGG16 topology with the layer names of the common Keras port.

Layer names match keras-vggface's VGG16 (``conv1_1``..``conv5_3``,
``pool1``..``pool5``, ``flatten``, ``fc6``, ``fc7``, ``fc8``), so that port's
HDF5 weights load by layer name. Activations after the dense layers are
separate layers (``fc6_relu``, ``fc7_relu``, ``fc8_softmax``) as in the port
(which used ``/`` in those names; Keras 3 forbids it, and they hold no weights).
"""

from __future__ import annotations

BLOCKS = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))
CONV_LAYERS = tuple(f"conv{b}_{i}" for b, (_, n) in enumerate(BLOCKS, 1) for i in range(1, n + 1))


def build_vggface(num_classes: int, input_shape: tuple[int, int, int] = (224, 224, 3), fc_units: int = 4096,
                  l2: float | None = None, dropout: float | None = None, name: str = "vggface",
                  blocks: tuple[tuple[int, int], ...] = BLOCKS):
    """Build an uninitialised VGG-Face; ``l2``/``dropout`` regularise fc6-fc8 (thesis §4.2).

    ``blocks`` ((filters, convs) per block) exists for small stand-ins of the same structure in tests.
    """
    import keras
    from keras import layers

    reg = keras.regularizers.L2(l2) if l2 else None
    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    for block, (filters, repeats) in enumerate(blocks, 1):
        for i in range(1, repeats + 1):
            x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{block}_{i}")(x)
        x = layers.MaxPooling2D(2, strides=2, name=f"pool{block}")(x)
    x = layers.Flatten(name="flatten")(x)
    for fc in ("fc6", "fc7"):
        x = layers.Dense(fc_units, kernel_regularizer=reg, name=fc)(x)
        x = layers.Activation("relu", name=f"{fc}_relu")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"{fc}_dropout")(x)
    x = layers.Dense(num_classes, kernel_regularizer=reg, name="fc8")(x)
    outputs = layers.Activation("softmax", name="fc8_softmax")(x)
    return keras.Model(inputs, outputs, name=name)
