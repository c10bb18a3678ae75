#!/usr/bin/env python3
"""Run the real pose model over a video and save every frame's landmarks to an .npz.

For developing measurements on cached landmarks without re-running the model:
arrays t_s (n,), found (n,) bool, xy (n, 33, 2), depth (n, 33), world (n, 33, 3),
visibility (n, 33), people (n,) int. Frames with no pose hold NaN.

usage: python tools/dump_landmarks.py VIDEO OUT.npz [--model full]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from coach.pose.estimator import PoseEstimator
from coach.pose.model_files import resolve_model
from coach.sources.video_file import VideoFileSource


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("video", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--model", default="full")
    args = parser.parse_args()
    rows: dict[str, list] = {k: [] for k in ("t_s", "found", "xy", "depth", "world", "visibility", "people")}
    with VideoFileSource(args.video) as source, PoseEstimator(resolve_model(args.model)) as estimator:
        for frame in source:
            poses = estimator.estimate(frame)
            rows["t_s"].append(frame.t_s)
            rows["people"].append(len(poses))
            rows["found"].append(bool(poses))
            if poses:
                pose = poses[0]
                rows["xy"].append(pose.xy)
                rows["depth"].append(pose.depth)
                rows["world"].append(pose.world)
                rows["visibility"].append(pose.visibility)
            else:
                rows["xy"].append(np.full((33, 2), np.nan))
                rows["depth"].append(np.full(33, np.nan))
                rows["world"].append(np.full((33, 3), np.nan))
                rows["visibility"].append(np.full(33, np.nan))
    np.savez_compressed(args.out, **{k: np.asarray(v) for k, v in rows.items()})
    print(f"{args.out}: {len(rows['t_s'])} frames, {sum(rows['found'])} with a pose")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
