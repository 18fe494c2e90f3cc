"""PainXAI: curate BioVid frame sets, explain a facial-expression CNN, export figure panels.

Everything outside :mod:`painxai_gui.gui` is the Qt-free core, usable from the
CLI and from tests without a display.
"""

__version__ = "0.1.0"
