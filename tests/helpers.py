"""Small builders and replay helpers shared by the tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.calibration.profile import CalibrationProfile, profile_from_poses
from coach.pipeline import Pipeline
from coach.pose.landmarks import NUM_LANDMARKS
from coach.pose.types import Pose
from coach.render.video_sink import VideoSink
from coach.reps.analysis import FrameAnalysis
from coach.sources.frame import VideoInfo
from coach.sources.video_file import VideoFileSource

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_videos"
REALDATA = REPO / "tests" / "data" / "realdata"


@dataclass(frozen=True)
class ClipPoses:
    """Every frame's poses of one clip, from the real model: all people, largest first."""

    times_s: list[float]
    poses: list[tuple[Pose, ...]]
    info: VideoInfo


ClipLoader = Callable[..., ClipPoses]


def make_pose(
    xy: np.ndarray | None = None, *, size: tuple[int, int] = (640, 480), **overrides: np.ndarray
) -> Pose:
    """A pose with every landmark at `xy` (33, 2) (default: all at the image centre)."""
    if xy is None:
        xy = np.tile([size[0] / 2, size[1] / 2], (NUM_LANDMARKS, 1)).astype(float)
    fields = {
        "xy": np.asarray(xy, dtype=float),
        "depth": np.zeros(NUM_LANDMARKS),
        "world": np.zeros((NUM_LANDMARKS, 3)),
        "visibility": np.ones(NUM_LANDMARKS),
    }
    fields.update(overrides)
    return Pose(image_size=size, **fields)


def replay(pipeline: Pipeline, clip: ClipPoses) -> list[FrameAnalysis]:
    """Feed a clip's real-model poses through the pipeline the way every command does."""
    return [pipeline.step(poses, t_s).analysis for t_s, poses in zip(clip.times_s, clip.poses, strict=True)]


def calibrated_profile(azimuth_deg: float = 0.0) -> CalibrationProfile:
    """The neutral profile of a hand-made seated body (tests/seated.py) sitting still for 2 s."""
    from tests.seated import seated_pose, shifted

    poses = [shifted(seated_pose(azimuth_deg), noise_px=0.3, seed=i) for i in range(30)]
    return profile_from_poses(poses, [i / 15 for i in range(30)])


def dim_room(seed: int = 7) -> Callable[[np.ndarray], np.ndarray]:
    """A picture transform: a third of the light and a sensor's noise (one noise draw per seed)."""
    rng = np.random.default_rng(seed)

    def dim(image: np.ndarray) -> np.ndarray:
        dark = image.astype(np.float32) / 3.0 + rng.normal(0.0, 4.0, image.shape)
        return np.clip(dark, 0, 255).astype(np.uint8)

    return dim


def transformed_sample(name: str, out: Path, transform: Callable[[np.ndarray], np.ndarray]) -> Path:
    """A sample clip with `transform` applied to every image (the same size), written to `out`."""
    with (
        VideoFileSource(SAMPLES / f"{name}.mp4") as source,
        VideoSink(out, source.info.fps, (source.info.width, source.info.height)) as sink,
    ):
        for frame in source:
            sink.write(transform(frame.image))
    return out
