"""Tiny, seeded Keras models and comparison helpers for the explanation-engine tests."""

from __future__ import annotations

import numpy as np

import keras
from keras import layers


def init(seed: int, std: float = 0.5):
    return keras.initializers.RandomNormal(stddev=std, seed=seed)


def small_convnet(seed: int = 0, pool: str = "max", softmax: bool = True, bias: bool = True) -> keras.Model:
    """8x8x2 -> conv3x3(same, relu) -> pool2 -> conv3x3(valid, relu) -> dense 6 relu -> dense 4 [-> softmax]."""
    Pool = layers.MaxPooling2D if pool == "max" else layers.AveragePooling2D
    binit = init(seed + 100, 0.2) if bias else "zeros"
    model_layers = [
        keras.Input((8, 8, 2)),
        layers.Conv2D(3, 3, padding="same", activation="relu", kernel_initializer=init(seed), bias_initializer=binit, name="c1"),
        Pool(2, name="p1"),
        layers.Conv2D(4, 3, padding="valid", activation="relu", kernel_initializer=init(seed + 1), bias_initializer=binit, name="c2"),
        layers.Flatten(name="flat"),
        layers.Dense(6, activation="relu", kernel_initializer=init(seed + 2), bias_initializer=binit, name="d1"),
        layers.Dense(4, kernel_initializer=init(seed + 3), bias_initializer=binit, name="logits"),
    ]
    if softmax:
        model_layers.append(layers.Activation("softmax", name="softmax"))
    return keras.Sequential(model_layers, name=f"small_convnet_{pool}")


def dense_net(seed: int = 0) -> keras.Model:
    """4x4x1 -> flatten -> dense 5 relu -> dense 4 relu -> dense 3 (two ReLUs, no softmax)."""
    return keras.Sequential(
        [
            keras.Input((4, 4, 1)),
            layers.Flatten(),
            layers.Dense(5, activation="relu", kernel_initializer=init(seed), bias_initializer=init(seed + 7, 0.1)),
            layers.Dense(4, activation="relu", kernel_initializer=init(seed + 1), bias_initializer=init(seed + 8, 0.1)),
            layers.Dense(3, kernel_initializer=init(seed + 2)),
        ]
    )


def rel_close(actual, expected, rtol: float = 1e-4) -> None:
    """Elementwise closeness scaled by the reference's magnitude."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    scale = max(np.abs(expected).max(), 1e-12)
    err = np.abs(actual - expected).max() / scale
    assert err < rtol, f"max relative error {err:.3g} >= {rtol}"
