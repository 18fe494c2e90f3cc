"""Training core: subject-wise cross-validation of VGG-Face's head (fc6-fc8) on cached pool5 features.

    from painxai_gui.train import TrainConfig, train
    result = train(TrainConfig(manifest="out/manifest.csv", out="runs/demo", base_weights="vggface.h5"),
                   progress=print, cancel=stop_event.is_set)

Per fold k: test = fold k's subjects; validation = a seeded ``val_fraction``
of the other subjects; training = the rest. The conv base (up to ``pool5``) is
frozen; its output is computed once per (image, flip) into a memory-mapped cache
(see :mod:`painxai_gui.train.cache` for the keying: the per-fold mean changes
the features, so by default each fold has its own cache), and fc6-fc8 train on
it with Adam, categorical cross-entropy + L2 (or dropout), random horizontal
flips and early stopping on the validation loss with the best weights kept.
The head shares its layer objects with the full model, so ``fold_k/model.keras``
is exactly the trained network; ``fold_k/model.json`` carries class names and
the fold's mean for :func:`painxai_gui.model.load_model`.

Run folder: ``run.json``, ``results.md``/``results.csv`` (Table 5.1),
``predictions.csv``, ``curves.*``, ``confusion_*``, ``cache/`` and per fold
``model.keras``, ``model.json``, ``result.json`` (done marker), ``history.csv``,
``curves.png/pdf``, ``report.txt/csv`` (Table 5.2), ``confusion_counts.*``,
``confusion_normalised.*``, ``predictions.csv``.

Seeds: ``train`` calls ``keras.utils.set_random_seed`` (global Python, NumPy and
TF seeds) before building each fold's network. Qt-free; TensorFlow is imported
only when a network is built.
"""

from painxai_gui.train.config import Progress, TrainConfig
from painxai_gui.train.errors import TrainCancelled, TrainError
from painxai_gui.train.head import EarlyStopping, loss_and_grads
from painxai_gui.train.network import ARCHITECTURES, build_network, build_tiny_vggface
from painxai_gui.train.runner import RunResult, train

__all__ = [
    "ARCHITECTURES", "EarlyStopping", "Progress", "RunResult", "TrainCancelled", "TrainConfig", "TrainError",
    "build_network", "build_tiny_vggface", "loss_and_grads", "train",
]
