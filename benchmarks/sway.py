#!/usr/bin/env python3
"""Sway: how the counting, the holds and the faults stand up to a body that is never quite still.

The rendered clips hold perfectly still; people breathe, sway and nod. Here the real model runs once on
each sample clip (the rotate clips seen from the front and at 45 degrees, the arch clips from the
side) and its poses are then moved at a slow breath's pace (f = 0.25 Hz), with 0.4 px of landmark
jitter on top:

- sway: the upper body (head, shoulders, arms) turns in the picture about the middle of the hips by
  `amplitude * sin(2 pi f t)`. Seen from the front that is a sideways sway; seen from the side, the
  trunk arching and straightening a little. Seen 45 degrees off the side it is a rock about the line
  of sight, half in the person's side plane and half a side lean: every line in the picture turns
  alike, where a rock in the side plane alone would turn the face (pointing forward, foreshortened)
  twice as far as the trunk.
- breath: the upper body rises and falls in the picture by as much as the chest lifting
  `amplitude` degrees moves the shoulders (the trunk's length times the angle).
- nod: the face (nose, eyes, mouth) dips and rises in the picture as a head pitching `amplitude`
  degrees about the ears moves it (seen from the front or the side alike).

For each clip and movement it prints reps found/true, the largest hold error against the ground truth,
the angle's mean absolute error, faults found/true and faults the truth does not have (false alarms,
e.g. a hold cut short into `short_hold`, a sway read as `side_lean`), and whether the clip meets every
accuracy target (`benchmarks.accuracy`'s). The last line says whether issue 18's target is met: with a
2-degree sway, a 1-degree breath and a 5-degree nod, every clip has its reps exactly, every hold within
0.3 s, no false fault, and meets every other target it meets sitting still here (but the arch's angle:
from the side a sway is the trunk leaning back and forth, a real change of the angle). At the end a
table gives each clip's worst hold error under each movement, with what else went wrong.

The arch clips run with the segmentation mask, as `coach analyze` does: the part of the mask above
the hips moves with the upper body (turned about the middle of the hips for a sway, lifted for a
breath; a nod leaves it).

usage: python -m benchmarks.sway [--amplitudes 0 0.5 1 2] [--clips NAME ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from benchmarks.accuracy import target_mae
from benchmarks.scoring import REPORT_RESOLUTION_S, ClipScore, score_clip
from coach.exercises import exercise_facts
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
FACE = [L.NOSE, L.LEFT_EYE_INNER, L.LEFT_EYE, L.LEFT_EYE_OUTER, L.RIGHT_EYE_INNER, L.RIGHT_EYE,
        L.RIGHT_EYE_OUTER, L.MOUTH_LEFT, L.MOUTH_RIGHT]  # fmt: skip
# The movements and the amplitude each is judged at (degrees).
TARGET_AMPLITUDE_DEG = {"sway": 2.0, "breath": 1.0, "nod": 5.0}
HOLD_LIMIT_S = 0.3


def moved(pose: Pose, t_s: float, kind: str, amplitude_deg: float, rng: np.random.Generator) -> Pose:
    """The pose with the `kind` of movement at `t_s`, plus landmark jitter; its mask moves alike."""
    xy = pose.xy.copy()
    hips = (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    shoulders = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    wave = float(np.sin(2 * np.pi * SWAY_HZ * t_s))
    upper_body = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])  # the upper body's move, as a 2x3 affine
    if kind == "sway":
        upper_body = cv2.getRotationMatrix2D((float(hips[0]), float(hips[1])), -amplitude_deg * wave, 1.0)
    elif kind == "breath":
        upper_body[1, 2] = -float(np.linalg.norm(shoulders - hips)) * np.radians(amplitude_deg) * wave
    elif kind == "nod":
        ears = (xy[L.LEFT_EAR] + xy[L.RIGHT_EAR]) / 2
        xy[FACE, 1] += float(np.linalg.norm(xy[L.NOSE] - ears)) * np.sin(np.radians(amplitude_deg * wave))
    else:
        raise ValueError(f"unknown movement {kind!r}")
    xy[UPPER_BODY] = xy[UPPER_BODY] @ upper_body[:, :2].T + upper_body[:, 2]
    mask = None if pose.mask is None else moved_mask(pose.mask, upper_body, float(hips[1]))
    return dataclasses.replace(pose, xy=xy + rng.normal(0.0, JITTER_PX, xy.shape), mask=mask)


def moved_mask(mask: np.ndarray, upper_body: np.ndarray, hips_y: float) -> np.ndarray:
    """The mask with its part above the hips moved by the upper body's affine (the rest stays)."""
    height, width = mask.shape
    warped = cv2.warpAffine(mask, upper_body, (width, height), flags=cv2.INTER_LINEAR)
    out = mask.copy()
    top = max(0, min(height, round(hips_y)))
    out[:top] = warped[:top]
    return out


def clip_poses(video: Path, with_mask: bool) -> list[tuple[float, tuple[Pose, ...]]]:
    with VideoFileSource(video) as source, PoseEstimator(resolve_model("full"), with_mask=with_mask) as model:
        return [(frame.t_s, model.estimate(frame)) for frame in source]


def score(
    truth: dict[str, Any], frames: list[tuple[float, tuple[Pose, ...]]], kind: str, amplitude: float
) -> ClipScore:
    rng = np.random.default_rng(0)
    exercise = truth["scenario"]["reps"][0]["exercise"]
    pipeline = Pipeline(exercise, rules=recording_rules(), measure_from_start=True)  # as `analyze`
    angles: dict[float, float | None] = {}
    for t_s, poses in frames:
        step = pipeline.step([moved(pose, t_s, kind, amplitude, rng) for pose in poses[:1]], t_s)
        angles[t_s] = step.analysis.angle_deg
        angles.update((earlier.t_s, earlier.angle_deg) for earlier in step.earlier)
    report = {"reps": [rep.to_dict() for rep in pipeline.reps], "calibration": pipeline.calibration_summary()}
    return score_clip(truth, report, list(angles.items()))


def targets(clip: ClipScore) -> dict[str, bool]:
    """Each of the issue's targets: met or not."""
    return {
        "reps": clip.reps_found == clip.reps_true and clip.missed_reps == 0,
        "holds": not clip.hold_errors_s or clip.max_hold_error_s <= HOLD_LIMIT_S + REPORT_RESOLUTION_S,
        "angle": clip.angle_mae_deg <= target_mae(clip),
        "faults": clip.faults_found == clip.faults_true and clip.good_flag_wrong == 0,
        "no false fault": clip.false_alarms == 0,
    }


def holds_up(moving: ClipScore, still: ClipScore) -> bool:
    """Issue 18: reps, holds and no false fault always; the faults as well as still, and the turn's
    angle too. (An arch seen from the side rocks with the sway: the trunk really leans back and forth
    by its amplitude, which the still clip's truth does not have, so the arch's angle is not judged.)"""
    met, met_still = targets(moving), targets(still)
    judged = [name for name in met if not (name == "angle" and moving.exercise == "arch")]
    return all(met[name] or (name in ("angle", "faults") and not met_still[name]) for name in judged)


def row(kind: str, amplitude: float, clip: ClipScore) -> str:
    found, true = sum(clip.reps_found.values()), sum(clip.reps_true.values())
    verdict = "OK" if all(targets(clip).values()) else "SHORT"
    return (
        f"| {kind} | {amplitude:g} | {found}/{true} | {clip.max_hold_error_s:.2f} | {clip.angle_mae_deg:.1f} "
        f"| {clip.faults_found}/{clip.faults_true} | {clip.false_alarms} | {verdict} |"
    )


def cell(moving: ClipScore, still: ClipScore, judged: bool) -> str:
    """One clip under one movement in the summary: the worst hold error, what else went wrong, in bold
    when the movement is judged at this amplitude and the clip misses issue 18's target."""
    found, true = sum(moving.reps_found.values()), sum(moving.reps_true.values())
    notes = [f"{moving.max_hold_error_s:.2f}"]
    if found != true or moving.missed_reps:
        notes.append(f"{found} of {true} reps")
    if moving.faults_found < moving.faults_true:
        notes.append(f"faults {moving.faults_found} of {moving.faults_true}")
    if moving.false_alarms:
        notes.append(f"{moving.false_alarms} false")
    text = ", ".join(notes)
    return f"**{text}**" if judged and not holds_up(moving, still) else text


def summary(scores: dict[str, dict[tuple[str, float], ClipScore]]) -> str:
    """A table of every clip: sitting still and each movement at its judged amplitude."""
    columns = [("sway", 0.0), *TARGET_AMPLITUDE_DEG.items()]
    moving = " | ".join(f"{kind} {amplitude:g}" for kind, amplitude in columns[1:])
    lines = [f"| clip | still | {moving} |", "|---" * (len(columns) + 1) + "|"]
    for name, runs in scores.items():
        still = runs[("sway", 0.0)]
        cells = [cell(runs[column], still, judged=column[1] > 0) for column in columns if column in runs]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--amplitudes", type=float, nargs="+", default=[0.0, 0.5, 1.0, 2.0])
    parser.add_argument("--clips", nargs="+", metavar="NAME", help="only these sample clips (default: all)")
    args = parser.parse_args(argv)
    sways = sorted({*args.amplitudes, TARGET_AMPLITUDE_DEG["sway"]})
    runs = [("sway", amplitude) for amplitude in sways]
    runs += [(kind, amplitude) for kind, amplitude in TARGET_AMPLITUDE_DEG.items() if kind != "sway"]
    short = []
    scores: dict[str, dict[tuple[str, float], ClipScore]] = {}
    truths = sorted((REPO / "sample_videos").glob("*.gt.json"))
    if args.clips:
        truths = [path for path in truths if path.name.removesuffix(".gt.json") in args.clips]
    if not truths:
        short.append("no sample clips found")
    for truth_path in truths:
        truth = json.loads(truth_path.read_text())
        exercise = truth["scenario"]["reps"][0]["exercise"]
        video = truth_path.with_name(truth_path.name.replace(".gt.json", ".mp4"))
        frames = clip_poses(video, with_mask=exercise_facts(exercise).wants_mask)
        print(f"\n{truth['name']} ({truth['scenario']['reps'][0]['exercise']})")
        print(
            "| movement | amplitude (deg) | reps found/true | max hold err (s) | angle MAE (deg) "
            "| faults found/true | false alarms | targets |\n|---|---|---|---|---|---|---|---|"
        )
        still = score(truth, frames, "sway", 0.0)
        scores[truth["name"]] = {}
        for kind, amplitude in runs:
            clip = still if amplitude == 0 else score(truth, frames, kind, amplitude)
            scores[truth["name"]][(kind, amplitude)] = clip
            print(row(kind, amplitude, clip), flush=True)
            if TARGET_AMPLITUDE_DEG[kind] == amplitude and not holds_up(clip, still):
                short.append(f"{truth['name']} ({kind} {amplitude:g})")
    print("\nWorst hold error (s) per movement; bold: the clip misses the target under it\n")
    print(summary(scores))
    verdict = "MET" if not short else "NOT MET: " + ", ".join(short)
    amplitudes = ", ".join(f"{kind} {amplitude:g} deg" for kind, amplitude in TARGET_AMPLITUDE_DEG.items())
    print(
        f"\nIssue 18 target (with {amplitudes}: every clip's reps exact, every hold within "
        f"{HOLD_LIMIT_S:g} s, no false fault, faults and the turn's angle as good as sitting still): "
        f"{verdict}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
