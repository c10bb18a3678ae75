"""Helpers of the robustness tests: make videos from sample frames, run `coach` in this process."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from coach.cli.main import main
from tests.helpers import SAMPLES


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str

    def report(self, path: Path) -> dict[str, Any]:
        return json.loads(Path(path).read_text())

    def assert_one_clear_line(self, code: int | None = None) -> None:
        """Failed with exactly one line on stderr, no traceback (and `code`, when given)."""
        assert self.code != 0, self.stdout
        if code is not None:
            assert self.code == code, self.stderr
        lines = self.stderr.strip().splitlines()
        assert len(lines) == 1, self.stderr
        assert lines[0].startswith("coach: ") and "Traceback" not in self.stderr


def run_coach(*args: str | Path) -> CliResult:
    """`coach ARGS` through its real entry point, in this process (no interpreter start-up)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return CliResult(code, out.getvalue(), err.getvalue())


def read_frames(path: Path, start: int = 0, count: int | None = None) -> list[np.ndarray]:
    """Decoded BGR frames [start, start + count) of a video."""
    capture = cv2.VideoCapture(str(path))
    frames: list[np.ndarray] = []
    index = 0
    while count is None or len(frames) < count:
        ok, image = capture.read()
        if not ok:
            break
        if index >= start:
            frames.append(image)
        index += 1
    capture.release()
    return frames


def sample_frames(name: str, start: int = 0, count: int | None = None) -> list[np.ndarray]:
    return read_frames(SAMPLES / f"{name}.mp4", start, count)


def write_video(path: Path, frames: list[np.ndarray], fps: float, fourcc: str = "mp4v") -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*fourcc), fps, (width, height))
    assert writer.isOpened(), f"cannot write {path}"
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path
