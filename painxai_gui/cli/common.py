"""Shared CLI helpers: image loading, typed-error reporting, progress bars."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from painxai_gui.errors import PainXAIError


def read_image(spec: str) -> np.ndarray:
    """An RGB uint8 image from a file, or ``skimage:NAME`` for scikit-image's sample photos."""
    if spec.startswith("skimage:"):
        from skimage import data

        name = spec.split(":", 1)[1]
        loader = getattr(data, name, None)
        if loader is None:
            raise PainXAIError(f"scikit-image has no sample image {name!r}")
        image = loader()
    else:
        import cv2

        path = Path(spec)
        if not path.is_file():
            raise PainXAIError("image file not found", path)
        raw = cv2.imdecode(np.fromfile(str(path), np.uint8), cv2.IMREAD_COLOR)
        if raw is None:
            raise PainXAIError("not a readable image", path)
        image = cv2.cvtColor(raw, cv2.COLOR_BGR2RGB)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    return np.ascontiguousarray(image[..., :3]).astype(np.uint8)


def usage_error(message: str) -> None:
    """A bad command-line argument: one line on stderr, exit status 2 (as argparse does)."""
    print(f"painxai: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def check_range(value: float, low: float, high: float, option: str) -> None:
    """Exit with one line (``painxai: error: --dpi must be 10..1200, got 0``) when ``value`` is out of range."""
    if not low <= value <= high:
        usage_error(f"{option} must be {low}..{high}, got {value}")


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn typed core errors and file errors into one clear line on stderr and exit code 1."""
    try:
        yield
    except PainXAIError as exc:
        print(f"painxai: error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"painxai: error: {where}{exc.strerror or exc}", file=sys.stderr)
        raise SystemExit(1) from None


def progress_bar(desc: str, total: int | None = None) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A tqdm bar on stderr as a ``progress(done, total)`` callback, and its closer."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="it", file=sys.stderr, leave=True)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)  # tqdm redraws at most every mininterval (no flood in logs)

    return update, bar.close
