"""Suggestions and model predictions of a project (mixed into :class:`~painxai_gui.curation.Project`).

Suggestions fill a slot up to the quota (``spread``: evenly over frames with a
face; ``confidence``: where the model is surest of the video's category);
accepting them selects them, refused beyond the quota unless overridden.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from painxai_gui.curation import edits, history
from painxai_gui.curation.commands import Command
from painxai_gui.curation.entities import ProjectChange
from painxai_gui.curation.suggest import FaceCheck, by_confidence, default_face_check, even_spread
from painxai_gui.dataset.records import VideoRecord
from painxai_gui.errors import ProjectError

if TYPE_CHECKING:
    from painxai_gui.curation.project import VideoRef


class SuggestionsMixin:
    # -- suggestions ---------------------------------------------------------
    def suggest(self, video: VideoRef, slot: int | None = None, *, strategy: str = "spread",
                has_face: FaceCheck | None = None, check_faces: bool = True,
                scores: Mapping[int, float] | None = None) -> frozenset[int]:
        """Suggest frames to fill ``slot`` (every slot when None) up to the quota.

        ``strategy="spread"``: evenly spread over unselected frames with a face
        (``has_face`` defaults to the real face pipeline; ``check_faces=False``
        skips the check). ``strategy="confidence"``: the frames with the highest
        model confidence for the video's category (``scores`` or the stored
        predictions). Replaces earlier suggestions in those slots (undoable).
        """
        info = self._slot_video(video)
        slots = range(self.slot_count) if slot is None else [slot]
        if strategy == "confidence":
            scores = scores if scores is not None else self.predictions(info)
            if not scores:
                raise ProjectError(f"no model predictions stored for {info.id}; run the model first",
                                   self.path)
        elif strategy != "spread":
            raise ProjectError(f"unknown suggestion strategy {strategy!r} (spread, confidence)", self.path)
        owned = None
        if strategy == "spread" and has_face is None and check_faces:
            self.check_dataset()
            owned = has_face = default_face_check(info.path, self.cache_dir / "landmarks")
        try:
            rows: list[tuple[int, str, float | None]] = []
            scope: set[int] = set()
            for s in slots:
                frames = self._slot_range(info, s)
                scope.update(frames)
                rows += self._suggest_slot(info, frames, strategy, has_face, scores)
        finally:
            if owned is not None:
                owned.close()
        where = "all slots" if slot is None else f"slot {slot + 1}"
        text = f"suggest {len(rows)} frames ({strategy}) in {where} of {info.id}"
        self._execute(lambda c: edits.replace_suggestions(c, info.id, scope, rows, text))
        return self.suggestions(info)

    def _suggest_slot(self, info: VideoRecord, scope: range, strategy: str, has_face: FaceCheck | None,
                      scores: Mapping[int, float] | None) -> list[tuple[int, str, float | None]]:
        chosen = self.selections(info)
        candidates = [f for f in scope if f not in chosen]
        need = max(0, self.quota - sum(1 for f in scope if f in chosen))
        if strategy == "confidence":
            return [(f, "confidence", s) for f, s in by_confidence(candidates, need, scores or {})]
        return [(f, "spread", None) for f in even_spread(candidates, need, has_face)]

    def accept_suggestions(self, video: VideoRef, slot: int | None = None, *,
                           allow_over_quota: bool = False) -> int:
        """Select the suggested frames of ``slot`` (every slot when None); returns how many.

        Refused (QuotaError) when a slot would go beyond the quota, unless ``allow_over_quota``."""
        info = self._slot_video(video)
        scope = range(info.frame_count) if slot is None else self._slot_range(info, slot)
        where = "all slots" if slot is None else f"slot {slot + 1}"
        text = f"accept suggestions in {where} of {info.id}"
        extra: dict[str, Any] = {}

        def build(c: Any) -> Command | None:
            suggested = [f for f in edits.suggestion_rows(c, info.id) if f in scope]
            extra.update(self._quota_check(c, info, suggested, allow_over_quota))
            return edits.accept_suggestions(c, info.id, scope, self._annotator, text)

        command = self._execute(build, extra)
        return 0 if command is None else sum(len(ch.added) for ch in command.changes if ch.kind == "selection")

    def clear_suggestions(self, video: VideoRef, slot: int | None = None) -> int:
        info = self._slot_video(video)
        scope = range(info.frame_count) if slot is None else self._slot_range(info, slot)
        command = self._execute(lambda c: edits.clear_suggestions(c, info.id, scope,
                                                                  f"clear suggestions of {info.id}"))
        return 0 if command is None else len(command.changes[0].removed)

    def set_predictions(self, video: VideoRef, confidences: Mapping[int, float], *,
                        model: str | None = None) -> None:
        """Store the model's confidence for the video's own category, per frame (audited, not undoable)."""
        info = self._video(video)
        rows = [(info.id, int(f), float(p)) for f, p in confidences.items()]
        self._slot_video(info, *[r[1] for r in rows])
        with self._store.write() as conn:
            conn.execute("DELETE FROM predictions WHERE video_id = ?", (info.id,))
            conn.executemany("INSERT INTO predictions (video_id, frame, confidence) VALUES (?, ?, ?)", rows)
            history.audit(conn, self._annotator, "set_predictions", info.id,
                          {"frames": len(rows), "model": model})
        self._store.notify(ProjectChange("set_predictions", f"predictions for {info.id}",
                                         frozenset([info.id])))
