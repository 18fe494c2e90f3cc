"""What a live job needs from whoever runs it: is it still wanted, where to report progress."""

from __future__ import annotations

from typing import Protocol

from painxai_gui.errors import Cancelled

__all__ = ["Cancelled", "JobContext", "PlainContext"]


class JobContext(Protocol):
    """Handed to every job (the GUI's worker channel passes its ``TaskContext``)."""

    def cancelled(self) -> bool:
        """True once the job's result is no longer wanted."""
        ...

    def progress(self, done: int, total: int) -> None:
        """Report ``done`` of ``total`` steps."""
        ...


class PlainContext:
    """A context for running jobs outside the GUI (tests, benchmarks): never cancelled, progress kept."""

    def __init__(self) -> None:
        self.reports: list[tuple[int, int]] = []

    def cancelled(self) -> bool:
        return False

    def progress(self, done: int, total: int) -> None:
        self.reports.append((int(done), int(total)))
