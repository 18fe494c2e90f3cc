"""`painxai report PROJECT.painxai`: the balancing tables (thesis Tables 4.1/4.2), same as `painxai project report`."""

from __future__ import annotations


def register(sub) -> None:
    from painxai_gui.cli import project_cmd

    p = sub.add_parser("report", help="balancing tables, completeness and exclusions of a project",
                       description=__doc__)
    p.add_argument("project", metavar="PROJECT.painxai", help="project file (.painxai; older .sqlite files open too)")
    p.add_argument("--csv", default=None, metavar="FILE", help="balancing table as CSV (other tables beside it)")
    p.add_argument("--md", default=None, metavar="FILE", help="all tables as Markdown")
    p.set_defaults(func=project_cmd.run_report)
