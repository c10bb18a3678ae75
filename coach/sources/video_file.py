"""Frame sources: video files and cameras."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from coach.errors import CameraUnavailableError, VideoNotFoundError, VideoUnreadableError
from coach.sources.frame import Frame, VideoInfo

DEFAULT_FPS = 30.0
MIN_FPS, MAX_FPS = 1.0, 240.0
# A container clock stepping less than a MAX_FPS frame period (less rounding) is broken.
MIN_STEP_MS = 1000.0 / MAX_FPS - 0.5
# Variable-frame-rate files (screen and browser recorders, phones under load) may hold one frame for
# seconds; a longer jump is a broken clock.
MAX_GAP_MS = 5000.0
# FFmpeg reads every file format (stills too); without it OpenCV falls back to its own AVI parser,
# which prints to the terminal on a corrupt file.
FILE_BACKEND = cv2.CAP_FFMPEG if cv2.videoio_registry.hasBackend(cv2.CAP_FFMPEG) else cv2.CAP_ANY


def sane_fps(reported: float) -> float:
    """The container's fps field, or a default when it is zero, NaN or absurd."""
    if not math.isfinite(reported) or not MIN_FPS <= reported <= MAX_FPS:
        return DEFAULT_FPS
    return reported


class VideoFileSource:
    """Frames of a video file, with timestamps from the container (falling back to index / fps).

    Use as a context manager; iterating yields `Frame`s. Frames are rotated upright when the
    file carries rotation metadata (OpenCV applies it on read).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise VideoNotFoundError(f"Video not found: {self.path}")
        if not self.path.is_file():
            raise VideoUnreadableError(f"Not a video file: {self.path}")
        self._capture = cv2.VideoCapture(str(self.path), FILE_BACKEND)
        if not self._capture.isOpened():
            raise VideoUnreadableError(f"Cannot read {self.path}: not a video file, or it is corrupt")
        ok, first = self._capture.read()
        if not ok or first is None or first.ndim != 3:
            self._capture.release()
            raise VideoUnreadableError(f"Cannot read {self.path}: it has no decodable video frames")
        self._first: np.ndarray | None = first
        self._first_ms = self._capture.get(cv2.CAP_PROP_POS_MSEC)
        height, width = first.shape[:2]
        self.info = VideoInfo(
            width=width,
            height=height,
            fps=sane_fps(self._capture.get(cv2.CAP_PROP_FPS)),
            frame_count=max(0, int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT))),
            name=self.path.name,
        )

    def __enter__(self) -> VideoFileSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._capture.release()

    def __iter__(self) -> Iterator[Frame]:
        period_ms = 1000.0 / self.info.fps
        max_step_ms = max(10 * period_ms, MAX_GAP_MS)
        index = 0
        last_ms = -period_ms
        image = self._first
        container_ms: float = self._first_ms
        self._first = None
        while image is not None:
            # Trust the container's clock only while it moves forward by a plausible step (a file
            # claiming 1000 fps steps by 1 ms: its clock would squeeze a minute into a second).
            plausible = (
                math.isfinite(container_ms) and last_ms + MIN_STEP_MS <= container_ms <= last_ms + max_step_ms
            )
            timestamp_ms = container_ms if plausible else last_ms + period_ms
            if image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8:
                yield Frame(image=image, timestamp_ms=round(max(timestamp_ms, 0.0)), index=index)
                index += 1
            last_ms = timestamp_ms
            ok, image = self._capture.read()
            if not ok:
                image = None
            container_ms = self._capture.get(cv2.CAP_PROP_POS_MSEC)


def open_camera(index: int) -> cv2.VideoCapture:
    """Open camera `index` or say which camera indexes work."""
    capture = cv2.VideoCapture(index)
    if capture.isOpened():
        ok, _ = capture.read()
        if ok:
            return capture
    capture.release()
    working = working_cameras()
    hint = f"working cameras: {', '.join(map(str, working))}" if working else "no camera was found"
    raise CameraUnavailableError(f"Camera {index} cannot be opened ({hint})")


def working_cameras(max_index: int = 5) -> list[int]:
    found = []
    for index in range(max_index):
        capture = cv2.VideoCapture(index)
        if capture.isOpened() and capture.read()[0]:
            found.append(index)
        capture.release()
    return found
