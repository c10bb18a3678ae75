#!/usr/bin/env python3
"""Cut a rendered clip so that it starts later (mid-stretch), with its ground truth shifted to match.

The reps that started before the cut are left out of the ground truth: the coach never saw them
begin. Needs ffmpeg (the clip is re-encoded like the renderer's: H.264, yuv420p, CRF 18).

usage: python tools/cut_clip.py sample_videos/dev_rotate_front_good 4.5 sample_videos/midturn_rotate_front
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clip", type=Path, help="the clip's path without .mp4 / .gt.json")
    parser.add_argument("start_s", type=float, help="cut everything before this time")
    parser.add_argument("out", type=Path, help="the new clip's path without extension")
    args = parser.parse_args()
    truth = json.loads(args.clip.with_suffix(".gt.json").read_text())
    first = round(args.start_s * truth["fps"])
    start_s = first / truth["fps"]
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(args.clip.with_suffix(".mp4")),
         "-vf", f"select=gte(n\\,{first}),setpts=PTS-STARTPTS", "-c:v", "libx264", "-pix_fmt", "yuv420p",
         "-crf", "18", "-an", str(args.out.with_suffix(".mp4"))],
        check=True,
    )  # fmt: skip

    def shifted(times: dict) -> dict:
        keys = ("start", "hold_start", "hold_end", "end")
        return {**times, **{key: round(times[key] - start_s, 4) for key in keys}}

    scenario = truth["scenario"]
    frames = [
        {**f, "frame": f["frame"] - first, "t": round(f["t"] - start_s, 4)} for f in truth["frames"][first:]
    ]
    cut = {
        **truth,
        "name": args.out.name,
        "scenario": {
            **scenario,
            "name": args.out.name,
            "description": f"{scenario['description']} (cut to start at {start_s:g} s, mid-stretch)",
            "reps": [shifted(rep) for rep in scenario["reps"] if rep["start"] >= start_s],
        },
        "n_frames": len(frames),
        "duration_s": round(len(frames) / truth["fps"], 4),
        "frames": frames,
    }
    args.out.with_suffix(".gt.json").write_text(json.dumps(cut))
    print(f"{args.out}: {len(frames)} frames, {len(cut['scenario']['reps'])} reps")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
