"""What the coach plays: a tone or a spoken sentence, asked for at a moment on the stream's clock."""

from __future__ import annotations

import enum
from dataclasses import dataclass

WORDS_PER_S = 3.3  # the system voice at its usual rate (espeak-ng: about 200 words a minute)
SPEECH_PAUSE_S = 0.2  # the voice's own start and end


class SoundKind(enum.Enum):
    TONE = "tone"
    SPEECH = "speech"


class Priority(enum.IntEnum):
    """Which of two sentences wins the voice: a newer one replaces a waiting one of no higher rank."""

    COUNT = 1  # the rep count, now and then
    PROMPT = 2  # what to do next ("Now to the right")
    CUE = 3  # a fault, in the words the screen shows
    END = 4  # "Set complete"


# Tone names (the audio log's `name`).
HOLD_START = "hold_start"
HOLD_DONE = "hold_done"


@dataclass(frozen=True)
class Sound:
    """One sound the guide asks for.

    t_s: the frame time (stream clock, seconds) of the event it answers.
    name: stable (audio log, tests): a tone's name, or what the sentence is for ("fault", "prompt").
    text: the sentence (speech), or "" for a tone.
    stale_after_s: a sentence not begun this long after `t_s` is no longer worth saying and is dropped.
    """

    t_s: float
    kind: SoundKind
    name: str
    text: str = ""
    priority: Priority = Priority.PROMPT
    stale_after_s: float = 2.0

    def stale(self, now_s: float) -> bool:
        return now_s - self.t_s > self.stale_after_s


def tone(t_s: float, name: str) -> Sound:
    return Sound(t_s, SoundKind.TONE, name, priority=Priority.END, stale_after_s=0.5)


def speech(t_s: float, name: str, text: str, priority: Priority, stale_after_s: float) -> Sound:
    return Sound(t_s, SoundKind.SPEECH, name, text, priority, stale_after_s)


def estimated_speech_s(text: str) -> float:
    """How long a calm voice takes to say `text`: the duration used when no voice is there to ask."""
    return SPEECH_PAUSE_S + len(text.split()) / WORDS_PER_S
