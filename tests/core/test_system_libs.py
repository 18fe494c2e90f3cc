"""Qt's window on a fresh machine: `make setup` leaves the xcb plugin loadable, the app says what is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from painxai_gui import system_libs


def _setup_installs_here() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None and Path("/etc/debian_version").exists()


@pytest.mark.skipif(not _setup_installs_here(), reason="`make setup` installs system packages only as root on Debian/Ubuntu")
def test_after_make_setup_the_xcb_plugin_has_every_library():
    files = system_libs.qt_files()
    assert any(f.name == "libqxcb.so" for f in files), files
    assert system_libs.missing_libraries(files) == []


def _library_with_a_missing_dependency(tmp: Path) -> Path:
    """A real shared object linked against libpainxaigone.so.3, which is then deleted."""
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        pytest.skip("no C compiler to build a library with a missing dependency")
    (tmp / "gone.c").write_text("int gone(void) { return 1; }\n")
    (tmp / "user.c").write_text("int gone(void); int user(void) { return gone(); }\n")
    subprocess.run([gcc, "-shared", "-fPIC", "-o", str(tmp / "libpainxaigone.so.3"), str(tmp / "gone.c"),
                    "-Wl,-soname,libpainxaigone.so.3"], check=True)
    subprocess.run([gcc, "-shared", "-fPIC", "-o", str(tmp / "libuser.so"), str(tmp / "user.c"),
                    str(tmp / "libpainxaigone.so.3")], check=True)
    (tmp / "libpainxaigone.so.3").unlink()
    return tmp / "libuser.so"


def test_missing_library_is_found_and_named_with_its_package(tmp_path, monkeypatch):
    lib = _library_with_a_missing_dependency(tmp_path)
    assert system_libs.missing_libraries([lib]) == ["libpainxaigone.so.3"]
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    line = system_libs.window_problem([lib])
    assert "libpainxaigone.so.3" in line and "apt-get install" in line and "libpainxaigone3" in line
    assert "\n" not in line
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # other platforms are left to Qt
    assert system_libs.window_problem([lib]) is None


@pytest.mark.parametrize("library, package", [
    ("libxcb-icccm.so.4", "libxcb-icccm4"),          # the two a fresh machine lacked
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),  # from the table
    ("libxcb-foo.so.7", "libxcb-foo7"),               # Debian's rule: soname major appended
    ("libfoo2.so.1", "libfoo2-1"),                    # ... with a hyphen after a digit
])
def test_package_names(library, package):
    assert system_libs.package_for(library) == package


def test_app_without_a_display_prints_one_line_instead_of_qts_abort():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "xcb"
    proc = subprocess.run([sys.executable, "-c", "import sys; from painxai_gui.gui.app import main; sys.exit(main([]))"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("painxai-gui: cannot open a window:"), proc.stderr
