"""Model layer: VGG-Face, safe loading of user model files, sidecars, batched prediction."""

from painxai_gui.model.loading import LoadedModel, file_sha256, load_model, load_weights_by_name
from painxai_gui.model.predictor import Predictor, gpu_name, preprocess, unpreprocess
from painxai_gui.model.spec import ModelSpec, read_sidecar, sidecar_path, vggface_spec, write_sidecar
from painxai_gui.model.vggface import build_vggface

__all__ = [
    "LoadedModel", "ModelSpec", "Predictor", "build_vggface", "file_sha256", "gpu_name", "load_model",
    "load_weights_by_name", "preprocess", "read_sidecar", "sidecar_path", "unpreprocess", "vggface_spec",
    "write_sidecar",
]
