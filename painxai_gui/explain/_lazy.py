"""TensorFlow and Keras, imported on first use.

The registry (ids, names, option descriptors) must be readable by the GUI and
by ``painxai --help`` without paying TensorFlow's start-up time, so the method
modules refer to ``tf`` / ``keras`` through these proxies. The first attribute
access imports the real module; after that the proxy only forwards.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _LazyModule:
    def __init__(self, name: str):
        self._name = name
        self._module: ModuleType | None = None

    def _load(self) -> ModuleType:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return self._module

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._load(), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


tf: Any = _LazyModule("tensorflow")
keras: Any = _LazyModule("keras")
