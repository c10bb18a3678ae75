#!/usr/bin/env python3
"""Sway: how the counting and the holds stand up to a body that is never quite still.

The rendered clips hold perfectly still; people breathe and sway. Here the real model runs once on
each sample clip and its poses are then swayed: the upper body (head, shoulders, arms) turns in the
picture about the middle of the hips by `amplitude * sin(2 pi f t)` (f = 0.25 Hz, a slow breath), with
0.4 px of landmark jitter on top. Seen from the side that is the trunk arching and straightening a
little; seen from the front it is a sideways sway. For each amplitude it prints reps found/true, the
largest hold error against the ground truth, and faults that the truth does not have (false alarms,
e.g. a hold cut short into `short_hold`, a sway read as `side_lean`).

The arch clips run without the segmentation mask (a swayed pose has no matching mask), so the arch
analyzer reads the low back from the landmark lines alone here.

usage: python -m benchmarks.sway [--amplitudes 0 0.5 1 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from benchmarks.scoring import FAULT_NAMES
from coach.pipeline import Pipeline, recording_rules
from coach.pose.estimator import PoseEstimator
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.model_files import resolve_model
from coach.pose.types import Pose
from coach.sources.video_file import VideoFileSource

REPO = Path(__file__).resolve().parent.parent
SWAY_HZ = 0.25
JITTER_PX = 0.4
UPPER_BODY = list(range(L.LEFT_HIP))  # every landmark above the hips


def swayed(pose: Pose, t_s: float, amplitude_deg: float, rng: np.random.Generator) -> Pose:
    hips = (pose.xy[L.LEFT_HIP] + pose.xy[L.RIGHT_HIP]) / 2
    angle = np.radians(amplitude_deg * np.sin(2 * np.pi * SWAY_HZ * t_s))
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    xy = pose.xy.copy()
    xy[UPPER_BODY] = (xy[UPPER_BODY] - hips) @ turn.T + hips
    return dataclasses.replace(pose, xy=xy + rng.normal(0.0, JITTER_PX, xy.shape), mask=None)


def clip_poses(video: Path) -> list[tuple[float, tuple[Pose, ...]]]:
    with VideoFileSource(video) as source, PoseEstimator(resolve_model("full")) as model:
        return [(frame.t_s, model.estimate(frame)) for frame in source]


def score(truth: dict, exercise: str, frames: list[tuple[float, tuple[Pose, ...]]], amplitude: float) -> str:
    rng = np.random.default_rng(0)
    pipeline = Pipeline(exercise, rules=recording_rules())
    for t_s, poses in frames:
        pipeline.step([swayed(pose, t_s, amplitude, rng) for pose in poses[:1]], t_s)
    found, true_reps = pipeline.reps, truth["scenario"]["reps"]
    errors, false_alarms = [], 0
    for rep in true_reps:
        candidates = [r for r in found if exercise != "rotate" or r.side == rep["side"]]
        overlap = [max(0.0, min(r.end_s, rep["end"]) - max(r.start_s, rep["start"])) for r in candidates]
        if not overlap or max(overlap) <= 0:
            continue
        best = candidates[int(np.argmax(overlap))]
        errors.append(abs(best.hold_s - (rep["hold_end"] - rep["hold_start"])))
        wanted = FAULT_NAMES.get(rep["fault"]) if rep.get("fault") else None
        false_alarms += len(set(best.faults) - {wanted})
    worst = f"{max(errors):.2f}" if errors else "-"
    return f"| {amplitude:g} | {len(found)}/{len(true_reps)} | {worst} | {false_alarms} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--amplitudes", type=float, nargs="+", default=[0.0, 0.5, 1.0, 2.0])
    args = parser.parse_args(argv)
    for truth_path in sorted((REPO / "sample_videos").glob("*.gt.json")):
        truth = json.loads(truth_path.read_text())
        exercise = truth["scenario"]["reps"][0]["exercise"]
        frames = clip_poses(truth_path.with_name(truth_path.name.replace(".gt.json", ".mp4")))
        print(f"\n{truth['name']} ({exercise})")
        print("| sway (deg) | reps found/true | max hold err (s) | false alarms |\n|---|---|---|---|")
        for amplitude in args.amplitudes:
            print(score(truth, exercise, frames, amplitude), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
