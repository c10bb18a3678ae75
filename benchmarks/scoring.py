"""Scores a `coach analyze` report and per-frame rows against a clip's ground truth (`.gt.json`).

Matching follows the ground-truth README: a true rep is matched to the found rep (same side for
rotate) that overlaps it most in time. Fault names map onto the report's vocabulary (pelvis ->
low_back for Sit and Rotate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Reports give times in milliseconds: a hold error of 0.3 s is 0.3 s, not 0.30000000000000004.
REPORT_RESOLUTION_S = 0.0005
FAULT_NAMES = {"pelvis": "low_back", "side_lean": "side_lean", "short_hold": "short_hold",
               "low_back": "low_back", "head_back": "head_back"}  # fmt: skip


@dataclass
class ClipScore:
    name: str
    exercise: str
    reps_found: dict[str, int]
    reps_true: dict[str, int]
    hold_errors_s: list[float] = field(default_factory=list)
    angle_mae_deg: float = math.nan
    hold_angle_mae_deg: float = math.nan
    faults_found: int = 0
    faults_true: int = 0
    false_alarms: int = 0
    missed_reps: int = 0
    good_flag_wrong: int = 0
    desk: bool = False  # measured in desk mode (head and shoulders in view)

    @property
    def max_hold_error_s(self) -> float:
        return max(self.hold_errors_s, default=math.nan)

    def meets(self, angle_mae_limit: float, hold_limit_s: float = 0.3) -> bool:
        return (
            self.reps_found == self.reps_true
            and self.missed_reps == 0
            and (not self.hold_errors_s or self.max_hold_error_s <= hold_limit_s + REPORT_RESOLUTION_S)
            and self.angle_mae_deg <= angle_mae_limit
            and self.faults_found == self.faults_true
            and self.false_alarms == 0
            and self.good_flag_wrong == 0
        )


def true_angle(frame: dict[str, Any], exercise: str) -> float:
    if exercise == "rotate":
        return float(frame["rot_thor"] + frame["rot_lumb"])
    return float(frame["ext_thor"] + frame["ext_lumb"])


def side_counts(reps: list[dict[str, Any]], exercise: str) -> dict[str, int]:
    if exercise == "rotate":
        return {side: sum(r.get("side") == side for r in reps) for side in ("left", "right")}
    return {"total": len(reps)}


# Faults desk mode does not judge (the hips and lower back are under the desk): the report says they
# are not checked, so a rep with one is scored as a rep without it. (A side lean is judged: from the
# head over the shoulders.)
UNJUDGED_AT_DESK = {"rotate": {"pelvis"}, "arch": {"low_back"}}


def score_clip(
    truth: dict[str, Any], report: dict[str, Any], angles: list[tuple[float, float | None]]
) -> ClipScore:
    """angles: (t_s, angle_deg or None) per frame, as in the per-frame CSV."""
    scenario = truth["scenario"]
    true_reps = scenario["reps"]
    exercise = true_reps[0]["exercise"]
    found = report.get("reps", [])
    score = ClipScore(
        name=truth.get("name", scenario.get("name", "?")),
        exercise=exercise,
        reps_found=side_counts(found, exercise),
        reps_true=side_counts(true_reps, exercise),
        desk=report.get("calibration", {}).get("framing") == "desk",
    )
    unjudged = UNJUDGED_AT_DESK[exercise] if score.desk else set()
    for rep in true_reps:
        candidates = [r for r in found if exercise != "rotate" or r.get("side") == rep["side"]]

        def overlap(r: dict[str, Any], rep: dict[str, Any] = rep) -> float:
            return max(0.0, min(float(r["end_s"]), rep["end"]) - max(float(r["start_s"]), rep["start"]))

        best = max(candidates, key=overlap, default=None)
        if best is None or overlap(best) <= 0:
            score.missed_reps += 1
            continue
        score.hold_errors_s.append(abs(float(best["hold_s"]) - (rep["hold_end"] - rep["hold_start"])))
        faults = set(best.get("faults", []))
        fault = rep.get("fault") if rep.get("fault") not in unjudged else None
        wanted = FAULT_NAMES.get(fault) if fault else None
        if wanted:
            score.faults_true += 1
            score.faults_found += wanted in faults
            score.false_alarms += len(faults - {wanted})
        else:
            score.false_alarms += len(faults)
        score.good_flag_wrong += bool(best.get("good")) != (fault is None)

    frames = truth["frames"]
    fps = float(truth["fps"])
    errors, hold_errors = [], []
    for t_s, angle in angles:
        if angle is None:
            continue
        index = min(max(round(t_s * fps), 0), len(frames) - 1)
        error = abs(angle - true_angle(frames[index], exercise))
        errors.append(error)
        if frames[index]["phase"] == "hold":
            hold_errors.append(error)
    score.angle_mae_deg = float(np.mean(errors)) if errors else math.inf
    score.hold_angle_mae_deg = float(np.mean(hold_errors)) if hold_errors else math.nan
    return score


def mirrored_truth(truth: dict[str, Any]) -> dict[str, Any]:
    """The ground truth of the horizontally mirrored clip: left and right swap, rotations negate.

    Mirroring the image is the same as mirroring the world: the person's left becomes their right,
    yaw and lateral lean change sign, sagittal extension stays. The camera azimuth negates.
    """
    flip = {"rot_thor", "rot_lumb", "rot_pelvis", "lean_side"}
    swap_side = {"left": "right", "right": "left"}
    scenario = dict(truth["scenario"])
    scenario["reps"] = [
        {**rep, "side": swap_side.get(rep.get("side") or "", rep.get("side"))} for rep in scenario["reps"]
    ]
    frames = [{**f, **{k: -f[k] for k in flip if k in f}} for f in truth["frames"]]
    camera = {**truth["camera"], "azimuth_deg": -truth["camera"]["azimuth_deg"]}
    return {
        **truth,
        "name": truth["name"] + "_mirrored",
        "scenario": scenario,
        "frames": frames,
        "camera": camera,
    }
