"""A session's angle over time: the per-frame rows the history keeps and the visual report plots.

It comes from a session's `SessionRecord` (or from the per-frame CSV `coach analyze --frames` writes),
and round-trips through a compact JSON form (columns, not rows) for the history database.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from typing import Any

from coach.storage.report import SessionRecord

FORMAT_VERSION = 1


@dataclass(frozen=True)
class AngleSeries:
    """One value per frame in every column; `angle_deg` is None where the angle was not measured.

    target_deg / comfortable_deg / hold_target_s: the last values the analyzer reported, None when the
    source does not carry them (the CSV has no such columns).
    """

    t_s: tuple[float, ...]
    angle_deg: tuple[float | None, ...]
    phase: tuple[str, ...]
    hold_s: tuple[float, ...]
    cue: tuple[str, ...]
    target_deg: float | None = None
    comfortable_deg: float | None = None
    hold_target_s: float | None = None

    def __post_init__(self) -> None:
        lengths = {len(self.t_s), len(self.angle_deg), len(self.phase), len(self.hold_s), len(self.cue)}
        if len(lengths) != 1:
            raise ValueError("AngleSeries columns must all have one value per frame")
        if any(b < a for a, b in zip(self.t_s, self.t_s[1:], strict=False)):
            raise ValueError("AngleSeries.t_s must not go backwards")

    def __len__(self) -> int:
        return len(self.t_s)

    @classmethod
    def from_record(cls, record: SessionRecord) -> AngleSeries:
        rows = record.rows
        return cls(
            t_s=tuple(row.t_s for row in rows),
            angle_deg=tuple(row.angle_deg for row in rows),
            phase=tuple(row.phase.value for row in rows),
            hold_s=tuple(row.hold_s for row in rows),
            cue=tuple(row.cue.code if row.cue else "" for row in rows),
            target_deg=_last_known(row.target_deg for row in rows),
            comfortable_deg=_last_known(row.comfortable_deg for row in rows),
            hold_target_s=rows[-1].hold_target_s if rows else None,
        )

    @classmethod
    def from_csv(cls, text: str) -> AngleSeries:
        """Parse the per-frame CSV (`t_s,angle_deg,<signals>,phase,hold_s,cue`) by column name."""
        reader = csv.DictReader(io.StringIO(text))
        missing = {"t_s", "angle_deg", "phase", "hold_s", "cue"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"per-frame CSV lacks columns: {', '.join(sorted(missing))}")
        rows = list(reader)
        return cls(
            t_s=tuple(float(row["t_s"]) for row in rows),
            angle_deg=tuple(float(row["angle_deg"]) if row["angle_deg"] else None for row in rows),
            phase=tuple(row["phase"] for row in rows),
            hold_s=tuple(float(row["hold_s"] or 0.0) for row in rows),
            cue=tuple(row["cue"] for row in rows),
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": FORMAT_VERSION,
                "t_s": [round(t, 3) for t in self.t_s],
                "angle_deg": [None if a is None else round(a, 2) for a in self.angle_deg],
                "phase": list(self.phase),
                "hold_s": [round(h, 2) for h in self.hold_s],
                "cue": list(self.cue),
                "target_deg": self.target_deg,
                "comfortable_deg": self.comfortable_deg,
                "hold_target_s": self.hold_target_s,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> AngleSeries:
        data: dict[str, Any] = json.loads(text)
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"angle series format {data.get('version')}, expected {FORMAT_VERSION}")
        return cls(
            t_s=tuple(data["t_s"]),
            angle_deg=tuple(data["angle_deg"]),
            phase=tuple(data["phase"]),
            hold_s=tuple(data["hold_s"]),
            cue=tuple(data["cue"]),
            target_deg=data.get("target_deg"),
            comfortable_deg=data.get("comfortable_deg"),
            hold_target_s=data.get("hold_target_s"),
        )


def _last_known(values: Any) -> float | None:
    last = None
    for value in values:
        if value is not None and math.isfinite(value):
            last = float(value)
    return last
