"""The voice's one waiting place: never a queue that lags behind what the person is doing.

Pure (times are passed in). A sentence waits while the voice is busy; a newer one of no lower
priority takes its place, and one not begun within its `stale_after_s` is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coach.sound.events import Sound


@dataclass
class SpeechSlot:
    waiting: Sound | None = None
    dropped: list[Sound] = field(default_factory=list)  # stale or replaced, for tests and benchmarks

    def offer(self, sound: Sound) -> None:
        if self.waiting is not None and sound.priority < self.waiting.priority:
            self.dropped.append(sound)
            return
        if self.waiting is not None:
            self.dropped.append(self.waiting)
        self.waiting = sound

    def take(self, now_s: float) -> Sound | None:
        """The sentence to say now (the voice is free), or None; a stale one is dropped."""
        sound, self.waiting = self.waiting, None
        if sound is not None and sound.stale(now_s):
            self.dropped.append(sound)
            return None
        return sound
