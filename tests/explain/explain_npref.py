"""Independent float64 NumPy references for the explanation tests.

Sequential nets of Conv2D (stride 1, 'valid'/'same'), ReLU, MaxPooling2D,
AveragePooling2D, Flatten and Dense are turned into explicit matrices (conv as
a Toeplitz matrix), and every method is computed from docs/methods.md's formulas
with explicit per-connection contributions -- no TensorFlow involved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Op:
    kind: str  # linear | relu | maxpool | identity
    W: np.ndarray | None = None  # (I, J) for linear
    b: np.ndarray | None = None
    conn: np.ndarray | None = None  # (I, J) structural connectivity (flat rule)
    in_shape: tuple = ()
    out_shape: tuple = ()
    pool: int = 0
    family: str = ""  # conv | dense | pool


def conv_matrix(kernel: np.ndarray, in_shape: tuple, padding: str):
    kh, kw, cin, cout = kernel.shape
    H, W, _ = in_shape
    ph, pw = (kh // 2, kw // 2) if padding == "same" else (0, 0)
    Ho, Wo = (H, W) if padding == "same" else (H - kh + 1, W - kw + 1)
    M = np.zeros((H * W * cin, Ho * Wo * cout))
    C = np.zeros_like(M)
    for oy in range(Ho):
        for ox in range(Wo):
            for dy in range(kh):
                for dx in range(kw):
                    iy, ix = oy + dy - ph, ox + dx - pw
                    if not (0 <= iy < H and 0 <= ix < W):
                        continue
                    for ci in range(cin):
                        i = (iy * W + ix) * cin + ci
                        for co in range(cout):
                            j = (oy * Wo + ox) * cout + co
                            M[i, j] = kernel[dy, dx, ci, co]
                            C[i, j] = 1.0
    return M, C, (Ho, Wo, cout)


def avgpool_matrix(in_shape: tuple, k: int):
    H, W, c = in_shape
    Ho, Wo = H // k, W // k
    M = np.zeros((H * W * c, Ho * Wo * c))
    for oy in range(Ho):
        for ox in range(Wo):
            for dy in range(k):
                for dx in range(k):
                    for ch in range(c):
                        M[((oy * k + dy) * W + ox * k + dx) * c + ch, (oy * Wo + ox) * c + ch] = 1.0 / (k * k)
    return M, (Ho, Wo, c)


def ops_from_keras(model) -> list[Op]:
    """The Op list of a small Sequential Keras model (weights as float64)."""
    ops: list[Op] = []
    shape = tuple(model.inputs[0].shape[1:])
    for layer in model.layers:
        cls = type(layer).__name__
        if cls == "Conv2D":
            k, b = (np.asarray(w, np.float64) for w in layer.get_weights())
            M, C, out = conv_matrix(k, shape, layer.padding)
            ops.append(Op("linear", M, np.tile(b, out[0] * out[1]), C, shape, out, family="conv"))
            shape = out
        elif cls == "Dense":
            k, b = (np.asarray(w, np.float64) for w in layer.get_weights())
            ops.append(Op("linear", k, b, np.ones_like(k), shape, (k.shape[1],), family="dense"))
            shape = (k.shape[1],)
        elif cls == "MaxPooling2D":
            out = (shape[0] // 2, shape[1] // 2, shape[2])
            ops.append(Op("maxpool", in_shape=shape, out_shape=out, pool=2))
            shape = out
        elif cls == "AveragePooling2D":
            M, out = avgpool_matrix(shape, 2)
            ops.append(Op("linear", M, np.zeros(M.shape[1]), (M > 0) * 1.0, shape, out, family="pool"))
            shape = out
        elif cls in ("Flatten", "InputLayer"):
            continue
        elif cls == "Activation" and layer.activation.__name__ in ("linear", "softmax"):
            continue
        else:
            raise ValueError(cls)
        act = getattr(layer, "activation", None)
        if act is not None and act.__name__ == "relu":
            ops.append(Op("relu"))
    return ops


def maxpool_argmax(a: np.ndarray, in_shape: tuple, k: int):
    H, W, c = in_shape
    x = a.reshape(H, W, c)
    Ho, Wo = H // k, W // k
    out = np.zeros((Ho, Wo, c))
    src = np.zeros((Ho, Wo, c), dtype=int)
    for oy in range(Ho):
        for ox in range(Wo):
            for ch in range(c):
                win = x[oy * k : oy * k + k, ox * k : ox * k + k, ch]
                dy, dx = np.unravel_index(np.argmax(win), win.shape)
                out[oy, ox, ch] = win[dy, dx]
                src[oy, ox, ch] = ((oy * k + dy) * W + ox * k + dx) * c + ch
    return out.ravel(), src.ravel()


def forward(ops: list[Op], x: np.ndarray):
    """Logits and each op's input (flattened)."""
    a = np.asarray(x, np.float64).ravel()
    inputs = []
    for op in ops:
        inputs.append(a)
        if op.kind == "linear":
            a = a @ op.W + op.b
        elif op.kind == "relu":
            a = np.maximum(a, 0)
        elif op.kind == "maxpool":
            a, _ = maxpool_argmax(a, op.in_shape, op.pool)
    return a, inputs


def modified_backward(ops: list[Op], x: np.ndarray, c: int | None, rule: str, seed: float = 1.0) -> np.ndarray:
    """gradient / deconvnet / guided backprop of logit c (docs/methods.md's ReLU rules), the backward
    pass started with ``seed`` (thesis deconvnet: the logit); ``c=None``: of the sum of all outputs."""
    logits, inputs = forward(ops, x)
    g = np.zeros_like(logits) if c is not None else np.ones_like(logits)
    if c is not None:
        g[c] = seed
    for op, a in zip(reversed(ops), reversed(inputs)):
        if op.kind == "linear":
            g = op.W @ g
        elif op.kind == "relu":
            if rule == "gradient":
                g = g * (a > 0)
            elif rule == "deconvnet":
                g = np.maximum(g, 0)
            else:
                g = np.maximum(g, 0) * (a > 0)
        elif op.kind == "maxpool":
            _, src = maxpool_argmax(a, op.in_shape, op.pool)
            back = np.zeros_like(a)
            np.add.at(back, src, g)
            g = back
    return g.reshape(np.shape(x))


def finite_difference(ops: list[Op], x: np.ndarray, c: int, h: float = 1e-6) -> np.ndarray:
    x = np.asarray(x, np.float64)
    grad = np.zeros(x.size)
    flat = x.ravel()
    for i in range(x.size):
        up, down = flat.copy(), flat.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (forward(ops, up)[0][c] - forward(ops, down)[0][c]) / (2 * h)
    return grad.reshape(x.shape)


def _sign(z):
    return np.where(z >= 0, 1.0, -1.0)


def _safe_div(num, den):
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den != 0)
    return out


def lrp_linear(a, op: Op, R, rule):
    """Relevance of the inputs of one linear op, from per-connection contributions."""
    name = rule[0]
    if name == "flat":
        return op.conn @ _safe_div(R, op.conn.sum(axis=0))
    z_ij = a[:, None] * op.W
    if name in ("z", "epsilon"):
        eps = 1e-9 if name == "z" else rule[1]
        z = z_ij.sum(axis=0) + op.b
        return (z_ij / (z + eps * _sign(z))) @ R
    alpha, beta = rule[1], rule[2]
    p, n = np.maximum(z_ij, 0), np.minimum(z_ij, 0)
    if name == "abfull":  # iNNvestigate 1.x (thesis): the whole bias in both, zero denominators + 1e-7
        zp, zn = p.sum(axis=0) + op.b, n.sum(axis=0) + op.b
        return alpha * (p @ (R / (zp + (zp == 0) * 1e-7))) - beta * (n @ (R / (zn + (zn == 0) * 1e-7)))
    zp = p.sum(axis=0) + np.maximum(op.b, 0)
    zn = n.sum(axis=0) + np.minimum(op.b, 0)
    return alpha * (p @ _safe_div(R, zp)) - beta * (n @ _safe_div(R, zn))


def lrp(ops: list[Op], x: np.ndarray, c: int, rules: dict, first=None) -> np.ndarray:
    """LRP with ``rules[family]`` (conv / dense); pooling: z rule / WTA; ``first`` for op 0."""
    logits, inputs = forward(ops, x)
    R = np.zeros_like(logits)
    R[c] = logits[c]
    first_linear = next(i for i, op in enumerate(ops) if op.kind == "linear")
    for k in reversed(range(len(ops))):
        op, a = ops[k], inputs[k]
        if op.kind == "linear":
            if op.family == "pool":
                rule = ("z",)
            elif k == first_linear and first is not None:
                rule = first
            else:
                rule = rules[op.family]
            R = lrp_linear(a, op, R, rule)
        elif op.kind == "maxpool":
            _, src = maxpool_argmax(a, op.in_shape, op.pool)
            back = np.zeros_like(a)
            np.add.at(back, src, R)
            R = back
    return R.reshape(np.shape(x))


def bilinear_half_pixel(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resize with half-pixel centres (what tf.image.resize does), in NumPy."""
    h, w = img.shape
    H, W = size

    def coords(n_out, n_in):
        src = (np.arange(n_out) + 0.5) * n_in / n_out - 0.5
        src = np.clip(src, 0, n_in - 1)
        lo = np.floor(src).astype(int)
        hi = np.minimum(lo + 1, n_in - 1)
        return lo, hi, src - lo

    y0, y1, fy = coords(H, h)
    x0, x1, fx = coords(W, w)
    top = img[y0][:, x0] * (1 - fx) + img[y0][:, x1] * fx
    bottom = img[y1][:, x0] * (1 - fx) + img[y1][:, x1] * fx
    return top * (1 - fy[:, None]) + bottom * fy[:, None]
