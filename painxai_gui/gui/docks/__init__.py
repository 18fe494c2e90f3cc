"""Dock widgets, one module each; the main window builds them from a list."""
