#!/usr/bin/env python3
"""Write the golden reports and frame tables of the sample clips (tests/test_golden_reports.py).

usage: python -m tools.make_golden [CLIP ...]     # from the repository root; all clips: a few minutes
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from coach.app.analyze import AnalyzeRequest, analyze_video
from coach.pose.model_files import resolve_model

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_videos"
GOLDEN = REPO / "tests" / "data" / "golden"


def main(names: list[str]) -> int:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for truth in sorted(SAMPLES.glob("*.gt.json")):
        name = truth.name.removesuffix(".gt.json")
        if names and name not in names:
            continue
        exercise = json.loads(truth.read_text())["scenario"]["reps"][0]["exercise"]
        with tempfile.TemporaryDirectory() as scratch:
            report, frames = Path(scratch) / "report.json", Path(scratch) / "frames.csv"
            analyze_video(
                AnalyzeRequest(
                    video=SAMPLES / f"{name}.mp4",
                    exercise=exercise,
                    model_path=resolve_model("full"),
                    report_path=report,
                    frames_path=frames,
                )
            )
            shutil.copy(report, GOLDEN / f"{name}.{exercise}.report.json")
            shutil.copy(frames, GOLDEN / f"{name}.{exercise}.frames.csv")
        print(f"{name}.{exercise}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
