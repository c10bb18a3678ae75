#!/usr/bin/env python3
"""Timing: counts and holds when the person rests less or holds shorter than in the sample clips.

The real model runs once on each sample clip. Its poses are then cut the way another person's timing
would cut them: each rest between reps shortened to at most `rest` seconds, each hold to at most
`hold` seconds (the frames dropped are still frames, so the motion stays continuous). The ground
truth is cut the same way. For each cut it prints reps found/true and the largest hold error. Faults
are left out: a hold cut to a second is a `short_hold` the truth does not know about.

usage: python -m benchmarks.timing [--rests 0.5 0.27 0.13] [--holds 1.5 1.0 0.6]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from benchmarks.scoring import score_clip
from coach.pipeline import Pipeline, recording_rules
from coach.pose.estimator import PoseEstimator
from coach.pose.model_files import resolve_model
from coach.pose.types import Pose
from coach.sources.video_file import VideoFileSource

REPO = Path(__file__).resolve().parent.parent
Poses = list[tuple[float, tuple[Pose, ...]]]
COLUMNS = ("rests at most (s)", "holds at most (s)", "reps found/true", "max hold err (s)")


def clip_poses(video: Path, with_mask: bool) -> Poses:
    with VideoFileSource(video) as source, PoseEstimator(resolve_model("full"), with_mask=with_mask) as model:
        return [(frame.t_s, model.estimate(frame)) for frame in source]


def cut(
    truth: dict[str, Any], frames: Poses, rest_s: float | None, hold_s: float | None
) -> tuple[dict, Poses]:
    """The clip with every rest and hold shortened to at most `rest_s` / `hold_s` (None: as it is)."""
    fps = float(truth["fps"])
    limits = {"rest": rest_s, "hold": hold_s}
    keep: list[int] = []
    run, last = 0, None
    for index, frame in enumerate(truth["frames"][: len(frames)]):
        key = (frame["phase"], frame["rep"], frame["label"])
        run = run + 1 if key == last else 1
        last = key
        limit = limits.get(frame["phase"])
        if limit is None or run <= round(limit * fps):
            keep.append(index)
    kept_frames = [dict(truth["frames"][i], t=k / fps) for k, i in enumerate(keep)]
    reps = []
    for number, rep in enumerate(truth["scenario"]["reps"]):
        span = [k for k, frame in enumerate(kept_frames) if frame["rep"] == number]
        hold = [k for k in span if kept_frames[k]["phase"] == "hold"]
        reps.append({**rep, "start": span[0] / fps, "end": (span[-1] + 1) / fps,
                     "hold_start": hold[0] / fps, "hold_end": (hold[-1] + 1) / fps})  # fmt: skip
    scenario = {**truth["scenario"], "reps": reps}
    return {**truth, "frames": kept_frames, "scenario": scenario}, [
        (k / fps, frames[i][1]) for k, i in enumerate(keep)
    ]


def score(truth: dict[str, Any], frames: Poses) -> str:
    exercise = truth["scenario"]["reps"][0]["exercise"]
    pipeline = Pipeline(exercise, rules=recording_rules())
    angles = []
    for t_s, poses in frames:
        angles.append((t_s, pipeline.step(poses, t_s).analysis.angle_deg))
    found: list[dict[str, Any]] = [
        {"start_s": r.start_s, "end_s": r.end_s, "hold_s": r.hold_s, "side": r.side, "faults": []}
        for r in pipeline.reps
    ]
    result = score_clip(truth, {"reps": found}, angles)
    reps = " ".join(f"{side} {result.reps_found[side]}/{result.reps_true[side]}" for side in result.reps_true)
    return f"{reps} | {result.max_hold_error_s:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=Path, default=REPO / "sample_videos")
    parser.add_argument("--rests", type=float, nargs="+", default=[0.5, 0.27, 0.13])
    parser.add_argument("--holds", type=float, nargs="+", default=[1.5, 1.0, 0.6])
    args = parser.parse_args(argv)
    cuts = [(None, None)] + [(rest, None) for rest in args.rests] + [(None, hold) for hold in args.holds]
    for truth_path in sorted(args.clips.glob("*.gt.json")):
        truth = json.loads(truth_path.read_text())
        video = truth_path.with_name(truth_path.name.replace(".gt.json", ".mp4"))
        frames = clip_poses(video, with_mask=truth["scenario"]["reps"][0]["exercise"] == "arch")
        print(f"\n{truth['name']}\n| {' | '.join(COLUMNS)} |\n|{'---|' * len(COLUMNS)}")
        for rest_s, hold_s in cuts:
            cut_truth, cut_frames = cut(truth, frames, rest_s, hold_s)
            print(
                f"| {rest_s or 'as recorded'} | {hold_s or 'as recorded'} | {score(cut_truth, cut_frames)} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
