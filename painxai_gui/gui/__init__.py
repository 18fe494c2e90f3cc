"""The PySide6 presentation layer. It only draws; all logic lives in the Qt-free core."""
