"""The live session's log on disk: one JSON line per event, each fsync'd the moment it is written.

A completed rep is on disk before the coach says anything about it, so Ctrl-C, a crash, a lost
camera or a power cut lose nothing that was already counted. Lines:

    {"event": "start", "exercise": ..., "source": ..., "target_reps": ..., "time": ISO-8601}
    {"event": "rep", "set": 1, "number": 1, ...Rep.to_dict()...}
    {"event": "end", "status": "complete" | "interrupted" | "camera_lost" | "error", ...}
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from coach.reps.analysis import Rep
from coach.storage.atomic import _fsync_directory

TAIL_CHUNK = 4096


class SessionLog:
    """Append-only JSON-lines file; a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        if not created:
            drop_torn_tail(self.path)
        self._handle = self.path.open("a", encoding="utf-8")
        if created:
            _fsync_directory(self.path.parent)  # the new file's name survives a crash too
        self.reps_written = 0

    def write(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, **fields, "time": now_iso()}, separators=(",", ":"))
        # One write call per line: a line is never interleaved or split by another write.
        self._handle.write(line + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def rep(self, rep: Rep, *, set_number: int) -> None:
        self.reps_written += 1
        self.write("rep", set=set_number, number=self.reps_written, **rep.to_dict())

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> SessionLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def drop_torn_tail(path: Path) -> None:
    """Cut a last line left half-written by a killed process, so that the next line appended starts
    a line of its own instead of fusing with the torn one (and being lost with it)."""
    with path.open("rb+") as handle:
        end = handle.seek(0, os.SEEK_END)
        position = end
        while position > 0:
            step = min(TAIL_CHUNK, position)
            handle.seek(position - step)
            chunk = handle.read(step)
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                position = position - step + newline + 1
                break
            position -= step
        if position < end:
            handle.truncate(position)
            handle.flush()
            os.fsync(handle.fileno())


def read_session_log(path: Path) -> list[dict[str, Any]]:
    """Every whole line of a log; a torn last line (the process died mid-write) is skipped."""
    events = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            events.append(json.loads(line))
    return events


def logged_reps(path: Path) -> list[dict[str, Any]]:
    return [event for event in read_session_log(path) if event.get("event") == "rep"]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
