"""`painxai crops ROOT --out DIR`: 256x256 face crops (PNG) and landmarks (JSON) for chosen videos and frames.

Output, per video: ``DIR/<video_id without suffix>/<frame:06d>.png`` and
``DIR/<video_id without suffix>/landmarks.json`` (frame -> crop box, 68
landmarks in crop pixels and in source pixels; ``null`` where no face was
found). Every output path lies inside ``DIR``: a video outside the dataset
root (an absolute ``--videos`` path, an allowed manifest row with ``..``) goes
to ``DIR/_outside_root/<name>_<hash of its id>/``. Every file is written
atomically. Landmarks are cached in ``DIR/.landmark-cache`` (or ``--cache``),
so a second run does no detection.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from painxai_gui.cli.index_cmd import index_from_args

LANDMARKS_KIND, LANDMARKS_VERSION = "painxai-crop-landmarks", 1  # landmarks.json
SIZE_RANGE = (16, 2048)  # crop side in pixels
MARGIN_RANGE = (0.0, 2.0)  # share of the landmark box added on each side


def register(sub) -> None:
    p = sub.add_parser("crops", help="write 256x256 face crops and landmarks for videos of a dataset root",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("root", help="dataset root")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--videos", nargs="+", default=None, metavar="ID",
                   help="video ids (paths relative to ROOT); default: every video with a category")
    p.add_argument("--frames", default=None, metavar="SPEC", type=parse_frames,
                   help="frames per video, e.g. 0,5,10-20 (inclusive ranges); default: all")
    p.add_argument("--manifest", default=None, metavar="CSV", help="emotion manifest: subject, category, path")
    p.add_argument("--pattern", default=None, metavar="REGEX", help="emotion file-name regex (see painxai index)")
    p.add_argument("--token-map", default=None, metavar="TOK=CAT,...")
    p.add_argument("--category-map", default=None, metavar="LABEL=CAT,...")
    p.add_argument("--size", type=int, default=256,
                   help=f"crop side in pixels, {SIZE_RANGE[0]}..{SIZE_RANGE[1]} (default 256)")
    p.add_argument("--margin", type=float, default=0.25,
                   help=f"margin around the landmarks, {MARGIN_RANGE[0]:g}..{MARGIN_RANGE[1]:g} (default 0.25)")
    p.add_argument("--allow-outside-root", action="store_true",
                   help="accept manifest rows whose video lies outside the dataset root")
    p.add_argument("--cache", default=None, metavar="DIR", help="landmark cache folder (default OUT/.landmark-cache)")
    p.set_defaults(func=run)


def parse_frames(text: str) -> list[int]:
    """``"0,5,10-20"`` -> sorted unique frame indices (ranges inclusive)."""
    frames: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        low, sep, high = part.partition("-")
        try:
            a, b = (int(low), int(high)) if sep else (int(low), int(low))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{part!r} is not a frame or a range like 10-20") from None
        if a < 0 or b < a:
            raise argparse.ArgumentTypeError(f"{part!r}: frames must be >= 0 and ranges low-high")
        frames.update(range(a, b + 1))
    if not frames:
        raise argparse.ArgumentTypeError("no frames given")
    return sorted(frames)


@dataclass
class Tally:
    written: int = 0
    no_face: int = 0
    errors: int = 0
    out_of_range: int = 0
    messages: list[str] = field(default_factory=list)

    def line(self, videos: int, out: Path) -> str:
        extra = f", out of range {self.out_of_range}" if self.out_of_range else ""
        return (f"crops: written {self.written}, skipped (no face) {self.no_face}, errors {self.errors}"
                f"{extra} ({videos} videos) -> {out}")


def output_folder(out: Path, video_id: str) -> Path:
    """The folder for a video's crops, always inside ``out`` (ids with ``..`` or absolute ones are hashed)."""
    from painxai_gui.curation.export import safe_name
    from painxai_gui.errors import DatasetError

    posix = PurePosixPath(video_id.replace("\\", "/"))
    parts = posix.parts
    if posix.is_absolute() or ".." in parts or not parts or ":" in parts[0]:
        digest = hashlib.sha1(video_id.encode("utf-8")).hexdigest()[:8]
        folder = out / "_outside_root" / f"{safe_name(posix.stem)}_{digest}"
    else:
        folder = out.joinpath(*[safe_name(p) for p in posix.with_suffix("").parts])
    if not folder.resolve().is_relative_to(out.resolve()):
        raise DatasetError(f"output folder for {video_id!r} would lie outside the output folder (a link?)", folder)
    return folder


def _video_paths(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """(video_id, path) to process: the given ids, or every mapped video of the index."""
    root = Path(args.root)
    if args.videos:
        return [_given_video(root, vid) for vid in args.videos]
    index = index_from_args(args, probe=False)
    for problem in index.problems:
        print(f"index: {problem}", file=sys.stderr)
    return [(v.id, v.path) for v in index.videos if v.category is not None]


def _given_video(root: Path, given: str) -> tuple[str, Path]:
    """A ``--videos`` entry: its id (relative to the root when it lies there) and its path."""
    path = Path(given) if Path(given).is_absolute() else root / given
    try:
        return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(root))).as_posix(), path
    except ValueError:  # another drive (Windows)
        return given.replace("\\", "/"), path


def _frame_entry(result) -> dict | None:
    if not result.ok:
        return None
    return {"box": list(result.box), "landmarks": result.landmarks.round(2).tolist(),
            "source_landmarks": result.source_landmarks.round(2).tolist()}


def _crop_video(video_id: str, path: Path, args: argparse.Namespace, cropper, tally: Tally, bar) -> None:
    from painxai_gui.errors import PainXAIError
    from painxai_gui.face import FaceTrack
    from painxai_gui.files import atomic_write, write_record

    folder = output_folder(Path(args.out), video_id)
    cache = Path(args.cache) if args.cache else Path(args.out) / ".landmark-cache"
    with FaceTrack(path, cropper, cache) as track:
        frames = args.frames if args.frames is not None else list(range(track.reader.frame_count))
        inside = [f for f in frames if f < track.reader.frame_count]
        tally.out_of_range += len(frames) - len(inside)
        bar.total += len(inside)
        bar.refresh()
        folder.mkdir(parents=True, exist_ok=True)
        entries: dict[str, dict | None] = {}
        for frame in inside:
            try:
                result = track.get(frame)
            except PainXAIError as exc:
                tally.errors += 1
                tally.messages.append(str(exc))
            else:
                entries[str(frame)] = _frame_entry(result)
                if result.ok:
                    atomic_write(folder / f"{frame:06d}.png", _png(result.crop))
                    tally.written += 1
                else:
                    tally.no_face += 1
            bar.update(1)
    record = {"video_id": video_id, "path": str(path), "size": args.size, "margin": args.margin, "frames": entries}
    write_record(folder / "landmarks.json", LANDMARKS_KIND, LANDMARKS_VERSION, record)


def _png(crop_rgb) -> bytes:
    import cv2

    ok, data = cv2.imencode(".png", cv2.cvtColor(crop_rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise ValueError("PNG encoding failed")
    return data.tobytes()


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from painxai_gui.cli.common import check_range, reported_errors
    from painxai_gui.errors import PainXAIError
    from painxai_gui.face import FaceCropper

    check_range(args.size, *SIZE_RANGE, "--size")
    check_range(args.margin, *MARGIN_RANGE, "--margin")
    tally = Tally()
    with reported_errors():
        videos = _video_paths(args)
        cropper = FaceCropper(margin=args.margin, size=args.size)
    with tqdm(total=0, desc="crops", unit="frame", file=sys.stderr) as bar:
        for video_id, path in videos:
            try:
                _crop_video(video_id, path, args, cropper, tally, bar)
            except PainXAIError as exc:
                tally.errors += 1
                tally.messages.append(str(exc))
    for message in tally.messages:
        print(f"error: {message}", file=sys.stderr)
    print(tally.line(len(videos), Path(args.out)))
    return 1 if tally.errors else 0
