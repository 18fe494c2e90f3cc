"""The core must import and work without Qt (napari-style contract)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import painxai_gui


def _core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(painxai_gui.__path__, "painxai_gui."):
        if info.name.startswith("painxai_gui.gui") or info.name.endswith("__main__"):
            continue  # the GUI may use Qt; __main__ modules run on import
        names.append(info.name)
    return names


def test_core_imports_with_qt_blocked():
    modules = _core_modules()
    assert "painxai_gui.cli" in modules
    # the app's per-frame jobs live outside gui/ and must stay Qt-free too
    assert {"painxai_gui.live.context", "painxai_gui.live.frames", "painxai_gui.live.media",
            "painxai_gui.live.explain_job", "painxai_gui.live.probabilities", "painxai_gui.explain.face"} <= set(modules)
    code = (
        "import sys, importlib\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'pyqtgraph', 'superqt', 'qtpy'):\n"
        "            raise ImportError('Qt is blocked for the core: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import os\n"
        "os.umask(0o027)\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "assert os.umask(0o027) == 0o027, 'an import changed the process umask'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("ok")
