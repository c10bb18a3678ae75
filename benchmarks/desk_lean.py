#!/usr/bin/env python3
"""The side lean at the desk, hold by hold: what desk mode reads and what it flags.

Runs `coach analyze` (the real pose model and analyzer) over desk clips with ground truth and prints,
for each true rep, the lean the person truly held, the median of the analyzer's lean reading over the
true hold (the per-frame table's `lean_deg`: the tilt of the line from the shoulders' middle up to the
ears beyond what the turn gives it through the lens, less the lean the person rests with) and whether
the report flags `side_lean` on that rep. The fault's line is `SIDE_LEAN_DEG`. The last lines count
the leans flagged and the good turns flagged (false alarms).

usage: python -m benchmarks.desk_lean [CLIP.mp4 ...]      # default: the desk clips in sample_videos/
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from coach.app.analyze import AnalyzeRequest, analyze_video
from coach.exercises.rotate import SIDE_LEAN_DEG
from coach.pose.model_files import resolve_model

REPO = Path(__file__).resolve().parent.parent
DESK_CLIPS = ("desk_lean_far", "desk_rotate")


def lean_by_rep(video: Path, out: Path) -> list[dict[str, Any]]:
    """Per true rep: side, true lean, median lean reading over the true hold, flagged or not."""
    truth = json.loads(video.with_suffix(".gt.json").read_text())
    report_path, frames_path = out / f"{video.stem}.json", out / f"{video.stem}.csv"
    analyze_video(
        AnalyzeRequest(
            video=video,
            exercise="rotate",
            model_path=resolve_model("full"),
            report_path=report_path,
            frames_path=frames_path,
        )
    )
    report = json.loads(report_path.read_text())
    rows = [row for row in csv.DictReader(frames_path.open()) if row["lean_deg"]]
    frames, fps = truth["frames"], float(truth["fps"])
    results = []
    for rep in truth["scenario"]["reps"]:
        held = [
            float(row["lean_deg"])
            for row in rows
            if rep["hold_start"] <= float(row["t_s"]) <= rep["hold_end"]
        ]
        middle = frames[min(round((rep["hold_start"] + rep["hold_end"]) / 2 * fps), len(frames) - 1)]
        found = [
            r
            for r in report["reps"]
            if r["side"] == rep["side"]
            and float(r["start_s"]) < rep["end"]
            and float(r["end_s"]) > rep["start"]
        ]
        results.append(
            {
                "side": rep["side"],
                "true_lean": float(middle["lean_side"]),
                "reading": float(np.median(held)) if held else float("nan"),
                "flagged": any("side_lean" in r["faults"] for r in found),
                "lean_rep": rep["fault"] == "side_lean",
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("clips", nargs="*", type=Path)
    args = parser.parse_args()
    clips = args.clips or [REPO / "sample_videos" / f"{name}.mp4" for name in DESK_CLIPS]
    print(f"side lean at the desk; the fault's line is {SIDE_LEAN_DEG:g} degrees")
    print("| clip | rep | side | true lean (deg) | reading over the hold (deg) | flagged |")
    print("|---|---|---|---|---|---|")
    caught, leans, false_alarms, good = 0, 0, 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for video in clips:
            for number, rep in enumerate(lean_by_rep(video, Path(tmp)), start=1):
                print(
                    f"| {video.stem} | {number} | {rep['side']} | {rep['true_lean']:+.1f} | "
                    f"{rep['reading']:+.1f} | {'yes' if rep['flagged'] else 'no'} |"
                )
                if rep["lean_rep"]:
                    leans += 1
                    caught += rep["flagged"]
                else:
                    good += 1
                    false_alarms += rep["flagged"]
    print()
    print(f"leans flagged: {caught} of {leans}")
    print(f"good turns flagged (false alarms): {false_alarms} of {good}")


if __name__ == "__main__":
    main()
