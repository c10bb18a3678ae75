#!/usr/bin/env python3
"""How well the desk arch measure (`coach.measure.desk_arch`) reads a desk clip with ground truth.

Runs the real pose model over `NAME.mp4` (or reads the poses it cached earlier), takes the neutral
profile from the clip's still start (the ground truth's calibration segment, as the calibrator
would), reads every frame's arch and neck bend, and prints per rep the peak arch and neck against
the truth (`ext_thor + ext_lumb`, the angle `benchmarks/scoring.py` scores, and `neck_ext`) and the
arch's mean absolute error over all frames and over the reps' frames (start to end), raw and
smoothed the way the arch analyzer smooths its angle.

usage: python benchmarks/desk_arch_probe.py CLIP.mp4 [CLIP2.mp4 ...] [--cache DIR] [--model full]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.calibration.profile import CalibrationProfile, profile_from_poses
from coach.measure.desk_arch import build_desk_template, read_desk_arch
from coach.measure.filters import OneEuroFilter, OneEuroSettings
from coach.pose.landmarks import NUM_LANDMARKS
from coach.pose.types import Pose

# The arch analyzer's angle smoothing (`coach.exercises.arch.ANGLE_SMOOTHING`).
ANGLE_SMOOTHING = OneEuroSettings(min_cutoff_hz=1.0, beta=0.05, d_cutoff_hz=1.0)
CALIBRATION_S = 2.5


@dataclass(frozen=True)
class ClipPoses:
    times_s: np.ndarray  # (n,)
    xy: np.ndarray  # (n, 33, 2); NaN where no person was found
    depth: np.ndarray  # (n, 33)
    world: np.ndarray  # (n, 33, 3)
    image_size: tuple[int, int]


def run_model(video: Path, model: str) -> ClipPoses:
    from coach.pose.estimator import PoseEstimator
    from coach.pose.model_files import resolve_model
    from coach.sources.video_file import VideoFileSource

    times, xy, depth, world = [], [], [], []
    size = (0, 0)
    with VideoFileSource(video) as source, PoseEstimator(resolve_model(model)) as estimator:
        for frame in source:
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


def clip_poses(video: Path, model: str, cache: Path | None) -> ClipPoses:
    path = None if cache is None else cache / f"{video.stem}.{model}.npz"
    if path is not None and path.is_file():
        data = np.load(path)
        size = (int(data["image_size"][0]), int(data["image_size"][1]))
        return ClipPoses(data["times_s"], data["xy"], data["depth"], data["world"], size)
    poses = run_model(video, model)
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


def probe(video: Path, model: str, cache: Path | None) -> float:
    truth = json.loads(video.with_suffix(".gt.json").read_text())
    poses = clip_poses(video, model, cache)
    profile = neutral_profile(poses)
    template = build_desk_template(profile.neutral_xy, profile.image_size, profile.noise_px)
    smoother = OneEuroFilter(ANGLE_SMOOTHING)
    frames = truth["frames"]
    rows = []  # (t, true arch, true neck, arch, smoothed arch, neck, rep)
    for t, xy in zip(poses.times_s, poses.xy, strict=True):
        index = min(max(round(t * truth["fps"]), 0), len(frames) - 1)
        gt = frames[index]
        if not np.all(np.isfinite(xy)):
            smoother.reset()
            continue
        reading = read_desk_arch(template, xy)
        smoothed = smoother(reading.arch_deg, float(t))
        true_arch = gt["ext_thor"] + gt["ext_lumb"]
        rows.append((t, true_arch, gt["neck_ext"], reading.arch_deg, smoothed, reading.neck_deg, gt["rep"]))
    table = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    camera = truth["camera"]
    print(
        f"{video.name}: {len(rows)}/{len(frames)} frames with a person, camera {camera['distance_m']} m, "
        f"{camera['resolution'][0]}x{camera['resolution'][1]}, focal {camera['focal_px']:.0f} px "
        f"(assumed {template.focal_px:.0f})"
    )
    print("  rep  fault       true arch/neck   peak arch (smoothed)  neck at peak   rep MAE")
    for k, rep in enumerate(truth["scenario"]["reps"]):
        mine = table[table[:, 6] == k]
        peak = int(np.argmax(mine[:, 4]))
        target = rep["target"]
        true_arch = target.get("ext_thor", 0) + target.get("ext_lumb", 0)
        print(
            f"  {k:3d}  {rep['fault'] or 'good':10s}  {true_arch:5.1f} / {target.get('neck_ext', 0):4.1f}"
            f"     {np.max(mine[:, 3]):5.1f} ({mine[peak, 4]:5.1f})       {mine[peak, 5]:5.1f}"
            f"        {np.mean(np.abs(mine[:, 4] - mine[:, 1])):4.1f}"
        )
    in_reps = np.isfinite(table[:, 6])
    raw_mae = float(np.mean(np.abs(table[:, 3] - table[:, 1])))
    mae = float(np.mean(np.abs(table[:, 4] - table[:, 1])))
    rep_mae = float(np.mean(np.abs(table[in_reps, 4] - table[in_reps, 1])))
    print(f"  arch MAE: all frames {mae:.2f} (raw {raw_mae:.2f}), rep frames {rep_mae:.2f} degrees")
    return mae


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("clips", nargs="+", type=Path)
    parser.add_argument("--cache", type=Path, help="keep the model's poses here and reuse them")
    parser.add_argument("--model", default="full")
    args = parser.parse_args(argv)
    maes = [probe(clip, args.model, args.cache) for clip in args.clips]
    return 0 if all(mae <= 4.0 for mae in maes) else 1


if __name__ == "__main__":
    sys.exit(main())
