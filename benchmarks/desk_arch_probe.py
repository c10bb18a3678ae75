#!/usr/bin/env python3
"""How well the desk arch measure (`coach.measure.desk_arch`) reads a desk clip with ground truth.

Runs the real pose model over `NAME.mp4` (or reads the poses it cached earlier), takes the neutral
profile from the clip's still start (the ground truth's calibration segment, as the calibrator
would), reads every frame's arch and neck bend, and prints per rep the peak arch and neck against
the truth (`ext_thor + ext_lumb`, the angle `benchmarks/scoring.py` scores, and `neck_ext`) and the
arch's mean absolute error over all frames and over the reps' frames (start to end), raw and
smoothed the way the arch analyzer smooths its angle.

A clip still being rendered can be probed from the frames written so far: `--frames` takes the
renderer's frames folder (`.NAME_frames`, read only) and the truth is then computed from the scenario
file's timeline the way the renderer computes it (cosine ramps plus the natural-movement sinusoids).

usage: python benchmarks/desk_arch_probe.py CLIP.mp4 [CLIP2.mp4 ...] [--cache DIR] [--model full]
       python benchmarks/desk_arch_probe.py --frames RENDERS/.NAME_frames --scenario NAME.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.calibration.profile import CalibrationProfile, profile_from_poses
from coach.exercises.arch import ANGLE_SMOOTHING, HEAD_BACK_DEG, HEAD_BACK_SHARE, SIGNAL_SMOOTHING
from coach.measure.desk_arch import desk_neutral, read_desk_arch
from coach.measure.filters import OneEuroFilter
from coach.pose.landmarks import NUM_LANDMARKS
from coach.pose.types import Pose
from coach.sources.frame import Frame

CALIBRATION_S = 2.5
TRUTH_CHANNELS = ("ext_thor", "ext_lumb", "neck_ext")


@dataclass(frozen=True)
class ClipPoses:
    times_s: np.ndarray  # (n,)
    xy: np.ndarray  # (n, 33, 2); NaN where no person was found
    depth: np.ndarray  # (n, 33)
    world: np.ndarray  # (n, 33, 3)
    image_size: tuple[int, int]


def rendered_frames(folder: Path, fps: float) -> Iterator[Frame]:
    """The frames a render has finished so far (the newest one may still be being written)."""
    import cv2

    count = 0
    while (folder / f"f_{count + 1:05d}.png").is_file():
        count += 1
    for index in range(count):
        image = cv2.imread(str(folder / f"f_{index:05d}.png"))
        yield Frame(image=image, timestamp_ms=round(index * 1000 / fps), index=index)


def run_model(video: Path, model: str, fps: float | None = None) -> ClipPoses:
    """The model's poses of a video file, or of a folder of rendered frames at `fps`."""
    from coach.pose.estimator import PoseEstimator
    from coach.pose.model_files import resolve_model
    from coach.sources.video_file import VideoFileSource

    times, xy, depth, world = [], [], [], []
    size = (0, 0)
    with contextlib.ExitStack() as stack:
        estimator = stack.enter_context(PoseEstimator(resolve_model(model)))
        if video.is_dir():
            assert fps is not None
            frames: Iterator[Frame] = rendered_frames(video, fps)
        else:
            frames = iter(stack.enter_context(VideoFileSource(video)))
        for frame in frames:
            poses = estimator.estimate(frame)
            times.append(frame.t_s)
            size = (frame.image.shape[1], frame.image.shape[0])
            if poses:
                xy.append(poses[0].xy), depth.append(poses[0].depth), world.append(poses[0].world)
            else:
                xy.append(np.full((NUM_LANDMARKS, 2), np.nan))
                depth.append(np.full(NUM_LANDMARKS, np.nan))
                world.append(np.full((NUM_LANDMARKS, 3), np.nan))
    return ClipPoses(np.array(times), np.array(xy), np.array(depth), np.array(world), size)


def clip_poses(video: Path, model: str, cache: Path | None, fps: float | None = None) -> ClipPoses:
    path = None if cache is None else cache / f"{video.stem}.{model}.npz"
    if path is not None and path.is_file() and not video.is_dir():
        data = np.load(path)
        size = (int(data["image_size"][0]), int(data["image_size"][1]))
        return ClipPoses(data["times_s"], data["xy"], data["depth"], data["world"], size)
    poses = run_model(video, model, fps)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path, times_s=poses.times_s, xy=poses.xy, depth=poses.depth, world=poses.world,
            image_size=np.array(poses.image_size),
        )  # fmt: skip
    return poses


def neutral_profile(poses: ClipPoses) -> CalibrationProfile:
    still = [i for i, t in enumerate(poses.times_s) if t < CALIBRATION_S and np.all(np.isfinite(poses.xy[i]))]
    return profile_from_poses(
        [
            Pose(poses.xy[i], poses.depth[i], poses.world[i], np.ones(NUM_LANDMARKS), poses.image_size)
            for i in still
        ],
        [float(poses.times_s[i]) for i in still],
    )


def scenario_truth(scenario: dict, count: int) -> dict:
    """Ground truth of the first `count` frames from a scenario file, as the renderer computes it."""
    fps = float(scenario["camera"]["fps"])
    segments, state, start = [], dict.fromkeys(TRUTH_CHANNELS, 0.0), 0.0
    for segment in scenario["timeline"]:
        target = {**state, **{k: float(v) for k, v in segment.get("to", {}).items() if k in state}}
        segments.append((start, float(segment["dur"]), state, target))
        state, start = target, start + float(segment["dur"])
    frames = []
    for index in range(count):
        t = index / fps
        values = dict(state)
        for begin, length, before, after in segments:
            if t < begin + length - 1e-9:
                eased = 0.5 - 0.5 * math.cos(math.pi * (t - begin) / length)
                values = {k: before[k] + (after[k] - before[k]) * eased for k in before}
                break
        for wave in scenario.get("motion", []):
            if wave["channel"] in values:
                phase = 2 * math.pi * t / float(wave["period"]) + float(wave.get("phase", 0.0))
                values[wave["channel"]] += float(wave["amp"]) * math.sin(phase)
        reps = [k for k, r in enumerate(scenario["reps"]) if r["start"] <= t < r["end"]]
        frames.append({"t": t, "rep": reps[0] if reps else None, **values})
    return {"fps": fps, "frames": frames, "scenario": scenario, "camera": scenario["camera"]}


def probe(video: Path, model: str, cache: Path | None, scenario: Path | None = None) -> float:
    if scenario is None:
        truth = json.loads(video.with_suffix(".gt.json").read_text())
        poses = clip_poses(video, model, cache)
    else:
        spec = json.loads(scenario.read_text())
        poses = clip_poses(video, model, cache, float(spec["camera"]["fps"]))
        truth = scenario_truth(spec, len(poses.times_s))
    profile = neutral_profile(poses)
    neutral = desk_neutral(profile.neutral_xy, profile.neutral_world, profile.image_size)
    smoother, neck_smoother = OneEuroFilter(ANGLE_SMOOTHING), OneEuroFilter(SIGNAL_SMOOTHING)
    frames = truth["frames"]
    reps = truth["scenario"]["reps"]
    rows = []  # (t, true arch, true neck, arch, smoothed arch, smoothed neck, rep, in its hold)
    for t, xy, world in zip(poses.times_s, poses.xy, poses.world, strict=True):
        gt = frames[min(max(round(t * truth["fps"]), 0), len(frames) - 1)]
        if not np.all(np.isfinite(xy)):
            smoother.reset()
            neck_smoother.reset()
            continue
        reading = read_desk_arch(neutral, xy, world)
        arch = smoother(max(reading.arch_deg, 0.0), float(t))  # as the analyzer smooths it
        neck = neck_smoother(max(reading.neck_deg, 0.0), float(t))
        rep = gt["rep"]
        holding = rep is not None and reps[rep]["hold_start"] <= t < reps[rep]["hold_end"]
        true_arch = gt["ext_thor"] + gt["ext_lumb"]
        rows.append((t, true_arch, gt["neck_ext"], reading.arch_deg, arch, neck, rep, holding))
    table = np.array([[np.nan if v is None else float(v) for v in row] for row in rows])
    camera = truth["camera"]
    focal = camera.get("focal_px", camera["lens_mm"] / 36.0 * camera["resolution"][0])
    print(
        f"{video.name}: {len(rows)}/{len(frames)} frames with a person, camera {camera['distance_m']} m, "
        f"{camera['resolution'][0]}x{camera['resolution'][1]}, focal {focal:.0f} px "
        f"(assumed {neutral.focal_px:.0f})"
    )
    print("  rep  fault      true arch/neck  peak arch raw (smoothed)  hold arch/neck  head_back?")
    for k, rep in enumerate(reps):
        mine = table[table[:, 6] == k]
        if len(mine) == 0:
            continue
        hold = mine[mine[:, 7] == 1]
        target = rep["target"]
        true_arch = target.get("ext_thor", 0) + target.get("ext_lumb", 0)
        partial = "" if mine[-1, 0] >= rep["end"] - 1.5 / truth["fps"] else "  (partial: still rendering)"
        held = (
            "     -    " if len(hold) == 0 else f"{np.median(hold[:, 4]):5.1f} / {np.median(hold[:, 5]):4.1f}"
        )
        flagged = len(hold) > 0 and np.median(hold[:, 5]) >= max(
            HEAD_BACK_DEG, HEAD_BACK_SHARE * np.median(hold[:, 4])
        )
        print(
            f"  {k:3d}  {rep['fault'] or 'good':9s}  {true_arch:5.1f} / {target.get('neck_ext', 0):4.1f}"
            f"    {np.max(mine[:, 3]):5.1f} ({np.max(mine[:, 4]):5.1f})         {held}    "
            f"{'yes' if flagged else 'no'}{partial}"
        )
    in_reps = np.isfinite(table[:, 6])
    raw_mae = float(np.mean(np.abs(np.maximum(table[:, 3], 0.0) - table[:, 1])))
    mae = float(np.mean(np.abs(table[:, 4] - table[:, 1])))
    rep_mae = float(np.mean(np.abs(table[in_reps, 4] - table[in_reps, 1]))) if in_reps.any() else math.nan
    print(f"  arch MAE: all frames {mae:.2f} (unsmoothed {raw_mae:.2f}), rep frames {rep_mae:.2f} degrees")
    return mae


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("clips", nargs="*", type=Path)
    parser.add_argument("--cache", type=Path, help="keep the model's poses here and reuse them")
    parser.add_argument("--model", default="full")
    parser.add_argument("--frames", type=Path, help="a render's frames folder, instead of a clip")
    parser.add_argument("--scenario", type=Path, help="the scenario file of --frames")
    args = parser.parse_args(argv)
    if (args.frames is None) != (args.scenario is None) or not (args.clips or args.frames):
        parser.error("give clips, or --frames with --scenario")
    maes = [probe(clip, args.model, args.cache) for clip in args.clips]
    if args.frames is not None:
        maes.append(probe(args.frames, args.model, None, args.scenario))
    return 0 if all(mae <= 4.0 for mae in maes) else 1


if __name__ == "__main__":
    sys.exit(main())
