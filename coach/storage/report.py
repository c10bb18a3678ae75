"""The session report (JSON) and the per-frame table (CSV): the stable format other tools read."""

from __future__ import annotations

import csv
import io
import json
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


def counts(reps: list[Rep]) -> dict[str, int]:
    return {
        "left": sum(r.side == "left" for r in reps),
        "right": sum(r.side == "right" for r in reps),
        "total": len(reps),
        "good": sum(r.good for r in reps),
    }


def build_report(
    record: SessionRecord,
    reps: list[Rep],
    calibration: dict[str, Any],
    *,
    status: str = "complete",
    model: str = "",
    target_reps: int = 3,
) -> dict[str, Any]:
    """The report dict. `status` is "complete" or says why the session stopped early."""
    return {
        "exercise": record.exercise,
        "video": record.video,
        "fps": round(record.fps, 3),
        "frames": record.frames,
        "frames_with_pose": record.frames_with_pose,
        "calibration": calibration,
        "reps": [rep.to_dict() for rep in reps],
        "counts": counts(reps),
        "status": status,
        "target_reps": target_reps,
        "max_people_seen": record.max_people,
        "model": model,
    }


def write_report(path: Path, report: dict[str, Any]) -> None:
    write_text_atomic(path, json.dumps(report, indent=2) + "\n")


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


def write_frames_csv(path: Path, record: SessionRecord) -> None:
    write_text_atomic(path, frames_csv(record))


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"
