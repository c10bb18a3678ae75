"""`--audio-log FILE`: one JSON line per sound as it starts, for tests and benchmarks without speakers.

    {"t_s": 12.41, "kind": "tone", "name": "hold_start", "text": "", "event_t_s": 12.33}
    {"t_s": 14.52, "kind": "speech", "name": "fault", "text": "Sit tall, don't lean",
     "event_t_s": 14.47, "duration_s": 1.4}

t_s: when the sound started, on the stream's clock (video or camera time, as frames are stamped);
event_t_s: the time of the frame that called for it; duration_s: how long the sentence takes (the
voice's own, or an estimate when no voice is there).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from coach.sound.events import Sound


class AudioLog:
    """A thread-safe JSON-lines sink; each line is flushed as it is written."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = path.open("w", encoding="utf-8")
        self._lock = threading.Lock()

    def started(self, sound: Sound, t_s: float, duration_s: float | None = None) -> None:
        line: dict[str, Any] = {
            "t_s": round(t_s, 3),
            "kind": sound.kind.value,
            "name": sound.name,
            "text": sound.text,
            "event_t_s": round(sound.t_s, 3),
        }
        if duration_s is not None:
            line["duration_s"] = round(duration_s, 3)
        with self._lock:
            if not self._file.closed:
                self._file.write(json.dumps(line) + "\n")
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()

    def __enter__(self) -> AudioLog:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def read_audio_log(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
