"""A video frame and the facts about the stream it came from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Frame:
    """One image from a source.

    image: (H, W, 3) uint8, BGR (OpenCV order).
    timestamp_ms: from the source's clock, strictly increasing within a stream.
    index: 0-based position in the stream.
    """

    image: np.ndarray
    timestamp_ms: int
    index: int

    def __post_init__(self) -> None:
        if self.image.ndim != 3 or self.image.shape[2] != 3 or self.image.dtype != np.uint8:
            raise ValueError(
                f"Frame.image must be (H, W, 3) uint8, got {self.image.shape} {self.image.dtype}"
            )
        if self.index < 0 or self.timestamp_ms < 0:
            raise ValueError("Frame index and timestamp must be non-negative")

    @property
    def t_s(self) -> float:
        return self.timestamp_ms / 1000.0

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.image.shape[1], self.image.shape[0]


@dataclass(frozen=True)
class VideoInfo:
    """What a source says about itself. frame_count is 0 when unknown (cameras)."""

    width: int
    height: int
    fps: float
    frame_count: int
    name: str
