"""`painxai project init|status|report|export|agreement|relocate|exclude|include|quota|undo|redo`.

Curation projects from the command line (the same SQLite file the GUI uses).
Reading commands open the project read-only, so they work while the GUI has it open.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from painxai_gui.cli.common import check_range, usage_error
from painxai_gui.cli.common import reported_errors as cli_errors

MIN_SLOTS, MAX_SLOTS = 1, 100
MAX_FOLDS = 100


def register(sub) -> None:
    from painxai_gui.cli import agreement_cmd

    p = sub.add_parser("project", help="curation projects: init, status, report, export, agreement ...",
                       description=__doc__)
    cmds = p.add_subparsers(dest="project_command", metavar="ACTION")
    _init_parser(cmds)
    for name, func, text in (("status", run_status, "progress, quota and problems"),
                             ("undo", run_undo, "undo the last operation"),
                             ("redo", run_redo, "redo the last undone operation")):
        q = cmds.add_parser(name, help=text)
        _project_arg(q)
        q.set_defaults(func=func)
    q = cmds.add_parser("report", help="balancing tables, completeness and exclusions")
    _project_arg(q)
    q.add_argument("--csv", default=None, metavar="FILE", help="balancing table as CSV (other tables beside it)")
    q.add_argument("--md", default=None, metavar="FILE", help="all tables as Markdown")
    q.set_defaults(func=run_report)
    _export_parser(cmds)
    agreement_cmd.add_arguments(cmds.add_parser("agreement", help="compare two annotators' projects"))
    q = cmds.add_parser("relocate", help="point the project to a moved dataset root")
    _project_arg(q)
    q.add_argument("--root", required=True, help="the dataset's new folder")
    q.add_argument("--allow-missing", action="store_true", help="relocate even if some videos are missing")
    q.set_defaults(func=run_relocate)
    _exclusion_parsers(cmds)
    q = cmds.add_parser("quota", help="set the frames per slot (a number, or 'auto' to compute it)")
    _project_arg(q)
    q.add_argument("value", help="frames per slot, or auto")
    q.set_defaults(func=run_quota)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _project_arg(q: argparse.ArgumentParser, annotator: bool = True) -> None:
    q.add_argument("project", metavar="PROJECT.painxai", help="project file (.painxai; older .sqlite files open too)")
    if annotator:
        q.add_argument("--annotator", default=None, help="name written in the audit log (default: login name)")


def _init_parser(cmds) -> None:
    from painxai_gui.curation.slots import DEFAULT_SLOTS

    q = cmds.add_parser("init", help="create a project from a dataset folder")
    _project_arg(q)
    q.add_argument("--root", required=True, help="dataset root (with PartA/ ...)")
    q.add_argument("--manifest", default=None, help="CSV of emotion videos: subject, category, path")
    q.add_argument("--pattern", default=None, help="filename pattern for emotion videos (instead of a manifest)")
    q.add_argument("--token-map", action="append", default=[], metavar="TOKEN=CATEGORY",
                   help="filename token -> category (repeatable)")
    q.add_argument("--category-map", action="append", default=[], metavar="LABEL=CATEGORY",
                   help="label -> category, e.g. PA3=pain (repeatable; default: the dataset's)")
    q.add_argument("--slots", type=int, default=DEFAULT_SLOTS,
                   help=f"time slots per emotion video, {MIN_SLOTS}..{MAX_SLOTS} (default {DEFAULT_SLOTS})")
    q.add_argument("--allow-outside-root", action="store_true",
                   help="accept manifest rows whose video lies outside the dataset root")
    q.set_defaults(func=run_init)


def _export_parser(cmds) -> None:
    q = cmds.add_parser("export", help="write the balanced set: face crops + manifest.csv")
    _project_arg(q)
    q.add_argument("--out", required=True, help="output folder (rerun to resume)")
    q.add_argument("--folds", type=int, default=5, help=f"subject-wise folds, 1..{MAX_FOLDS} and at most the "
                   "subjects in the set (default 5)")
    q.add_argument("--allow-unbalanced", action="store_true",
                   help="export even when a category differs from pain by more than the tolerance")
    q.add_argument("--tolerance", type=float, default=None, metavar="SHARE",
                   help="largest allowed difference from the pain frames, as a share of them (default 0.05)")
    q.add_argument("--force", action="store_true",
                   help="write into a non-empty folder that no export made (nothing there is changed or deleted)")
    q.set_defaults(func=run_export)


def _exclusion_parsers(cmds) -> None:
    for name, text in (("exclude", "exclude a subject or a video, with a reason"),
                       ("include", "include an excluded subject or video again")):
        q = cmds.add_parser(name, help=text)
        _project_arg(q)
        target = q.add_mutually_exclusive_group(required=True)
        target.add_argument("--subject", default=None)
        target.add_argument("--video", default=None, help="video id (see `status --videos`)")
        if name == "exclude":
            q.add_argument("--reason", required=True)
        q.set_defaults(func=run_exclusion, action=name)


def _pairs(items: list[str], option: str) -> dict[str, str] | None:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise SystemExit(f"painxai: error: {option} {item!r} must look like KEY=VALUE")
        out[key.strip()] = value.strip()
    return out or None


def run_init(args: argparse.Namespace) -> int:
    from painxai_gui.curation import Project

    check_range(args.slots, MIN_SLOTS, MAX_SLOTS, "--slots")
    with cli_errors():
        project = Project.create(args.project, args.root, args.manifest, slots=args.slots,
                                 annotator=args.annotator, pattern=args.pattern,
                                 token_map=_pairs(args.token_map, "--token-map"),
                                 category_map=_pairs(args.category_map, "--category-map"),
                                 allow_outside_root=args.allow_outside_root)
        with project:
            print(f"created {project.path}: {len(project.videos())} videos, "
                  f"{len(project.subjects())} subjects, quota {project.quota} per slot")
            print(_status_text(project))
    return 0


def run_status(args: argparse.Namespace) -> int:
    from painxai_gui.curation import Project

    with cli_errors(), Project.open(args.project, read_only=True) as project:
        print(_status_text(project))
    return 0


def _status_text(project) -> str:
    from painxai_gui.curation.balance import quota_source

    progress = project.progress()
    lines = [f"project {project.path}", f"dataset root {project.dataset_root}"
             + ("  (NOT FOUND: use `painxai project relocate`)" if project.root_missing else "")]
    if project.read_only_reason:
        lines.append(f"opened read-only: {project.read_only_reason}")
    per_cat = ", ".join(f"{c} {len(project.videos(c, included=True))}" for c in project.categories())
    lines.append(f"videos (included): {per_cat or 'none'}")
    lines.append(f"quota {project.quota} frames per slot ({quota_source(project)})")
    lines.append(f"progress: {progress.text}")
    lines.append(f"exclusions: {len(project.exclusions())}; undo: {project.undo_description or '-'}")
    problems = project.index_problems
    if problems:
        lines.append(f"index problems: {len(problems)} (first: {problems[0]})")
    return "\n".join(lines)


def run_report(args: argparse.Namespace) -> int:
    from painxai_gui.curation import Project

    with cli_errors(), Project.open(args.project, read_only=True) as project:
        report = project.report()
        print(report.text())
        if args.csv:
            print("wrote " + ", ".join(str(p) for p in report.write_csv(Path(args.csv))))
        if args.md:
            print(f"wrote {report.write_markdown(Path(args.md))}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from painxai_gui.cli.common import progress_bar
    from painxai_gui.curation import Project
    from painxai_gui.curation.export import check_plan
    from painxai_gui.errors import ProjectLockedError

    check_range(args.folds, 1, MAX_FOLDS, "--folds")
    if args.tolerance is not None and not 0 <= args.tolerance <= 1:
        usage_error(f"--tolerance must be 0..1 (a share of the pain frames), got {args.tolerance}")
    with cli_errors():
        try:
            project = Project.open(args.project, annotator=args.annotator)
        except ProjectLockedError as exc:
            print(f"note: {exc.problem}; exporting read-only (no audit line)", file=sys.stderr)
            project = Project.open(args.project, read_only=True)
        with project:
            project.check_dataset()  # before the bar: a moved root is one clear line
            plan = project.balance(args.tolerance)
            print("\n".join(plan.lines()), flush=True)  # before anything is written
            check_plan(plan, Path(args.out), args.allow_unbalanced)
            update, close = progress_bar("exporting")
            try:
                summary = project.export(Path(args.out), folds=args.folds, progress=update,
                                         allow_unbalanced=args.allow_unbalanced, force=args.force,
                                         tolerance=args.tolerance)
            finally:
                close()
        print(summary.text)
        if summary.manifest:
            print(f"wrote {summary.manifest}")
    return 0


def run_relocate(args: argparse.Namespace) -> int:
    from painxai_gui.curation import Project

    with cli_errors(), Project.open(args.project, annotator=args.annotator) as project:
        missing = project.relocate(args.root, allow_missing=args.allow_missing)
        print(f"dataset root is now {project.dataset_root}" + (f" ({missing} videos missing)" if missing else ""))
    return 0


def run_exclusion(args: argparse.Namespace) -> int:
    from painxai_gui.curation import Project

    with cli_errors(), Project.open(args.project, annotator=args.annotator) as project:
        if args.action == "exclude":
            changed = (project.exclude_subject(args.subject, args.reason) if args.subject
                       else project.exclude_video(args.video, args.reason))
        else:
            changed = project.include_subject(args.subject) if args.subject else project.include_video(args.video)
        print(f"{args.action}d {args.subject or args.video}" if changed else "nothing changed")
        print(f"quota {project.quota} per slot")
    return 0


def run_quota(args: argparse.Namespace) -> int:
    from painxai_gui.curation import Project

    value = None if args.value == "auto" else args.value
    if value is not None and not value.isdigit():
        raise SystemExit("painxai: error: quota must be a whole number or 'auto'")
    with cli_errors(), Project.open(args.project, annotator=args.annotator) as project:
        project.set_quota(None if value is None else int(value))
        print(f"quota {project.quota} per slot" + (" (computed)" if value is None else ""))
    return 0


def run_undo(args: argparse.Namespace) -> int:
    return _step(args, "undo")


def run_redo(args: argparse.Namespace) -> int:
    return _step(args, "redo")


def _step(args: argparse.Namespace, which: str) -> int:
    from painxai_gui.curation import Project

    with cli_errors(), Project.open(args.project, annotator=args.annotator) as project:
        done = project.undo() if which == "undo" else project.redo()
        print(f"{which}: {done}" if done else f"nothing to {which}")
    return 0
