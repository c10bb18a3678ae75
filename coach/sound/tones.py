"""The tones, as samples: short, soft, and told apart by pitch and rhythm. Pure numpy.

hold_start: one mid note (the hold has begun); hold_done: two rising notes (the target is reached).
"""

from __future__ import annotations

import numpy as np

from coach.sound.events import HOLD_DONE, HOLD_START

SAMPLE_RATE = 22050  # espeak's own rate, so its sentences need no resampling
VOLUME = 0.35
FADE_S = 0.01  # a short fade in and out: no click

# name -> the notes played one after the other: (frequency in Hz, seconds)
TONES: dict[str, tuple[tuple[float, float], ...]] = {
    HOLD_START: ((660.0, 0.16),),
    HOLD_DONE: ((880.0, 0.11), (1320.0, 0.16)),
}


def note(frequency_hz: float, seconds: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    """A sine note with a soft attack and release, float32 in [-VOLUME, VOLUME]."""
    t = np.arange(round(seconds * rate)) / rate
    envelope = np.minimum(1.0, np.minimum(t, seconds - t) / FADE_S)
    return (VOLUME * np.clip(envelope, 0.0, 1.0) * np.sin(2 * np.pi * frequency_hz * t)).astype(np.float32)


def tone_samples(name: str, rate: int = SAMPLE_RATE) -> np.ndarray:
    """The samples of the tone called `name` (KeyError for an unknown one)."""
    return np.concatenate([note(f, s, rate) for f, s in TONES[name]])


def resampled(samples: np.ndarray, from_rate: int, to_rate: int = SAMPLE_RATE) -> np.ndarray:
    """`samples` at another rate (linear interpolation: speech, not music)."""
    if from_rate == to_rate or samples.size == 0:
        return samples.astype(np.float32)
    count = round(samples.size * to_rate / from_rate)
    positions = np.arange(count) * (from_rate / to_rate)
    return np.interp(positions, np.arange(samples.size), samples).astype(np.float32)
