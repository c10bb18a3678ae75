"""The One Euro filter: smooths a noisy signal while it is still and follows it without lag when it moves.

Casiez, Roussel and Vogel, "1 Euro Filter: A Simple Speed-based Low-pass Filter for Noisy Input in
Interactive Systems" (CHI 2012). A first-order low-pass whose cutoff rises with the signal's speed:
`cutoff = min_cutoff_hz + beta * |speed|`. At rest the low cutoff removes jitter; during a movement
the cutoff rises and the lag (about 1 / (2 pi cutoff)) shrinks. Time steps come from the samples'
timestamps, so dropped or uneven frames are handled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def _smoothing_factor(cutoff_hz: float, dt_s: float) -> float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


@dataclass(frozen=True)
class OneEuroSettings:
    """min_cutoff_hz: cutoff at rest (lower = smoother, more lag when slow).
    beta: cutoff increase per unit of speed (signal units per second; higher = less lag when fast).
    d_cutoff_hz: cutoff of the low-pass applied to the speed estimate itself.
    """

    min_cutoff_hz: float = 1.0
    beta: float = 0.05
    d_cutoff_hz: float = 1.0

    def __post_init__(self) -> None:
        if self.min_cutoff_hz <= 0 or self.d_cutoff_hz <= 0 or self.beta < 0:
            raise ValueError("OneEuroSettings need positive cutoffs and a non-negative beta")


class OneEuroFilter:
    """Call with each sample and its timestamp; returns the filtered value."""

    def __init__(self, settings: OneEuroSettings | None = None) -> None:
        self.settings = settings or OneEuroSettings()
        self.reset()

    def reset(self) -> None:
        self._value: float | None = None
        self._speed = 0.0
        self._t_s = 0.0

    def __call__(self, value: float, t_s: float) -> float:
        if self._value is None:
            self._value, self._speed, self._t_s = value, 0.0, t_s
            return value
        dt_s = t_s - self._t_s
        if dt_s <= 0:  # a repeated timestamp carries no new time: keep the last output
            return self._value
        settings = self.settings
        raw_speed = (value - self._value) / dt_s
        self._speed += _smoothing_factor(settings.d_cutoff_hz, dt_s) * (raw_speed - self._speed)
        cutoff_hz = settings.min_cutoff_hz + settings.beta * abs(self._speed)
        self._value += _smoothing_factor(cutoff_hz, dt_s) * (value - self._value)
        self._t_s = t_s
        return self._value
