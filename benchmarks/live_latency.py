#!/usr/bin/env python3
"""Live session speed: frames shown per second and capture-to-display latency, full model.

A sample clip is resampled to a 30 fps "camera" (each frame twice) and played through the real live
loop (`coach.app.live.run_live`: capture thread, the real pose model, the analyzer, the overlay and the
window) in real time. Shown fps counts the frames that reached the screen; latency runs from the
moment the capture thread took a frame to the moment it was on screen: for the picture itself, and for
the analysis (skeleton, angle, cues) of a frame, the figure the target is about. With a window, the loop runs
under the current DISPLAY, or a private Xvfb when there is none; `--no-window` measures headless.

Targets (issue 6): >= 25 fps shown from a 30 fps source, and median latency <= one frame period plus
one inference (the inference time is measured in the same run). The machine may be shared: read the
ratios, not the absolute speeds.

usage: python benchmarks/live_latency.py [--seconds 20] [--clip VIDEO] [--size 1280x720] [--model full]
                                        [--no-window]
(desk: --clip sample_videos/desk_rotate.mp4, at its own 854x480 and with --size 1280x720)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from coach.app.live import LiveRequest, LiveStats, run_live
from coach.pose.model_files import resolve_model
from coach.render.video_sink import VideoSink
from coach.sound import SoundRequest
from coach.sources.video_file import VideoFileSource

REPO = Path(__file__).resolve().parent.parent
SOURCE_FPS = 30.0
TARGET_FPS = 25.0


def thirty_fps_copy(video: Path, seconds: float, out: Path, size: tuple[int, int] | None = None) -> Path:
    """The clip as a 30 fps video: frames repeated to the rate, cut to `seconds`, scaled to `size`
    (width, height) when given (a desk clip as a 1280x720 webcam sees it)."""
    with VideoFileSource(video) as source:
        repeat = max(1, round(SOURCE_FPS / source.info.fps))
        size = size or (source.info.width, source.info.height)
        with VideoSink(out, SOURCE_FPS, size) as sink:
            for frame in source:
                if frame.t_s >= seconds:
                    break
                image = cv2.resize(frame.image, size, interpolation=cv2.INTER_CUBIC)
                for _ in range(repeat):
                    sink.write(image)
    return out


def frame_size(text: str) -> tuple[int, int]:
    """'1280x720' -> (1280, 720)."""
    width, height = (int(part) for part in text.lower().split("x"))
    return width, height


@contextlib.contextmanager
def display_for_window(tmp: Path) -> Iterator[str | None]:
    """The DISPLAY to use: the current one, else a private Xvfb; None when neither exists."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    if shutil.which("Xvfb") is None:
        yield None
        return
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x720x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()
    previous = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = f":{number}"
    try:
        yield os.environ["DISPLAY"]
    finally:
        if previous is None:
            os.environ.pop("DISPLAY", None)
        server.terminate()
        server.wait(timeout=10)


def measure(video: Path, model: str, window: bool, tmp: Path, sound: SoundRequest | None = None) -> LiveStats:
    """`coach live` on the clip played as a camera (Sit and Rotate, silent unless `sound` says)."""
    request = LiveRequest(
        exercise="rotate",
        camera=str(video),
        model_path=resolve_model(model),
        log_path=tmp / "bench.log.jsonl",
        report_path=tmp / "bench.report.json",
        target_reps=10,  # the set never completes: the whole clip is played
        window=window,
        sound=sound or SoundRequest(),
    )
    return run_live(request, out=lambda line: None).stats


def table(stats: LiveStats, seconds: float, mode: str) -> str:
    period_ms = 1000.0 / SOURCE_FPS
    # The first second holds the model's warm-up; a camera session runs for minutes.
    steady_from = stats.shown_at_s[0] + 1.0
    steady = [i for i, t in enumerate(stats.shown_at_s) if t >= steady_from]
    shown = np.array(stats.shown_at_s)[steady]
    fps = (len(shown) - 1) / (shown[-1] - shown[0])
    picture_ms = 1000.0 * np.median(np.array(stats.picture_latency_s)[steady])
    analysis_ms = 1000.0 * np.array(stats.analysis_latency_s[len(stats.analysis_latency_s) // 20 :])
    inference_ms = 1000.0 * np.array(stats.inference_s[len(stats.inference_s) // 20 :])
    inference = float(np.median(inference_ms))
    bound_ms = period_ms + inference
    median_ms = float(np.median(analysis_ms))
    analysed_fps = stats.frames_analysed / seconds
    allowed_fps = min(SOURCE_FPS, 1000 / inference)  # what the model's speed lets it analyse
    rows = [
        ("frames shown per second", f"{fps:.1f}", f">= {TARGET_FPS:.0f}", fps / TARGET_FPS),
        ("shown / source frame rate", f"{fps / SOURCE_FPS:.2f}", "", None),
        ("analysis latency, median (ms)", f"{median_ms:.1f}",
         f"<= {period_ms:.1f} + {inference:.1f} = {bound_ms:.1f}", median_ms / bound_ms),
        ("analysis latency, 90th percentile (ms)", f"{np.percentile(analysis_ms, 90):.1f}", "", None),
        ("picture latency, median (ms)", f"{picture_ms:.1f}", "", None),
        ("inference, median (ms)", f"{inference:.1f}", "", None),
        ("analysis latency / inference", f"{median_ms / inference:.2f}", "", None),
        ("frames analysed per second", f"{analysed_fps:.1f}", "", None),
        ("analysed / what the model allows", f"{analysed_fps / allowed_fps:.2f}", "", None),
    ]  # fmt: skip
    lines = [
        f"live loop, {mode}, {SOURCE_FPS:.0f} fps source, {seconds:.0f} s, load average "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores",
        "| measure | value | target | ratio to target | met |",
        "|---|---|---|---|---|",
    ]
    for name, value, target, ratio in rows:
        ratio_text = "" if ratio is None else f"{ratio:.2f}"
        met = "" if ratio is None else ("yes" if (ratio >= 1.0 if ">=" in target else ratio <= 1.0) else "NO")
        lines.append(f"| {name} | {value} | {target} | {ratio_text} | {met} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clip", type=Path, default=REPO / "sample_videos" / "dev_rotate_front_good.mp4")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--model", default="full")
    parser.add_argument("--no-window", action="store_true")
    parser.add_argument("--size", type=frame_size, help="play the clip scaled to WIDTHxHEIGHT (1280x720)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        video = thirty_fps_copy(args.clip, args.seconds, tmp / "camera30.mp4", args.size)
        if args.no_window:
            print(table(measure(video, args.model, False, tmp), args.seconds, "headless"))
            return
        with display_for_window(tmp) as display:
            if display is None:
                print("no DISPLAY and no Xvfb: measuring headless")
            mode = f"window on X display {display}" if display else "headless"
            print(table(measure(video, args.model, display is not None, tmp), args.seconds, mode))


if __name__ == "__main__":
    main()
