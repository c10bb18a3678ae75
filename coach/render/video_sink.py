"""The annotated-video sink: BGR frames out to an .mp4 file, published whole."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from coach.errors import VideoUnreadableError
from coach.sources.video_file import sane_fps
from coach.storage.atomic import publish, temporary_beside


class VideoSink:
    """Writes BGR frames to an .mp4 file; a context manager.

    The video is written beside `path` and renamed over it when the sink closes (also when the run
    stops early: what was recorded is kept), so `path` is never a half-written file.
    """

    def __init__(self, path: Path, fps: float, size: tuple[int, int]) -> None:
        self.path = Path(path)
        self._temp = temporary_beside(self.path)
        fourcc = cv2.VideoWriter.fourcc(*"mp4v")
        self._writer = cv2.VideoWriter(str(self._temp), fourcc, sane_fps(fps), size)
        if not self._writer.isOpened():
            self._temp.unlink(missing_ok=True)
            raise VideoUnreadableError(f"Cannot write video {self.path}")
        self.size = size

    def write(self, image: np.ndarray) -> None:
        if (image.shape[1], image.shape[0]) != self.size:
            image = cv2.resize(image, self.size)
        self._writer.write(image)

    def __enter__(self) -> VideoSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._writer.release()
        publish(self._temp, self.path)
