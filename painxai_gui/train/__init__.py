"""Training core: subject-wise cross-validation of VGG-Face's head (fc6-fc8) on cached pool5 features.

    from painxai_gui.train import TrainConfig, train
    result = train(TrainConfig(manifest="out/manifest.csv", out="runs/demo", base_weights="vggface.h5"),
                   progress=print, should_cancel=lambda: False)

Qt-free; TensorFlow is imported only when a network is built.
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
