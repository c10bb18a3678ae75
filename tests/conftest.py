"""Session-scoped fixtures: the real pose model runs once per clip per test session."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from coach.estimator import PoseEstimator
from coach.models import resolve_model
from coach.video import VideoFileSource
from tests.helpers import SAMPLES, ClipLoader, ClipPoses


@cache
def _run_model(path: Path, with_mask: bool) -> ClipPoses:
    times, poses = [], []
    with (
        VideoFileSource(path) as source,
        PoseEstimator(resolve_model("full"), with_mask=with_mask) as estimator,
    ):
        for frame in source:
            times.append(frame.t_s)
            poses.append(estimator.estimate(frame))
        info = source.info
    return ClipPoses(times_s=times, poses=poses, info=info)


@pytest.fixture(scope="session", autouse=True)
def scratch_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every `coach analyze` is stored in the history: keep the tests' sessions out of the user's own."""
    path = tmp_path_factory.mktemp("history") / "history.sqlite3"
    os.environ["COACH_DB"] = str(path)
    return path


@pytest.fixture(scope="session")
def clip_poses() -> ClipLoader:
    """clip_poses(name_or_path, with_mask=False): a sample clip's poses from the real full model."""

    def load(name: str | Path, with_mask: bool = False) -> ClipPoses:
        path = Path(name)
        if not path.is_file():
            path = SAMPLES / f"{name}.mp4"
        return _run_model(path.resolve(), with_mask)

    return load


@pytest.fixture(scope="session")
def ground_truth() -> Any:
    """ground_truth(name): the clip's .gt.json from sample_videos/."""

    @cache
    def load(name: str) -> dict[str, Any]:
        return json.loads((SAMPLES / f"{name}.gt.json").read_text())

    return load
