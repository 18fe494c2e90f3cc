"""Application entry point (placeholder until the desktop-app issue lands)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv or sys.argv)
    win = QtWidgets.QLabel("PainXAI")
    win.resize(400, 200)
    win.show()
    return app.exec()
