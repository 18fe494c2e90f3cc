"""The `painxai` command: every headless workflow, one sub-command module each.

Each module in :data:`COMMANDS` exposes ``register(subparsers)``, which adds its
parser and sets ``func`` to a callable ``(args) -> int``. Heavy imports
(TensorFlow, dlib) happen inside those callables so ``painxai --help`` is fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from painxai_gui import __version__

#: sub-command modules under painxai_gui.cli, in the order shown by --help
COMMANDS: tuple[str, ...] = (
    "explain",
    "index",
    "crops",
    "project",
    "report",
    "agreement",
    "train",
    "study",
    "bench",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="painxai", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"painxai {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"painxai_gui.cli.{name}_cmd")
        except ModuleNotFoundError as exc:
            if exc.name != f"painxai_gui.cli.{name}_cmd":
                raise
            continue  # not built yet
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
