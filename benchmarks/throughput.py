#!/usr/bin/env python3
"""Throughput of the bare pose model against the whole `analyze` pipeline, on the same clip, in one run.

bare model: the clip's frames, decoded beforehand into memory, through PoseEstimator.estimate only.
pipeline:   analyze_video as the CLI runs it (decoding, the model, person selection, the analyzer,
            report and per-frame CSV); "+ annotated" also draws and encodes the annotated video.
Runs alternate (bare, pipeline, bare, pipeline, ...) and the median of each is reported, so the
ratio stays meaningful on a shared, noisy machine. Target: pipeline >= 90 % of the bare model.

usage: python benchmarks/throughput.py [--clip sample_videos/dev_rotate_front_good.mp4] [--size 1280x720]
                                      [--rounds 3]
(desk: --clip sample_videos/desk_rotate.mp4, at its own 854x480 and with --size 1280x720)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2

from benchmarks.live_latency import frame_size
from coach.app.analyze import AnalyzeRequest, analyze_video
from coach.exercises import exercise_facts
from coach.pose.estimator import PoseEstimator
from coach.pose.model_files import resolve_model
from coach.render.video_sink import VideoSink
from coach.sources.frame import Frame
from coach.sources.video_file import VideoFileSource

REPO = Path(__file__).resolve().parent.parent


def bare_model_fps(frames: list[Frame], model: Path, with_mask: bool) -> float:
    with PoseEstimator(model, with_mask=with_mask) as estimator:
        start = time.perf_counter()
        for frame in frames:
            estimator.estimate(frame)
        return len(frames) / (time.perf_counter() - start)


def scaled_copy(clip: Path, size: tuple[int, int], out: Path) -> Path:
    """The clip with every frame scaled to `size` (width, height)."""
    with VideoFileSource(clip) as source, VideoSink(out, source.info.fps, size) as sink:
        for frame in source:
            sink.write(cv2.resize(frame.image, size, interpolation=cv2.INTER_CUBIC))
    return out


def pipeline_fps(request: AnalyzeRequest, frame_count: int) -> float:
    start = time.perf_counter()
    analyze_video(request)
    return frame_count / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clip", type=Path, default=REPO / "sample_videos" / "dev_rotate_front_good.mp4")
    parser.add_argument("--exercise", default="rotate", choices=["rotate", "arch"])
    parser.add_argument("--model", default="full")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", type=frame_size, help="the clip scaled to WIDTHxHEIGHT (e.g. 1280x720)")
    args = parser.parse_args(argv)
    model = resolve_model(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        if args.size is not None:
            args.clip = scaled_copy(args.clip, args.size, out / f"{args.clip.stem}_{args.size[0]}.mp4")
        with VideoFileSource(args.clip) as source:
            frames = list(source)
        base = AnalyzeRequest(args.clip, args.exercise, model, out / "r.json", frames_path=out / "f.csv")
        annotated = AnalyzeRequest(
            args.clip,
            args.exercise,
            model,
            out / "r.json",
            frames_path=out / "f.csv",
            annotated_path=out / "a.mp4",
        )
        with_mask = exercise_facts(args.exercise).wants_mask
        results: dict[str, list[float]] = {"bare model": [], "pipeline": [], "pipeline + annotated": []}
        for _ in range(args.rounds):
            results["bare model"].append(bare_model_fps(frames, model, with_mask))
            results["pipeline"].append(pipeline_fps(base, len(frames)))
            results["pipeline + annotated"].append(pipeline_fps(annotated, len(frames)))
    bare = statistics.median(results["bare model"])
    width, height = frames[0].size
    print(f"clip {args.clip.name}: {len(frames)} frames {width}x{height}, model {args.model}, "
          f"exercise {args.exercise}, median of {args.rounds} alternating rounds")  # fmt: skip
    print("| run | fps (median) | ratio to bare model |")
    print("|---|---|---|")
    for name, values in results.items():
        fps = statistics.median(values)
        print(f"| {name} | {fps:.1f} | {fps / bare:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
