"""The one module that talks to MediaPipe: turns Pose Landmarker results into `Pose`s."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from coach.errors import ModelNotAvailableError
from coach.pose.exposure import brightened
from coach.pose.landmarks import NUM_LANDMARKS
from coach.pose.types import Pose
from coach.sources.frame import Frame

os.environ.setdefault("GLOG_minloglevel", "2")  # keep MediaPipe's C++ start-up chatter off the terminal

import mediapipe as mp
from mediapipe.tasks.python import BaseOptions, vision


class PoseEstimator:
    """A context-managed MediaPipe Pose Landmarker for one stream of frames (VIDEO mode).

    `estimate(frame)` returns every person found, largest first. Timestamps must increase;
    the estimator enforces this so a source with a broken clock cannot crash MediaPipe.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        max_people: int = 2,
        with_mask: bool = False,
        min_confidence: float = 0.5,
    ) -> None:
        self.model_path = model_path
        self.with_mask = with_mask
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=max_people,
            min_pose_detection_confidence=min_confidence,
            min_pose_presence_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
            output_segmentation_masks=with_mask,
        )
        try:
            with quiet_native_stderr():
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as error:
            raise ModelNotAvailableError(f"Could not load pose model {model_path}: {error}") from None
        self._last_timestamp_ms = -1
        self._frames_seen = 0

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        with quiet_native_stderr():
            self._landmarker.close()

    def estimate(self, frame: Frame) -> tuple[Pose, ...]:
        timestamp_ms = max(frame.timestamp_ms, self._last_timestamp_ms + 1)
        self._last_timestamp_ms = timestamp_ms
        rgb = cv2.cvtColor(brightened(frame.image), cv2.COLOR_BGR2RGB)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        # MediaPipe's native code logs set-up notes on the first frames; keep them off the terminal.
        quiet = quiet_native_stderr() if self._frames_seen < 2 else contextlib.nullcontext()
        with quiet:
            result = self._landmarker.detect_for_video(image, timestamp_ms)
        self._frames_seen += 1
        masks = result.segmentation_masks or []
        poses = [
            _to_pose(landmarks, world, masks[i] if i < len(masks) else None, frame.size)
            for i, (landmarks, world) in enumerate(
                zip(result.pose_landmarks, result.pose_world_landmarks, strict=False)
            )
        ]
        poses.sort(key=_area, reverse=True)
        return tuple(poses)


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for a moment (native logging bypasses sys.stderr).

    COACH_DEBUG=1 keeps the native logs.
    """
    if os.environ.get("COACH_DEBUG"):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _to_pose(landmarks: list, world: list, mask: mp.Image | None, size: tuple[int, int]) -> Pose:
    width, height = size
    image = np.array([[p.x, p.y, p.z] for p in landmarks], dtype=np.float64).reshape(NUM_LANDMARKS, 3)
    xyz_world = np.array([[p.x, p.y, p.z] for p in world], dtype=np.float64).reshape(NUM_LANDMARKS, 3)
    visibility = np.array([p.visibility or 0.0 for p in landmarks], dtype=np.float64)
    mask_array = None
    if mask is not None:
        mask_array = np.array(mask.numpy_view(), dtype=np.float32).reshape(height, width)
    return Pose(
        xy=image[:, :2] * np.array([width, height]),
        depth=image[:, 2] * width,
        world=xyz_world,
        visibility=np.clip(visibility, 0.0, 1.0),
        image_size=size,
        mask=mask_array,
    )


def _area(pose: Pose) -> float:
    x0, y0, x1, y1 = pose.bbox
    return (x1 - x0) * (y1 - y0)
