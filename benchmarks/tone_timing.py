#!/usr/bin/env python3
"""The hold tones against the truth: when the live coach plays them, from where the rendered person
really began and held each hold.

Each sample clip is played as a camera through the real live loop (`coach.app.live.run_live`: capture
thread, the real pose model, the analyzer, the guide, the player on miniaudio's null device with its
audio log), headless and in real time, after a still second and a half (a person at a camera waits to
be told to go; calibration needs it). For every rep of the clip's ground truth it prints the hold-start
tone's distance from the true start of the hold, the same for the frame that called for it (when the
coach decided), and the hold-done tone's distance from the true start plus the target (summarised over
the holds that reached the target; a hold clearly shorter should get none).

Targets (issue 20): each tone within 0.3 s of the truth. The sound waits for the model's time on the
frame that calls for it, which a shared machine lengthens: the load average is printed.

usage: python -m benchmarks.tone_timing [--model full] [CLIP ...]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from coach.app.live import LiveRequest, run_live
from coach.facts import stretch
from coach.pose.model_files import resolve_model
from coach.render.video_sink import VideoSink
from coach.sound import SoundMode, SoundRequest
from coach.sound.audio_log import read_audio_log
from coach.sound.events import HOLD_DONE, HOLD_START
from coach.sources.video_file import VideoFileSource

REPO = Path(__file__).resolve().parent.parent
CLIPS = ("dev_rotate_front_good", "dev_rotate_front_faults", "dev_arch_side_good", "dev_arch_side_faults")
STILL_S = 1.6
TARGET_S = 0.3


def with_still_start(video: Path, out: Path) -> tuple[Path, float]:
    """The clip with its first frame held `STILL_S` longer; the seconds added."""
    with VideoFileSource(video) as source:
        size = (source.info.width, source.info.height)
        sink = VideoSink(out, source.info.fps, size)
        added = round(STILL_S * source.info.fps)
        with sink:
            for frame in source:
                for _ in range(1 + added if frame.index == 0 else 1):
                    sink.write(frame.image)
        return out, added / source.info.fps


def tone_errors(name: str, model: str, tmp: Path) -> list[dict[str, Any]]:
    """Per true rep: the start tone, its frame and the done tone, each minus the truth (s; None: none)."""
    truth = json.loads((REPO / "sample_videos" / f"{name}.gt.json").read_text())["scenario"]["reps"]
    exercise = truth[0]["exercise"]
    video, offset_s = with_still_start(REPO / "sample_videos" / f"{name}.mp4", tmp / f"{name}.mp4")
    audio = tmp / f"{name}.audio.jsonl"
    request = LiveRequest(
        exercise=exercise,
        camera=str(video),
        model_path=resolve_model(model),
        log_path=tmp / f"{name}.log.jsonl",
        report_path=tmp / f"{name}.report.json",
        target_reps=10,  # the set never completes: every rep of the clip is played
        window=False,
        sound=SoundRequest(SoundMode.VOICE, audio_log=audio, backend="null"),
    )
    run_live(request, out=lambda line: None)
    tones = [line for line in read_audio_log(audio) if line["kind"] == "tone"]
    target_s = stretch(exercise).hold_s
    rows = []
    for rep, following in zip(truth, [*truth[1:], None], strict=True):
        end = following["start"] if following else np.inf

        def first(tone: str, rep: dict[str, Any] = rep, end: float = end) -> dict[str, Any] | None:
            found = [x for x in tones if x["name"] == tone and rep["start"] <= x["t_s"] - offset_s < end]
            return found[0] if found else None

        start, done = first(HOLD_START), first(HOLD_DONE)
        rows.append(
            {
                "held_s": rep["hold_end"] - rep["hold_start"],
                "start": None if start is None else start["t_s"] - offset_s - rep["hold_start"],
                "decided": None if start is None else start["event_t_s"] - offset_s - rep["hold_start"],
                "done": None if done is None else done["t_s"] - offset_s - rep["hold_start"] - target_s,
                "target_s": target_s,
            }
        )
    return rows


def shown(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("clips", nargs="*", default=list(CLIPS))
    parser.add_argument("--model", default="full")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("| clip | rep | true hold (s) | start tone (s) | its frame (s) | done tone (s) |")
    print("|---|---|---|---|---|---|")
    starts: list[float] = []
    decided: list[float] = []
    dones: list[float] = []
    short: list[bool] = []  # for each hold clearly shorter than the target: whether it was "done"
    with tempfile.TemporaryDirectory() as name:
        for clip in args.clips:
            for number, row in enumerate(tone_errors(clip, args.model, Path(name)), start=1):
                print(
                    f"| {clip} | {number} | {row['held_s']:.1f} | {shown(row['start'])} | "
                    f"{shown(row['decided'])} | {shown(row['done'])} |"
                )
                starts += [abs(row["start"])] if row["start"] is not None else [np.inf]
                decided += [abs(row["decided"])] if row["decided"] is not None else [np.inf]
                if row["held_s"] >= row["target_s"] - 1e-6:
                    dones += [abs(row["done"])] if row["done"] is not None else [np.inf]
                elif row["held_s"] < row["target_s"] - TARGET_S:
                    short.append(row["done"] is not None)
    print()
    for what, values in (("start tone", starts), ("its frame", decided), ("done tone", dones)):
        within = sum(value <= TARGET_S for value in values)
        print(
            f"{what}: median {np.median(values):.2f} s, worst {max(values):.2f} s, "
            f"{within} of {len(values)} within {TARGET_S} s"
        )
    print(f"done tone for a hold clearly shorter than the target (none wanted): {sum(short)} of {len(short)}")


if __name__ == "__main__":
    main()
