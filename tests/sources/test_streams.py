"""Streams that lie: what the frame source makes of broken headers, clocks and rotation flags.

Each file is made here: `cv2.VideoWriter` writes a clean clip, then its MP4 boxes (tests/mp4box.py)
or AVI header are edited in bytes. The source must yield frames with honest, increasing timestamps,
or fail with one clear error; the pipeline must then analyze them.
"""

from __future__ import annotations

import itertools
import struct
from pathlib import Path

import cv2
import numpy as np
import pytest

from coach.errors import VideoUnreadableError
from coach.pose.estimator import PoseEstimator
from coach.pose.model_files import resolve_model
from coach.pose.plausibility import implausible_reason
from coach.sources.video_file import DEFAULT_FPS, VideoFileSource
from tests import mp4box
from tests.robust_helpers import run_coach, sample_frames, write_video

FPS = 15


def numbered_frames(count: int, size: tuple[int, int] = (96, 64)) -> list[np.ndarray]:
    """Noise frames with their number written in, so frames can be told apart after decoding."""
    rng = np.random.default_rng(count)
    frames = []
    for i in range(count):
        image = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
        cv2.putText(image, str(i), (5, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (255, 255, 255), 3)
        frames.append(image)
    return frames


def edited_mp4(tmp_path: Path, name: str, edit: object, frames: list[np.ndarray] | None = None) -> Path:
    """A clean mp4v clip at FPS, its boxes passed through `edit(boxes) -> boxes | None`."""
    clean = write_video(tmp_path / f"clean_{name}.mp4", frames or numbered_frames(30), FPS)
    boxes = mp4box.parse(clean.read_bytes())
    boxes = edit(boxes) or boxes  # type: ignore[operator]
    path = tmp_path / f"{name}.mp4"
    path.write_bytes(mp4box.serialize(boxes))
    return path


def timestamps(path: Path) -> tuple[list[int], float, int]:
    with VideoFileSource(path) as source:
        stamps = [frame.timestamp_ms for frame in source]
        return stamps, source.info.fps, source.info.frame_count


def assert_increasing(stamps: list[int]) -> None:
    assert all(b > a for a, b in itertools.pairwise(stamps)), stamps


def test_the_editor_keeps_a_clean_file_intact(tmp_path: Path) -> None:
    stamps, fps, count = timestamps(edited_mp4(tmp_path, "same", lambda boxes: None))
    assert (fps, count, len(stamps)) == (FPS, 30, 30)
    assert stamps == [round(i * 1000 / FPS) for i in range(30)]


# --- a header that promises more frames than decode -------------------------------------------------


def test_a_cut_short_file_gives_the_frames_that_decode(tmp_path: Path) -> None:
    """A 'fast start' file (index first) cut short, like an interrupted download: the header still
    promises all 30 frames."""
    whole = edited_mp4(tmp_path, "faststart", mp4box.moov_first)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.6)])
    stamps, _, promised = timestamps(cut)
    assert promised == 30
    assert 0 < len(stamps) < 30
    assert stamps == [round(i * 1000 / FPS) for i in range(len(stamps))]


def test_an_edit_list_hiding_frames_is_honoured(tmp_path: Path) -> None:
    """Frame durations edited but the edit list left at the old length: players show fewer frames
    than the sample table holds."""

    def longer_frames(boxes: list[mp4box.Box]) -> None:
        elst = mp4box.find(boxes, "moov/trak/edts/elst").payload
        mp4box.set_frame_durations(boxes, [2 * mp4box.timescale(boxes) // FPS] * 30)
        mp4box.find(boxes, "moov/trak/edts/elst").payload = elst  # the stale edit list

    stamps, _, promised = timestamps(edited_mp4(tmp_path, "stale_edit", longer_frames))
    assert promised >= 15 and 0 < len(stamps) < 30
    assert stamps == [round(i * 2000 / FPS) for i in range(len(stamps))]


def test_a_file_whose_frames_all_last_zero_is_one_clear_error(tmp_path: Path) -> None:
    path = edited_mp4(tmp_path, "zero", lambda boxes: mp4box.set_frame_durations(boxes, [0] * 30))
    with pytest.raises(VideoUnreadableError, match="no decodable video frames"):
        VideoFileSource(path)


# --- clocks: variable frame rate, gaps, absurd rates ------------------------------------------------


def test_variable_frame_rate_keeps_the_containers_clock(tmp_path: Path) -> None:
    durations_ms = [50, 83, 33, 120, 67] * 6
    path = edited_mp4(
        tmp_path,
        "vfr",
        lambda boxes: mp4box.set_frame_durations(
            boxes, [d * mp4box.timescale(boxes) // 1000 for d in durations_ms]
        ),
    )
    stamps, _, _ = timestamps(path)
    expected = np.concatenate([[0], np.cumsum(durations_ms)[:-1]])
    assert len(stamps) == 30
    assert np.abs(np.array(stamps) - expected).max() <= 1


def test_a_frame_held_for_seconds_keeps_its_real_duration(tmp_path: Path) -> None:
    """Screen and browser recorders write no new frame while nothing changes."""

    def held(boxes: list[mp4box.Box]) -> None:
        units = mp4box.timescale(boxes)
        durations = [units // FPS] * 30
        durations[14] = 3 * units  # frame 14 shown for 3 s
        mp4box.set_frame_durations(boxes, durations)

    stamps, _, _ = timestamps(edited_mp4(tmp_path, "held", held))
    assert len(stamps) == 30
    assert stamps[15] - stamps[14] == 3000
    assert abs(stamps[-1] - (stamps[15] + 14 * 1000 / FPS)) <= 1


def test_a_clock_jumping_an_hour_is_not_believed(tmp_path: Path) -> None:
    def jump(boxes: list[mp4box.Box]) -> None:
        units = mp4box.timescale(boxes)
        durations = [units // FPS] * 30
        durations[9] = 3600 * units
        mp4box.set_frame_durations(boxes, durations)

    stamps, fps, _ = timestamps(edited_mp4(tmp_path, "jump", jump))
    assert len(stamps) == 30
    assert_increasing(stamps)
    assert stamps[9] == round(9 * 1000 / FPS)
    # After the jump the frames are paced by the frame rate, not by the broken clock.
    assert np.abs(np.diff(stamps[9:]) - 1000 / fps).max() <= 1


@pytest.mark.parametrize("claimed_fps", [1000, 15360])
def test_an_absurd_frame_rate_is_replaced_by_a_default_clock(tmp_path: Path, claimed_fps: int) -> None:
    path = edited_mp4(
        tmp_path,
        f"fps{claimed_fps}",
        lambda boxes: mp4box.set_frame_durations(
            boxes, [max(1, mp4box.timescale(boxes) // claimed_fps)] * 30
        ),
    )
    stamps, fps, _ = timestamps(path)
    assert fps == DEFAULT_FPS
    assert stamps == [round(i * 1000 / DEFAULT_FPS) for i in range(30)]


def avi_with_rate(tmp_path: Path, rate: int, scale: int = 1) -> Path:
    """An MJPG .avi whose stream header claims `rate / scale` frames per second (and no frame period)."""
    clean = write_video(tmp_path / "clean.avi", numbered_frames(20), FPS, fourcc="MJPG")
    data = bytearray(clean.read_bytes())
    strh = data.find(b"strh") + 8
    data[strh + 20 : strh + 28] = struct.pack("<II", scale, rate)
    avih = data.find(b"avih") + 8
    data[avih : avih + 4] = struct.pack("<I", 0)
    path = tmp_path / f"rate_{rate}_{scale}.avi"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(("rate", "scale"), [(0, 1), (15, 0), (4_000_000_000, 1), (1, 1000)])
def test_an_avi_with_a_zero_or_absurd_rate_field(tmp_path: Path, rate: int, scale: int) -> None:
    stamps, fps, _ = timestamps(avi_with_rate(tmp_path, rate, scale))
    assert len(stamps) == 20
    assert_increasing(stamps)
    assert 1.0 <= fps <= 240.0
    steps = np.diff(stamps)
    assert steps.min() >= 4 and steps.max() <= 5000  # a clock a person can be timed with


@pytest.mark.slow
def test_a_clip_whose_fps_lies_still_analyzes(tmp_path: Path) -> None:
    """End to end: a real person's clip claiming 1000 fps is timed at the default rate, not squeezed."""
    frames = sample_frames("dev_arch_side_good", 0, 30)
    path = edited_mp4(
        tmp_path,
        "person_fps1000",
        lambda boxes: mp4box.set_frame_durations(boxes, [mp4box.timescale(boxes) // 1000] * 30),
        frames,
    )
    report_path = tmp_path / "r.json"
    result = run_coach("analyze", path, "--exercise", "arch", "--report", report_path)
    assert result.code == 0, result.stderr
    report = result.report(report_path)
    assert report["frames"] == report["frames_with_pose"] == 30
    assert report["fps"] == DEFAULT_FPS


@pytest.mark.slow
def test_a_cut_short_clip_of_a_person_analyzes_what_is_there(tmp_path: Path) -> None:
    frames = sample_frames("dev_rotate_front_good", 0, 45)
    whole = edited_mp4(tmp_path, "person_faststart", mp4box.moov_first, frames)
    cut = tmp_path / "person_cut.mp4"
    cut.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.5)])
    report_path = tmp_path / "r.json"
    result = run_coach("analyze", cut, "--exercise", "rotate", "--report", report_path)
    assert result.code == 0, result.stderr
    report = result.report(report_path)
    assert 0 < report["frames"] < 45 and report["status"] == "complete"
    assert report["frames_with_pose"] == report["frames"]


# --- a phone video stored sideways with a rotation flag ---------------------------------------------


@pytest.mark.slow
def test_a_rotated_phone_video_is_read_upright_and_the_person_found(tmp_path: Path) -> None:
    upright = sample_frames("dev_rotate_front_good", 0, 20)
    stored = [cv2.rotate(frame, cv2.ROTATE_90_CLOCKWISE) for frame in upright]  # the sensor's landscape
    path = edited_mp4(tmp_path, "phone", lambda boxes: mp4box.set_rotation(boxes, 270), stored)
    with VideoFileSource(path) as source, PoseEstimator(resolve_model("full")) as estimator:
        assert (source.info.width, source.info.height) == (640, 480)
        reasons = []
        for frame, original in zip(source, upright, strict=True):
            assert np.abs(frame.image.astype(int) - original).mean() < 8  # upright, as recorded
            poses = estimator.estimate(frame)
            reasons.append(implausible_reason(poses[0]) if poses else "none")
    assert reasons == [None] * 20
