"""System libraries Qt needs to open a window, checked without importing Qt.

PySide6's wheels bring Qt but not the X11/xcb libraries its ``xcb`` platform
plugin links against; a fresh Debian/Ubuntu machine often lacks a few
(``libxcb-icccm4``, ``libxcb-keysyms1``), and Qt then aborts with a long
message that does not say which. ``make setup`` runs this module: it asks
``ldd`` which libraries of the plugin are missing and, as root on a machine
with ``apt-get``, installs the packages that provide them; otherwise it prints
the exact command. The app calls :func:`window_problem` before it creates the
``QApplication`` and prints one line instead of Qt's abort.

    python -m painxai_gui.system_libs            # report
    python -m painxai_gui.system_libs --install  # report and install (root, Debian/Ubuntu)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

#: shared library -> Debian/Ubuntu package, for what Qt's xcb plugin and Qt's GUI libraries link.
PACKAGES = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libICE.so.6": "libice6",
    "libSM.so.6": "libsm6",
}

#: Qt files whose dependencies decide whether a window can open (relative to the PySide6 package).
QT_FILES = (
    "Qt/plugins/platforms/libqxcb.so",
    "Qt/lib/libQt6XcbQpa.so.6",
    "Qt/lib/libQt6Gui.so.6",
    "Qt/lib/libQt6Widgets.so.6",
)


def qt_files() -> list[Path]:
    """The Qt libraries of the installed PySide6 that must load for an X11 window (without importing Qt)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(list(spec.submodule_search_locations)[0])
    return [root / f for f in QT_FILES if (root / f).exists()]


def missing_libraries(files: list[Path] | None = None) -> list[str]:
    """Shared libraries that ``ldd`` reports as "not found" for ``files`` (sorted, unique)."""
    files = qt_files() if files is None else files
    ldd = shutil.which("ldd")
    if ldd is None or not files:
        return []
    missing: set[str] = set()
    for path in files:
        try:
            out = subprocess.run([ldd, str(path)], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        missing.update(m.group(1) for m in re.finditer(r"^\s*(\S+)\s*=>\s*not found", out, re.MULTILINE))
    return sorted(missing)


def package_for(library: str) -> str:
    """The Debian/Ubuntu package that provides ``library`` (table first, then Debian's naming rule:
    ``libfoo-bar.so.4`` -> ``libfoo-bar4``, a trailing digit in the name adds a hyphen)."""
    if library in PACKAGES:
        return PACKAGES[library]
    m = re.match(r"^(lib[^.]+)\.so\.(\d+)", library)
    if not m:
        return library
    name, major = m.group(1).lower(), m.group(2)
    return f"{name}-{major}" if name[-1].isdigit() else f"{name}{major}"


def install_command(libraries: list[str]) -> list[str]:
    packages = sorted({package_for(lib) for lib in libraries})
    return ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]


def window_problem(files: list[Path] | None = None) -> str | None:
    """One line saying why Qt cannot open a window here, or None when it should work.

    Only the X11 (xcb) platform is checked; offscreen, Wayland and other
    platforms chosen with ``QT_QPA_PLATFORM`` are left to Qt.
    """
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None
    if not platform and os.environ.get("WAYLAND_DISPLAY"):
        return None
    missing = missing_libraries(files)
    if missing:
        cmd = " ".join(install_command(missing))
        return (f"cannot open a window: Qt's X11 (xcb) platform plugin needs {', '.join(missing)}, "
                f"which this machine lacks; install them with: sudo {cmd}  (or run `make setup` as root)")
    if not os.environ.get("DISPLAY"):
        return ("cannot open a window: no display (DISPLAY is not set); start the app on a desktop, "
                "under `xvfb-run -a`, or with QT_QPA_PLATFORM=offscreen for a headless run")
    return None


def _run_apt(cmd: list[str]) -> bool:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        return subprocess.run(cmd, env=env, timeout=900).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def ensure(install: bool) -> int:
    """Report (and with ``install``, as root with apt-get, install) what Qt's window needs. Exit code 0
    unless an install was attempted and libraries are still missing (headless use works regardless)."""
    missing = missing_libraries()
    if not missing:
        print("system libraries: Qt's X11 (xcb) platform plugin has every library it needs")
        return 0
    cmd = install_command(missing)
    can_install = install and os.geteuid() == 0 and shutil.which("apt-get") is not None
    if not can_install:
        print(f"system libraries: Qt's X11 (xcb) platform plugin lacks {', '.join(missing)}; the app cannot "
              f"open a window until you run:\n    sudo {' '.join(cmd)}")
        return 0
    print(f"system libraries: installing {' '.join(cmd[5:])} for Qt's X11 (xcb) platform plugin")
    if not _run_apt(cmd):
        _run_apt(["apt-get", "update", "-q"])
        _run_apt(cmd)
    still = missing_libraries()
    if still:
        print(f"system libraries: still missing {', '.join(still)}; install them by hand "
              f"(sudo {' '.join(install_command(still))})", file=sys.stderr)
        return 1
    print("system libraries: done; Qt's X11 (xcb) platform plugin has every library it needs")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m painxai_gui.system_libs", description=__doc__.splitlines()[0])
    p.add_argument("--install", action="store_true", help="install missing packages (root, apt-get)")
    return ensure(p.parse_args(argv).install)


if __name__ == "__main__":
    sys.exit(main())
