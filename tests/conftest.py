"""Session-scoped fixtures: the real pose model runs once per clip per test session."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from coach.pose.estimator import PoseEstimator
from coach.pose.model_files import resolve_model
from coach.sources.video_file import VideoFileSource
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


# `pytest -m "not slow"` means "no pose model". Tests that replay a clip through `clip_poses` are
# slow by that fixture; any other test that builds a PoseEstimator without the mark fails and says so
# (also from inside a module- or session-scoped fixture, which set up during the test that asks first).
MODEL_FIXTURES = {"clip_poses"}
_running_slow_test = True


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_runtest_setup(item: pytest.Item) -> None:
    global _running_slow_test
    _running_slow_test = item.get_closest_marker("slow") is not None


def pytest_sessionstart(session: pytest.Session) -> None:
    build = PoseEstimator.__init__

    def guarded(self: PoseEstimator, *args: Any, **kwargs: Any) -> None:
        if not _running_slow_test:
            raise RuntimeError("this test runs the pose model: mark it @pytest.mark.slow")
        build(self, *args, **kwargs)

    PoseEstimator.__init__ = guarded  # type: ignore[method-assign]
