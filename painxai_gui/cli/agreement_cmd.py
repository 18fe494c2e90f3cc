"""`painxai agreement A.painxai B.painxai`: how much two annotators' frame selections agree.

Per slot and overall: the Jaccard overlap of the selected frames and Cohen's
kappa over the per-frame decisions. The same command is `painxai project agreement`.
"""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("a", metavar="A.painxai", help="first annotator's project")
    p.add_argument("b", metavar="B.painxai", help="second annotator's project")
    p.add_argument("--per-video", action="store_true", help="also one row per video")
    p.add_argument("--csv", default=None, metavar="FILE", help="also write the table as CSV")
    p.set_defaults(func=run)


def register(sub) -> None:
    p = sub.add_parser("agreement", help="compare two annotators' selections (Jaccard, Cohen's kappa)",
                       description=__doc__)
    add_arguments(p)


def run(args: argparse.Namespace) -> int:
    from painxai_gui.cli.project_cmd import cli_errors
    from painxai_gui.curation.agreement import COLUMNS, compare_files
    from painxai_gui.files import write_csv

    with cli_errors():
        result = compare_files(args.a, args.b)
        print(result.text(per_video=args.per_video))
        if args.csv:
            write_csv(args.csv, COLUMNS, result.rows(per_video=True))
            print(f"wrote {args.csv}")
    return 0
