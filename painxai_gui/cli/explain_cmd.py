"""`painxai explain IMAGE... --model PATH --methods ... --out panel.png`: a figure panel, headless.

Each image's face is cropped (dlib), and every tile is explained by
:func:`painxai_gui.explain.face.explain_face` through
:func:`painxai_gui.export.panel_job.make_panel` -- the same path as the app's
explanation docks and panel dialog. The panel's record is ``<panel file>.json``
(``panel.png`` -> ``panel.png.json``), so a PDF and a PNG of one stem keep one each.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from painxai_gui.export.panel import DEFAULT_SCALE, SCALES


DPI_RANGE = (10, 1200)


def register(sub) -> None:
    p = sub.add_parser("explain", help="explain images with chosen methods and write a figure panel",
                       description=__doc__)
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files, or skimage:astronaut for a sample photo")
    p.add_argument("--model", required=True, help="model file (.keras, .h5, weights + sidecar)")
    p.add_argument("--methods", default="thesis",
                   help="comma-separated method ids, or 'thesis' (all thesis methods) or 'all'")
    p.add_argument("--categories", "--labels", dest="categories", default=None,
                   help="comma-separated true categories, one per image: a dataset category (happiness, pain, "
                        "disgust) or a model class name; target 'true' explains the matching class")
    p.add_argument("--target", default="predicted",
                   help="predicted (default), true (each image's category), a class name or index")
    p.add_argument("--out", required=True, help="panel file: .png, .pdf or .svg")
    p.add_argument("--dpi", type=int, default=300, help=f"resolution, {DPI_RANGE[0]}..{DPI_RANGE[1]} (default 300)")
    p.add_argument("--colour-scale", "--color-scale", dest="colour_scale", choices=SCALES, default=DEFAULT_SCALE,
                   help="tile: each heatmap to its own max (default, as the thesis's tools drew them); column: one "
                        "scale per method column, to compare magnitudes between rows; the colour bars say which")
    p.add_argument("--title", default=None, help="a title above the panel")
    p.add_argument("--option", action="append", default=[], metavar="METHOD.NAME=VALUE",
                   help="method option, e.g. lime.num_samples=500 or lrp.epsilon.epsilon=0.01 (repeatable)")
    from painxai_gui.explain.base import CONVENTIONS

    p.add_argument("--convention", choices=CONVENTIONS, default=None,
                   help="definitions for every chosen method: standard (textbook, the default) or thesis "
                        "(iNNvestigate / keras-gradcam, as the thesis's figures); --option M.convention=... "
                        "overrides it for one method")
    p.add_argument("--no-crop", action="store_true", help="images are face crops already: do not detect faces")
    p.add_argument("--npy", default=None, metavar="DIR",
                   help="also save raw attributions (IMAGE_METHOD.npy) and heatmaps (IMAGE_METHOD_heatmap.npy) here")
    p.add_argument("--allow-lambda", action="store_true", help="load models with Lambda layers (runs their code)")
    p.set_defaults(func=run)


def parse_methods(text: str) -> list[str]:
    from painxai_gui.explain import METHODS, THESIS_METHODS

    if text == "thesis":
        return list(THESIS_METHODS)
    if text == "all":
        return list(METHODS)
    return [m.strip() for m in text.split(",") if m.strip()]


def parse_options(items: list[str], methods: list[str]) -> dict[str, dict]:
    """``lrp.epsilon.epsilon=0.01`` -> {"lrp.epsilon": {"epsilon": 0.01}} (values parsed as JSON when possible)."""
    options: dict[str, dict] = {}
    for item in items:
        key, sep, value = item.partition("=")
        method, dot, name = key.rpartition(".")
        if not sep or not dot or method not in methods:
            raise SystemExit(f"painxai: error: --option {item!r} must be METHOD.NAME=VALUE for a chosen method")
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parsed = value
        options.setdefault(method, {})[name] = parsed
    return options


def run(args: argparse.Namespace) -> int:
    from painxai_gui.cli.common import check_range, progress_bar, read_image, reported_errors, usage_error
    from painxai_gui.export.panel_job import PanelItem, make_panel
    from painxai_gui.model import load_model

    check_range(args.dpi, *DPI_RANGE, "--dpi")
    methods = parse_methods(args.methods)
    if not methods:
        usage_error(f"--methods lists no method ({args.methods!r}); give method ids separated by commas, "
                    "'thesis' or 'all'")
    options = parse_options(args.option, methods)
    if args.convention is not None:
        for method in methods:
            options.setdefault(method, {}).setdefault("convention", args.convention)
    categories = args.categories.split(",") if args.categories else [None] * len(args.images)
    if len(categories) != len(args.images):
        raise SystemExit(f"painxai: error: {len(categories)} categories for {len(args.images)} images")
    with reported_errors():
        items = [PanelItem(read_image(s), s, c, is_crop=args.no_crop) for s, c in zip(args.images, categories)]
        loaded = load_model(args.model, allow_lambda=args.allow_lambda)
        update, close = progress_bar("explaining", len(items))
        try:
            result = make_panel(items, loaded, methods, Path(args.out), options=options, target=args.target,
                                crop_faces=not args.no_crop, dpi=args.dpi, npy_dir=args.npy,
                                scale=args.colour_scale, title=args.title, progress=update)
        finally:
            close()
    for note in result.notes:
        print(f"note: {note}")
    for row in result.rows:
        tops = []
        for cell in row.cells:
            face = {k: v for k, v in (cell.regions or {}).items() if k != "other"}
            if face:
                top = max(face, key=face.get)
                tops.append(f"{cell.method} {top} {face[top]:.0%}")
        if tops:
            print(f"{row.source}: {row.title}; facial region with most positive relevance: " + ", ".join(tops))
    print(f"wrote {result.path} ({len(result.rows)} rows x {len(methods)} methods) and {result.record_path}")
    return 0
