#!/usr/bin/env python3
"""Accuracy of the real pipeline on every clip with ground truth.

Runs `coach analyze` (the library call behind it: real video decoding, the real pose model, the
analyzers) over each `NAME.mp4` that has a `NAME.gt.json`, and prints per clip: reps per side
(found/true), the largest hold error, the angle mean absolute error (all frames and holds), faults
found/true and false alarms, and whether the issue's targets are met.

Augmentations check that nothing is fitted to the dev clips' camera placement:
  mirror  the image flipped left-right (the camera on the person's other side; left/right swap)
  far     the image shrunk to 60 % and padded (the person farther from the camera)

usage: python benchmarks/accuracy.py [--clips DIR] [--augment mirror far] [--model full]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from benchmarks.scoring import ClipScore, mirrored_truth, score_clip
from coach.analyze import AnalyzeRequest, analyze_video
from coach.models import resolve_model
from coach.video import VideoFileSource, VideoSink

REPO = Path(__file__).resolve().parent.parent
COLUMNS = ("clip", "exercise", "reps found/true", "max hold err (s)", "angle MAE (deg)", "hold MAE (deg)",
           "faults", "false alarms", "targets")  # fmt: skip
TARGET_MAE = {"rotate": 5.0, "arch": 3.0}
Transform = Callable[[np.ndarray], np.ndarray]


def shrink(image: np.ndarray, factor: float = 0.6) -> np.ndarray:
    height, width = image.shape[:2]
    small = cv2.resize(image, (round(width * factor), round(height * factor)), interpolation=cv2.INTER_AREA)
    canvas = np.full_like(image, int(np.median(image)))
    top, left = (height - small.shape[0]) // 2, (width - small.shape[1]) // 2
    canvas[top : top + small.shape[0], left : left + small.shape[1]] = small
    return canvas


AUGMENTATIONS: dict[str, tuple[Transform, bool]] = {
    # name: (image transform, whether it mirrors the ground truth)
    "mirror": (lambda image: cv2.flip(image, 1), True),
    "far": (shrink, False),
}


def transformed_copy(video: Path, transform: Transform, out: Path) -> Path:
    with (
        VideoFileSource(video) as source,
        VideoSink(out, source.info.fps, (source.info.width, source.info.height)) as sink,
    ):
        for frame in source:
            sink.write(transform(frame.image))
    return out


def run_clip(video: Path, truth: dict, model: Path, workdir: Path) -> ClipScore:
    exercise = truth["scenario"]["reps"][0]["exercise"]
    report_path, frames_path = workdir / f"{video.stem}.json", workdir / f"{video.stem}.csv"
    analyze_video(AnalyzeRequest(video, exercise, model, report_path, frames_path))
    report = json.loads(report_path.read_text())
    with frames_path.open() as handle:
        angles = [
            (float(row["t_s"]), float(row["angle_deg"]) if row["angle_deg"] else None)
            for row in csv.DictReader(handle)
        ]
    return score_clip(truth, report, angles)


def format_row(score: ClipScore) -> str:
    reps = " ".join(f"{k} {score.reps_found[k]}/{score.reps_true[k]}" for k in score.reps_true)
    verdict = "OK" if score.meets(TARGET_MAE[score.exercise]) else "SHORT"
    cells = (
        score.name, score.exercise, reps, f"{score.max_hold_error_s:.2f}", f"{score.angle_mae_deg:.1f}",
        f"{score.hold_angle_mae_deg:.1f}", f"{score.faults_found}/{score.faults_true}",
        str(score.false_alarms), verdict,
    )  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=Path, default=REPO / "sample_videos")
    parser.add_argument("--augment", nargs="*", default=[], choices=sorted(AUGMENTATIONS))
    parser.add_argument("--model", default="full")
    args = parser.parse_args(argv)
    model = resolve_model(args.model)
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    all_met = True
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for truth_path in sorted(args.clips.glob("*.gt.json")):
            video = truth_path.with_name(truth_path.name.replace(".gt.json", ".mp4"))
            truth = json.loads(truth_path.read_text())
            variants: list[tuple[Path, dict]] = [(video, truth)]
            for name in args.augment:
                transform, mirrors = AUGMENTATIONS[name]
                copy = transformed_copy(video, transform, workdir / f"{video.stem}_{name}.mp4")
                variant_truth = (
                    mirrored_truth(truth) if mirrors else {**truth, "name": f"{truth['name']}_{name}"}
                )
                variants.append((copy, variant_truth))
            for clip, clip_truth in variants:
                score = run_clip(clip, clip_truth, model, workdir)
                all_met &= score.meets(TARGET_MAE[score.exercise])
                print(format_row(score), flush=True)
    print(f"\nall targets met: {all_met}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
