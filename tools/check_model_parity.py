#!/usr/bin/env python3
"""Check that the bundled `.task` models give the same landmarks as MediaPipe's legacy Pose API.

The legacy API lives only in mediapipe 0.10.x, which cannot share an environment with mediapipe 1.x,
so it runs in a second virtual environment:

    python3 -m venv /tmp/legacy && /tmp/legacy/bin/pip install mediapipe==0.10.21
    # the legacy lite model is a download; copy it from the npm package instead:
    #   cp package/pose_landmark_lite.tflite \
    #      /tmp/legacy/lib/python3.11/site-packages/mediapipe/modules/pose_landmark/
    python tools/check_model_parity.py --legacy-python /tmp/legacy/bin/python IMAGE [IMAGE ...]

Prints, per image and model, the mean and largest difference of the 2D landmarks as a fraction of
the image size (the target is a mean below 0.001). Measured on tests/data/realdata/images/
tfjs_yoga_warrior.jpg: lite 0.00033 mean (0.0022 max), full 0.00011 mean (0.0010 max).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

LEGACY_SCRIPT = """
import json, sys, cv2, mediapipe as mp
out = {}
for path in sys.argv[1:]:
    rgb = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)
    for complexity, name in ((0, "lite"), (1, "full")):
        with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=complexity) as pose:
            result = pose.process(rgb)
        marks = result.pose_landmarks.landmark if result.pose_landmarks else []
        out[f"{path}|{name}"] = [[m.x, m.y] for m in marks]
print(json.dumps(out))
"""


def tasks_landmarks(image_path: str, variant: str) -> np.ndarray:
    import cv2

    from coach.pose.estimator import PoseEstimator
    from coach.pose.model_files import resolve_model
    from coach.sources.frame import Frame

    image = cv2.imread(image_path)
    with PoseEstimator(resolve_model(variant), max_people=1) as estimator:
        poses = estimator.estimate(Frame(image=image, timestamp_ms=0, index=0))
    if not poses:
        return np.empty((0, 2))
    return poses[0].xy / np.array(poses[0].image_size)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--legacy-python", required=True)
    parser.add_argument("images", nargs="+")
    args = parser.parse_args()
    legacy_run = subprocess.run(
        [args.legacy_python, "-c", LEGACY_SCRIPT, *args.images], capture_output=True, text=True, check=True
    )
    legacy = json.loads(legacy_run.stdout.strip().splitlines()[-1])
    print("| image | model | mean diff (of image size) | max diff |")
    print("|---|---|---|---|")
    for image in args.images:
        for variant in ("lite", "full"):
            old = np.array(legacy[f"{image}|{variant}"])
            new = tasks_landmarks(image, variant)
            if old.shape != new.shape or old.size == 0:
                print(f"| {Path(image).name} | {variant} | no pose in one of the two | - |")
                continue
            diff = np.abs(old - new)
            print(f"| {Path(image).name} | {variant} | {diff.mean():.5f} | {diff.max():.5f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
