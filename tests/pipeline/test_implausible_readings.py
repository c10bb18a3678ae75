"""Impossible readings are not measurements: a reading past what a spine can do is never counted or
stored, and once such readings last the pipeline calibrates again (keeping the reps it counted)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from coach.calibration.calibrator import build_profile
from coach.calibration.profile import CalibrationProfile
from coach.errors import ProfileError
from coach.facts import stretch
from coach.pipeline import Pipeline, recording_rules
from coach.pipeline.core import HANDS_DOWN_CUE_AFTER_S, RECALIBRATE_AFTER_IMPLAUSIBLE_S
from coach.pose.types import Pose
from coach.reps.analysis import Cue, FrameAnalysis, Phase, Rep, Severity
from coach.storage.profile_store import load_profile, save_profile
from tests.helpers import ClipLoader, calibrated_profile
from tests.measure.test_posture import with_wrists_at
from tests.seated import body_points_m, seated_pose

FPS = 15.0
LIMIT = stretch("rotate").max_plausible_deg


class ScriptedAnalyzer:
    """Reads each frame as the angle its script says; counts a rep whenever a frame it measured was
    past 20 degrees (so a test sees exactly which frames reached it)."""

    exercise = "rotate"
    signal_names = ("pelvis_deg", "lean_deg")
    wants_mask = False

    def __init__(self, profile: CalibrationProfile, angles: dict[float, float]) -> None:
        self._profile, self.angles, self.measured, self._reps = profile, angles, [], []
        self.cues: dict[float, Cue] = {}  # a cue of its own on these frames, measured or not

    def reading(self, pose: Pose) -> float | None:
        return self.angles[self._now]

    def wrong_way_deg(self, pose: Pose) -> float | None:
        return None

    def at(self, t_s: float) -> None:
        self._now = t_s

    def update(self, pose: Pose | None, t_s: float) -> FrameAnalysis:
        if pose is None:
            return FrameAnalysis(t_s=t_s, phase=Phase.NO_POSE, cue=self.cues.get(t_s))
        angle = self.angles[t_s]
        self.measured.append(angle)
        if abs(angle) > 20:
            self._reps.append(Rep("left", t_s, t_s, t_s, t_s, peak_angle_deg=angle))
        return FrameAnalysis(t_s=t_s, phase=Phase.NEUTRAL, angle_deg=angle, cue=self.cues.get(t_s))

    def unread(self, t_s: float) -> FrameAnalysis:
        return self.update(None, t_s)

    def reset(self) -> None: ...

    @property
    def reps(self) -> list[Rep]:
        return list(self._reps)

    @property
    def profile(self) -> CalibrationProfile:
        return self._profile

    def calibration_summary(self) -> dict[str, Any]:
        return {"source": "profile", "calibrated": True}


def run(
    angles: list[float], pose: Pose | None = None, cues: dict[int, Cue] | None = None
) -> tuple[Pipeline, ScriptedAnalyzer, list[FrameAnalysis]]:
    pipeline = Pipeline("rotate", calibrated_profile(), rules=recording_rules())
    times = [i / FPS for i in range(len(angles))]
    analyzer = ScriptedAnalyzer(calibrated_profile(), dict(zip(times, angles, strict=True)))
    analyzer.cues = {times[frame]: cue for frame, cue in (cues or {}).items()}
    pipeline.analyzer = analyzer  # type: ignore[assignment]
    analyses = []
    for t_s in times:
        analyzer.at(t_s)
        analyses.append(pipeline.step([pose or seated_pose(0)], t_s).analysis)
    return pipeline, analyzer, analyses


def test_a_reading_past_a_spine_s_range_is_not_measured_or_counted() -> None:
    pipeline, analyzer, analyses = run([0.0] * 5 + [LIMIT + 30.0] * 5 + [0.0] * 5)
    assert max(abs(angle) for angle in analyzer.measured) == 0.0  # the analyzer never saw them
    assert pipeline.reps == [] and pipeline.unreliable_frames == 5
    cues = [a.cue for a in analyses if a.cue is not None]
    assert len(cues) == 1 and cues[0].code == "unreliable" and "past what a spine can do" in cues[0].message
    assert pipeline.analyzer is analyzer  # a third of a second of it: a jolt, not a wrong neutral


def test_readings_within_the_range_are_measured() -> None:
    pipeline, analyzer, _ = run([0.0, 30.0, LIMIT - 1.0, 0.0])
    assert analyzer.measured == [0.0, 30.0, LIMIT - 1.0, 0.0]
    assert len(pipeline.reps) == 2 and pipeline.unreliable_frames == 0


def test_the_hands_cue_falling_due_with_another_cue_is_said_on_the_next_frame() -> None:
    # A real side bend with one arm down read past a spine's range just as the hands cue fell due: the
    # frame carried the "unreliable" cue, and the hands cue was taken as said and never heard.
    due = round(HANDS_DOWN_CUE_AFTER_S * FPS)
    hands_on_knees = seated_pose(0, body=with_wrists_at(body_points_m(), 0.05, 0.4))
    _, _, analyses = run([0.0] * due + [LIMIT + 30.0] * 5, pose=hands_on_knees)
    cues = [(round(a.t_s * FPS), a.cue.code) for a in analyses if a.cue is not None]
    assert cues == [(due, "unreliable"), (due + 1, "hands")]


def test_an_analyzer_s_cue_on_the_frame_a_reading_turns_impossible_is_said_and_so_is_the_warning() -> None:
    # The analyzer's cue (a fault it saw as the turn went on) used to be overwritten by the warning.
    lean = Cue("side_lean", "Keep your shoulders level", Severity.FAULT)
    _, _, analyses = run([0.0] * 3 + [LIMIT + 30.0] * 3, cues={3: lean})
    cues = [(round(a.t_s * FPS), a.cue.code) for a in analyses if a.cue is not None]
    assert cues == [(3, "side_lean"), (4, "unreliable")]


def test_lasting_impossible_readings_make_the_pipeline_calibrate_again_keeping_its_reps() -> None:
    frames_past = round((RECALIBRATE_AFTER_IMPLAUSIBLE_S + 0.5) * FPS)
    pipeline, _, _ = run([0.0, 30.0, 0.0] + [-(LIMIT + 20.0)] * frames_past)
    assert pipeline.recalibrations == 1 and not pipeline.calibrated
    assert len(pipeline.reps) == 1  # the rep counted before is kept
    assert pipeline.calibrator.rules.rest_seconds is not None  # mid-set: a rest will do for the neutral


def test_a_profile_made_while_turned_is_refused_on_load(clip_poses: ClipLoader, tmp_path: Path) -> None:
    # Real frames: the first held turn of the front clip (left 40 degrees), saved as a profile.
    clip = clip_poses("dev_rotate_front_good")
    held = [(t, poses[0]) for t, poses in zip(clip.times_s, clip.poses, strict=True) if 4.6 <= t <= 6.3]
    turned, _ = build_profile([pose for _, pose in held], [t for t, _ in held])
    save_profile(turned, tmp_path / "turned.json")
    with pytest.raises(ProfileError, match="not made in the starting position"):
        load_profile(tmp_path / "turned.json")
    neutral = [(t, poses[0]) for t, poses in zip(clip.times_s, clip.poses, strict=True) if t <= 2.0]
    good, _ = build_profile([pose for _, pose in neutral], [t for t, _ in neutral])
    save_profile(dataclasses.replace(good, name="good"), tmp_path / "good.json")
    assert load_profile(tmp_path / "good.json").frames == good.frames
