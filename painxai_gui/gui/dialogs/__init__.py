"""Dialogs: errors, reasons, keyboard help, figure panel export, progress."""
