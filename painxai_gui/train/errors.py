"""Typed errors of the training core (manifest problems raise :class:`painxai_gui.errors.DatasetError`)."""

from __future__ import annotations

from painxai_gui.errors import Cancelled, PainXAIError


class TrainError(PainXAIError):
    """Training cannot start or go on (bad settings, a run folder made with other settings, no disk space)."""


class TrainCancelled(Cancelled):
    """The cancel hook asked to stop; finished folds and extracted features are kept for a resume."""
