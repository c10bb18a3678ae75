"""The session report: one typed value from the job that measured the session to every sink (the
JSON report, the per-frame CSV, the history). The JSON and the CSV are the stable format other tools
read."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.reps.analysis import FrameAnalysis, Rep
from coach.storage.atomic import write_text_atomic

FRAME_COLUMNS_HEAD = ("t_s", "angle_deg")
FRAME_COLUMNS_TAIL = ("phase", "hold_s", "cue")


@dataclass
class SessionRecord:
    """Everything a session measured so far; turned into the report at the end (or on interrupt)."""

    exercise: str
    video: str
    fps: float
    signal_names: tuple[str, str]
    frames: int = 0
    frames_with_pose: int = 0
    max_people: int = 0
    rows: list[FrameAnalysis] = field(default_factory=list)

    def add(self, analysis: FrameAnalysis, people: int) -> None:
        self.frames += 1
        self.frames_with_pose += people > 0
        self.max_people = max(self.max_people, people)
        self.rows.append(analysis)

    def revise(self, analyses: Sequence[FrameAnalysis]) -> None:
        """Put `analyses` in place of the rows of the same frames (times): frames measured again."""
        again = {analysis.t_s: analysis for analysis in analyses}
        self.rows = [again.get(row.t_s, row) for row in self.rows]


@dataclass(frozen=True)
class RepCounts:
    left: int
    right: int
    total: int
    good: int

    @classmethod
    def of(cls, reps: Iterable[Rep]) -> RepCounts:
        reps = list(reps)
        return cls(
            left=sum(r.side == "left" for r in reps),
            right=sum(r.side == "right" for r in reps),
            total=len(reps),
            good=sum(r.good for r in reps),
        )

    def to_dict(self) -> dict[str, int]:
        return {"left": self.left, "right": self.right, "total": self.total, "good": self.good}


def counts(reps: list[Rep]) -> dict[str, int]:
    return RepCounts.of(reps).to_dict()


@dataclass(frozen=True)
class SetCounts:
    number: int  # 1 for the first set; key `r` starts the next
    counts: RepCounts


@dataclass(frozen=True)
class LiveLog:
    """What only a live session reports: where its session log is and the reps of each set."""

    log_path: Path
    sets: tuple[SetCounts, ...]


@dataclass(frozen=True)
class SessionReport:
    """A session as it ended: what the JSON report says, with the per-frame rows behind it.

    record: the session's frames; nothing is added to it once the report is made.
    calibration: the analyzer's calibration summary, as the JSON carries it.
    status: "complete", or why the session stopped early ("interrupted", "camera_lost", "error").
    hold_target_s: the hold the session asked for, None for the exercise's standard one; the history
        keeps it, the JSON does not carry it.
    live: the live session's log and sets; None for `coach analyze`.
    incomplete_rep: the rep the session ended during (`Rep.incomplete`), never among `reps` nor
        counted; the JSON carries it as "incomplete_rep" only when there is one.
    reps_reason: why no rep, or far fewer reps than the movements seen, were counted, in one
        sentence; the JSON carries it as "reps_reason" only then.
    """

    record: SessionRecord
    reps: tuple[Rep, ...]
    calibration: dict[str, Any]
    status: str = "complete"
    model: str = ""
    target_reps: int = 3
    hold_target_s: float | None = None
    live: LiveLog | None = None
    incomplete_rep: Rep | None = None
    reps_reason: str | None = None

    @property
    def exercise(self) -> str:
        return self.record.exercise

    @property
    def counts(self) -> RepCounts:
        return RepCounts.of(self.reps)

    def to_json_dict(self) -> dict[str, Any]:
        """The report as readers know it: these keys in this order, these roundings."""
        document: dict[str, Any] = {
            "exercise": self.record.exercise,
            "video": self.record.video,
            "fps": round(self.record.fps, 3),
            "frames": self.record.frames,
            "frames_with_pose": self.record.frames_with_pose,
            "calibration": self.calibration,
            "reps": [rep.to_dict() for rep in self.reps],
        }
        if self.incomplete_rep is not None:
            document["incomplete_rep"] = self.incomplete_rep.to_dict()
        document["counts"] = self.counts.to_dict()
        if self.reps_reason is not None:
            document["reps_reason"] = self.reps_reason
        document |= {
            "status": self.status,
            "target_reps": self.target_reps,
            "max_people_seen": self.record.max_people,
            "model": self.model,
        }
        if self.live is not None:
            document["log"] = str(self.live.log_path)
            document["sets"] = [{"set": s.number, "counts": s.counts.to_dict()} for s in self.live.sets]
        return document


def write_report(path: Path, report: SessionReport) -> None:
    write_text_atomic(path, json.dumps(report.to_json_dict(), indent=2) + "\n")


def frames_csv(record: SessionRecord) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*FRAME_COLUMNS_HEAD, *record.signal_names, *FRAME_COLUMNS_TAIL])
    for row in record.rows:
        writer.writerow(
            [
                f"{row.t_s:.3f}",
                _cell(row.angle_deg),
                *(_cell(row.signals.get(name)) for name in record.signal_names),
                row.phase.value,
                f"{row.hold_s:.2f}",
                row.cue.code if row.cue else "",
            ]
        )
    return buffer.getvalue()


def write_frames_csv(path: Path, report: SessionReport) -> None:
    write_text_atomic(path, frames_csv(report.record))


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"
