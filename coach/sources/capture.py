"""Live capture: a camera (or a video file played as one) read on its own thread, newest frame only.

Each consumer (the display, the pose model) asks for `next_frame(after=the index it has)` and gets
the newest frame past it; frames it was too busy to take are skipped, so a slow consumer never
falls further behind the camera. Every frame is stamped from the monotonic clock when captured.
"""

from __future__ import annotations

import enum
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from coach.sources.frame import Frame
from coach.sources.video_file import VideoFileSource, open_camera, sane_fps

# One image from a source and, for a file, the moment (s, media clock) it is due; None = now.
Shot = tuple[np.ndarray, float | None]
Clock = Callable[[], float]

LOST_AFTER_S = 2.0  # a camera that gives no frame for this long is lost
MAX_GAP_S = 0.5  # a file that decodes slower than real time still shows a frame this often


class CaptureState(enum.Enum):
    RUNNING = "running"
    ENDED = "ended"  # a video file reached its end: the session ends normally
    LOST = "lost"  # a camera stopped giving frames


class LatestFrameCapture:
    """Runs `shots` on a background thread and keeps only the newest frame, for any number of readers.

    shots: yields (image, due_s): due_s is the frame's time on the media clock for a file (the
        thread waits for it, so a file plays at its real frame rate) or None for a camera.
    is_camera: when the shots end (or go silent for `lost_after_s`) the camera is LOST; for a
        file the stream has ENDED.
    A file's frame overdue by more than one frame period is dropped, as a camera would never deliver
    it (unless no frame was shown for MAX_GAP_S: a file slower to decode than to play still plays).
    """

    def __init__(
        self,
        shots: Iterator[Shot],
        *,
        fps: float,
        size: tuple[int, int],
        name: str,
        is_camera: bool,
        lost_after_s: float = LOST_AFTER_S,
        clock: Clock = time.monotonic,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.fps = fps
        self.size = size
        self.name = name
        self.is_camera = is_camera
        self.lost_after_s = lost_after_s
        self._shots = shots
        self._clock = clock
        self._on_close = on_close
        self._condition = threading.Condition()
        self._newest: Frame | None = None
        self._ended = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"capture {name}", daemon=True)
        self.origin_s = 0.0
        self._last_frame_s = 0.0
        self.skipped = 0  # file frames never delivered because they were overdue
        self._peeked: Shot | None = None
        self.failure: BaseException | None = None

    # -- consumer side ------------------------------------------------------------------------

    def start(self) -> LatestFrameCapture:
        """Start capturing (once); the monotonic clock's origin is now."""
        if not self._thread.is_alive() and not self._stop.is_set() and self._thread.ident is None:
            self.origin_s = self._last_frame_s = self._clock()
            self._thread.start()
        return self

    def peek(self) -> np.ndarray | None:
        """The first image, before capturing starts (to warm the model up on); None if there is none.

        A file still plays it as its first frame; a camera's live frames follow it.
        """
        if self._peeked is None and self._thread.ident is None:
            self._peeked = next(self._shots, None)
        return None if self._peeked is None else self._peeked[0]

    def next_frame(self, timeout_s: float, after: int = -1) -> Frame | None:
        """The newest frame with an index past `after`, waiting at most `timeout_s`; else None."""
        with self._condition:
            self._condition.wait_for(lambda: self._has_frame_past(after) or self._ended, timeout_s)
            return self._newest if self._has_frame_past(after) else None

    def state(self, after: int = -1) -> CaptureState:
        """RUNNING while frames past `after` come or may come; ENDED / LOST once none will."""
        with self._condition:
            if self._has_frame_past(after):
                return CaptureState.RUNNING
            if self._ended:
                return CaptureState.LOST if self.is_camera else CaptureState.ENDED
        # A camera whose read() hangs never ends its iterator: silence is loss too.
        if self.is_camera and self._clock() - self._last_frame_s > self.lost_after_s:
            return CaptureState.LOST
        return CaptureState.RUNNING

    def captured_at(self, frame: Frame) -> float:
        """The monotonic clock reading when `frame` was captured."""
        return self.origin_s + frame.timestamp_ms / 1000.0

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        if self._on_close is not None and not self._thread.is_alive():
            self._on_close()

    def __enter__(self) -> LatestFrameCapture:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- capture thread -----------------------------------------------------------------------

    def _has_frame_past(self, index: int) -> bool:
        return self._newest is not None and self._newest.index > index

    def _run(self) -> None:
        period_s = 1.0 / self.fps
        first_due: float | None = None
        last_ms = -1
        index = 0
        peeked = [self._peeked] if self._peeked is not None and not self.is_camera else []
        try:
            for image, due_s in itertools.chain(peeked, self._shots):
                if self._stop.is_set():
                    break
                if due_s is not None:
                    first_due = due_s if first_due is None else first_due
                    wait_s = self.origin_s + (due_s - first_due) - self._clock()
                    shown_lately = self._newest is not None and self._clock() - self._last_frame_s < MAX_GAP_S
                    if wait_s < -period_s and shown_lately:
                        self.skipped += 1
                        index += 1
                        continue
                    if wait_s > 0 and self._stop.wait(wait_s):
                        break
                now = self._clock()
                timestamp_ms = max(round((now - self.origin_s) * 1000.0), last_ms + 1)
                last_ms = timestamp_ms
                frame = Frame(image=image, timestamp_ms=timestamp_ms, index=index)
                index += 1
                with self._condition:
                    self._newest = frame
                    self._last_frame_s = now
                    self._condition.notify_all()
        except Exception as error:  # a broken driver or decoder: the consumer sees the stream end
            self.failure = error
        finally:
            with self._condition:
                self._ended = True
                self._condition.notify_all()


def open_capture(camera: str, *, lost_after_s: float = LOST_AFTER_S) -> LatestFrameCapture:
    """`camera` is a camera index ("0") or the path of a video file to play as if it were a camera.

    Raises CameraUnavailableError (listing the working indexes) for a camera that cannot be
    opened, and the VideoFileSource errors for a file that cannot be read.
    """
    if is_camera_index(camera):
        return camera_capture(int(camera), lost_after_s=lost_after_s)
    return file_capture(Path(camera))


def is_camera_index(camera: str) -> bool:
    """Whether `camera` names a camera by its index ("0"), not a video file."""
    return camera.strip().isdigit()


def camera_capture(index: int, *, lost_after_s: float = LOST_AFTER_S) -> LatestFrameCapture:
    capture = open_camera(index)
    capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the driver's own queue would add lag
    size = (int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    return LatestFrameCapture(
        camera_shots(capture, lost_after_s),
        fps=sane_fps(capture.get(cv2.CAP_PROP_FPS)),
        size=size,
        name=f"camera {index}",
        is_camera=True,
        lost_after_s=lost_after_s,
        on_close=capture.release,
    )


def camera_shots(capture: cv2.VideoCapture, lost_after_s: float) -> Iterator[Shot]:
    """Frames as the camera gives them; ends once reads have failed for `lost_after_s`."""
    failing_since: float | None = None
    while True:
        ok, image = capture.read()
        if ok and image is not None and image.ndim == 3:
            failing_since = None
            yield image, None
            continue
        now = time.monotonic()
        failing_since = now if failing_since is None else failing_since
        if now - failing_since > lost_after_s:
            return
        time.sleep(0.01)


def file_capture(path: Path) -> LatestFrameCapture:
    source = VideoFileSource(path)
    shots = ((frame.image, frame.t_s) for frame in source)
    return LatestFrameCapture(
        shots,
        fps=source.info.fps,
        size=(source.info.width, source.info.height),
        name=str(path),
        is_camera=False,
        on_close=source.close,
    )
