"""`painxai index ROOT`: index a BioVid-like tree and print subjects, videos per category, unmapped and problems."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Mapping

LIST_LIMIT = 20


def register(sub) -> None:
    p = sub.add_parser("index", help="index a dataset root (Part A clips, emotion videos) and report problems",
                       description=__doc__)
    p.add_argument("root", help="dataset root (holds PartA/ and the emotion videos)")
    p.add_argument("--manifest", default=None, metavar="CSV", help="emotion manifest: subject, category, path")
    p.add_argument("--pattern", default=None, metavar="REGEX",
                   help=r"emotion file-name regex with groups subject and token, e.g. '(?P<subject>\d{6}_[wm]_\d{2})-(?P<token>\w+)\.mp4$'")
    p.add_argument("--token-map", default=None, metavar="TOK=CAT,...", help="pattern tokens to categories")
    p.add_argument("--category-map", default=None, metavar="LABEL=CAT,...",
                   help="labels to categories (default PA3=pain,PA4=pain,disgust=disgust,happiness=happiness)")
    p.add_argument("--no-probe", action="store_true", help="do not open videos (no frame counts, much faster)")
    p.add_argument("--allow-outside-root", action="store_true",
                   help="accept manifest rows whose video lies outside the dataset root")
    p.add_argument("--all", action="store_true", help=f"list everything (default: at most {LIST_LIMIT} per list)")
    p.add_argument("--json", default=None, metavar="FILE", help="also write the index as JSON")
    p.set_defaults(func=run)


def parse_map(text: str | None, option: str) -> dict[str, str] | None:
    """``a=b,c=d`` -> {"a": "b", "c": "d"}; SystemExit(2) on a malformed item."""
    if text is None:
        return None
    result = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise SystemExit(f"painxai: error: {option} item {item!r} must be KEY=VALUE")
        result[key.strip()] = value.strip()
    return result


def index_from_args(args: argparse.Namespace, probe: bool, progress=None):
    """Run ``index_dataset`` with the shared root/manifest/pattern/map options of index and crops."""
    from painxai_gui.dataset import index_dataset

    token_map = parse_map(getattr(args, "token_map", None), "--token-map")
    category_map = parse_map(getattr(args, "category_map", None), "--category-map")
    if token_map is not None and getattr(args, "pattern", None) is None:
        raise SystemExit("painxai: error: --token-map needs --pattern")
    return index_dataset(args.root, manifest=args.manifest, pattern=getattr(args, "pattern", None),
                         token_map=token_map, category_map=category_map, probe=probe, progress=progress,
                         allow_outside_root=getattr(args, "allow_outside_root", False))


def _limited(lines: list[str], show_all: bool) -> list[str]:
    if show_all or len(lines) <= LIST_LIMIT:
        return lines
    return lines[:LIST_LIMIT] + [f"... and {len(lines) - LIST_LIMIT} more (--all lists everything)"]


def summary_lines(index, show_all: bool = False) -> list[str]:
    """The report printed by ``painxai index``."""
    subjects = index.subjects.values()
    genders = Counter(s.gender or "?" for s in subjects)
    groups = Counter(s.age_group or "?" for s in subjects)
    lines = [f"root: {index.root}",
             f"subjects: {len(index.subjects)} (gender {_counts(genders)}; age {_counts(groups)})"]
    lines += _limited([f"  {s.id}  {s.gender or '?'} {s.age if s.age is not None else '?'} ({s.age_group or '?'})"
                       for s in subjects], show_all)
    lines.append(f"videos: {len(index.videos)}")
    for category, videos in index.by_category().items():
        frames = sum(v.frame_count or 0 for v in videos)
        frame_text = f", {frames} frames" if any(v.frame_count for v in videos) else ""
        lines.append(f"  {category:<12} {len(videos):>5} videos, {len({v.subject for v in videos})} subjects{frame_text}")
    labels = Counter(v.label for v in index.unmapped)
    lines.append(f"unmapped: {len(index.unmapped)}" + (f" (labels {_counts(labels)})" if labels else ""))
    lines += _limited([f"  {v.id}" for v in index.unmapped], show_all)
    lines.append(f"problems: {len(index.problems)}")
    lines += _limited([f"  {p}" for p in index.problems], show_all)
    return lines


def _counts(counter: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items())) or "-"


INDEX_KIND, INDEX_VERSION = "painxai-dataset-index", 1  # the --json record


def index_record(index) -> dict:
    """The index as JSON-ready data (written with ``files.write_record``)."""
    return {
        "root": str(index.root),
        "subjects": [vars(s) | {"age_group": s.age_group} for s in index.subjects.values()],
        "videos": [{**vars(v), "path": str(v.path)} for v in index.videos],
        "problems": [{"path": str(p.path), "kind": p.kind.value, "message": p.message} for p in index.problems],
        "category_map": index.category_map,
    }


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from painxai_gui.cli.common import progress_bar, reported_errors
    from painxai_gui.files import write_record

    with reported_errors():
        update, close = progress_bar("probing videos")
        try:
            index = index_from_args(args, probe=not args.no_probe, progress=update)
        finally:
            close()
        print("\n".join(summary_lines(index, args.all)))
        if args.json:
            write_record(Path(args.json), INDEX_KIND, INDEX_VERSION, index_record(index), default=str)
            print(f"wrote {args.json}")
    return 0
