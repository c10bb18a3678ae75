"""Sit and Arch: the backward arch per frame, reps with their holds, and where the bend comes from.

Per frame: the lines of `coach.measure.arch` against the calibrated neutral give the thoracic, lumbar and
neck extension; the arch (thoracic + lumbar) is smoothed by a One Euro filter and drives the shared
rep state machine (`coach.reps.tracker.RepTracker`, unsigned: only backwards counts); a hold also needs the
head to stay put over the shoulders. While the arch is held the analyzer collects evidence for the
faults (the low back doing most of the bend, the head thrown back) and raises each one's cue the
moment it has lasted long enough; the finished rep carries the faults it collected, and `short_hold`
when its hold was shorter than the target (1 s by default: "a second or two").

The arch is read in the person's side plane, so the camera must see them from the side (up to about
45 degrees off it). From the front the analyzer says so (an INFO cue and the calibration summary) and
measures nothing; it keeps trying to calibrate, so turning the camera (or the chair) fixes it. A
profile recorded from such a view is set aside the same way.

At the desk (a profile whose framing is `Framing.DESK`: a laptop webcam in front sees the head,
shoulders and elbows) the arch and the head's own bend are read from the front instead
(`coach.measure.desk_arch`): the elbows' fall and the head's pitch. The low back is not seen there, so
`low_back` is not judged, and the report says so (`not_checked`).
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coach.calibration.profile import CalibrationProfile
from coach.facts import ARCH, stretch
from coach.measure.arch import (
    CHORD_PER_UPPER_BACK_ARCH,
    ArchLines,
    ArchReading,
    SideView,
    arch_lines,
    chord_per_arch_of,
    face_per_ear_line_of,
    read_arch,
    side_view,
)
from coach.measure.desk_arch import (
    DeskNeutral,
    desk_neutral,
    head_per_arch_of,
    nose_per_arch_of,
    read_desk_arch,
    split_desk_cues,
)
from coach.measure.filters import OneEuroFilter, OneEuroSettings
from coach.measure.view import estimate_view_of, verdict
from coach.pose.framing import Framing
from coach.pose.types import Pose
from coach.reps.analysis import Cue, FrameAnalysis, Phase, Rep, Severity
from coach.reps.fault_evidence import FaultEvidence
from coach.reps.hold_dating import moving_points
from coach.reps.tracker import RepRules, RepTracker, RepWindow, TrackerUpdate, calibration_rest

EXERCISE = ARCH
CUES = {
    "low_back": Cue(
        "low_back",
        "Let the movement come from your upper back; keep your low back against the chair",
        Severity.FAULT,
    ),
    "head_back": Cue("head_back", "Keep your head with your hands, don't throw it back", Severity.FAULT),
    "short_hold": Cue("short_hold", "Hold the arch for a second or two", Severity.FAULT),
}
# The article: "hold the end position for a second or two". A hold this long makes a good rep; the
# overlay's timer runs to the longer figure.
DEFAULT_HOLD_S = stretch(EXERCISE).counted_hold_s  # the shortest hold of a good rep
DISPLAY_HOLD_S = stretch(EXERCISE).hold_s  # the hold asked for, shown on the hold ring
# Rep thresholds are lower than the shared defaults: a head-led arch may bring only ~10 degrees of
# trunk extension and must still count (so that its fault is reported); the smoothed arch rests
# within about a degree of zero. A hold is the arch within a band of its peak while it moves slower
# than `hold_speed_dps`: the rendered holds are frozen, yet the read-out wanders by up to ~2 degrees
# (the far hip's landmark jumps) and its speed estimate by ~1.5 deg/s, while a cosine ramp in or out
# of a 10-25 degree arch passes 4 deg/s within 0.05-0.2 s of the hold. The shared defaults
# (4 degrees, 12 deg/s) swallow up to 0.7 s of the ramps into the hold. A rep is back once it has
# stopped on the way back within a fifth of its arch: at the desk the elbows read each centimetre the
# upper body rises (a breath, sitting up taller) as about 4 degrees of arch, and a rest 4-7 degrees up
# joined two arches into one rep.
ARCH_RULES = RepRules(
    start_deg=6.0, return_deg=3.0, min_peak_deg=8.0, hold_band_deg=2.5, hold_speed_dps=4.0, return_share=0.2
)
# The hold is the whole posture held still: it also ends when the head moves over the shoulders, i.e.
# the shoulder-to-ear line leaves a band around where it was as the hold began (the tracker's
# `body_still`). When a head-led arch comes back the trunk's landmarks barely move at first, the
# head's do. The line wanders by under a degree during a hold, but the model now and then jolts it by
# up to ~2.6 degrees (a step that stays).
HEAD_STILL_DEG = 3.5
HEAD_REFERENCE_S = 0.2
# The low back does clearly more of the bend than the upper back, and enough of it to tell. The split
# reads to within a few degrees, but with a bias that depends on how large the body is in the picture:
# over the two arch clips and eight camera copies of each, the lumbar share of a hold reads 0.04-0.34
# in good holds (0.50 once, 1.4 times nearer), 0.90-1.00 in low-back holds. The line is set between.
LOW_BACK_SHARE = 0.6
LOW_BACK_MIN_DEG = 6.0
# The head is thrown back, not carried by the hands, when the neck extends beyond the trunk by at least
# this many degrees and by at least this share of the arch itself (a head-led arch: in the rendered
# head-back reps the neck bends by 25 degrees over an arch of 11). The model under-reads a thrown-back
# head and a misread trunk leaks into the neck, so the readings overlap at their edges: over the three
# arch clips (side, 80 degrees, 45 degrees) and seven camera copies of each, the neck reads up to 12
# degrees and 0.76 of the arch in good holds, and 7-22 degrees and 0.5-2 of the arch in head-back
# holds; 2 of 24 copies still call a good hold head-led (the 45-degree clip, dimmed and rolled).
HEAD_BACK_DEG = 8.0
HEAD_BACK_SHARE = 0.6
# The neck is read against the person's own chord turn per degree of arch (`chord_per_arch_of`), learnt
# from each hold that was neither head-led nor a low-back one, once the ear line turned this far in it
# (less says little about the ratio). The line model's figure stands until then. Over the five side
# and oblique arch clips that lifted the head thrown back on the held-out 45-degree body from 7 to
# about 13 degrees of neck, and lowered a good hold's at 45 degrees from 9 to about 5.
LEARN_CHORD_MIN_EAR_DEG = 8.0
# At the desk a rep completed before any good hold was judged without the person's own figures, and on a
# body whose 3D head hardly follows a head thrown back a head-led first rep passes for a good one. It is
# judged again on its hold's cues once this many other good holds give the figures (one good hold's
# nose may have hardly risen: the most over two is the person's, as it is for every later rep). In a
# recording only: live, what the coach said stands.
REVIEW_GOOD_HOLDS = 2
# Fault evidence is collected while the arch is held: on the way in and out the model's head and
# trunk landmarks do not keep pace with each other (the head lines lead by a few frames, which reads
# as a neck bend). A fault must persist in the hold (see coach.reps.fault_evidence) before it counts.

# With a ready-made profile the belly's neutral angle is learnt from this long a stretch of frames
# sitting at neutral (the profile has landmarks, not the mask), within this many degrees of it.
NEUTRAL_BELLY_S = 0.5
NEUTRAL_CHORD_DEG = 2.0
# Smoothing: at rest the arch jitters by about a degree; arching runs at ~20-30 deg/s.
ANGLE_SMOOTHING = OneEuroSettings(min_cutoff_hz=1.0, beta=0.05, d_cutoff_hz=1.0)
SIGNAL_SMOOTHING = OneEuroSettings(min_cutoff_hz=0.8, beta=0.05, d_cutoff_hz=1.0)


@dataclass
class _HeadWatch:
    """Whether the head stays where it was as the hold began (the shoulder-to-ear line's turn)."""

    samples: list[float] = field(default_factory=list)
    started_s: float | None = None

    def still(self, holding: bool, ear_line_deg: float, t_s: float) -> bool:
        if not holding:
            self.samples, self.started_s = [], None
            return True
        if self.started_s is None:
            self.started_s = t_s
        if t_s - self.started_s <= HEAD_REFERENCE_S:
            self.samples.append(ear_line_deg)
        return abs(ear_line_deg - float(np.median(self.samples))) <= HEAD_STILL_DEG


@dataclass
class _DeskHold:
    """A completed rep's hold at the desk (a recording's): the index of its rep, its cues' medians
    (`_Reading.own_cues`) and whether it has been judged against the person's own figures (when it
    was completed, or since, judged again)."""

    rep_index: int
    cues: tuple[float, ...]
    judged_with_own_figures: bool


@dataclass(frozen=True)
class _Reading:
    """One frame read against the neutral.

    split: the arch and its split. movement_deg: what the rep tracker times (the arch; at the desk the
    elbows' reading, the arch plus half the neck's bend: the head's pitch, which splits the two, is too
    jittery a reading to time a hold on). ear_line_deg: the head's turn over the shoulders the hold
    watches (None at the desk, where the elbows carry the head's movement). lines: the side view's.
    own_cues: the readings whose ratios in good holds are this person's own figures: (chord turn,
    ear-line turn, face turn) from the side (`chord_per_arch_of`, `face_per_ear_line_of`), (elbows'
    arch, head pitch, nose pitch) at the desk (`head_per_arch_of`, `nose_per_arch_of`).
    """

    split: ArchReading
    movement_deg: float
    ear_line_deg: float | None
    lines: ArchLines | None
    own_cues: tuple[float, ...]


class ArchAnalyzer:
    """Sit and Arch, frame by frame, against the calibrated neutral `profile`.

    calibrated_at_s: when the stream it measures calibrated itself (None: a saved profile).
    measured_from_s: the stream's first frame, when it is measured from there once calibrated (a
        recording, `coach.pipeline.kept_frames`); None: from the calibration on.
    still_poses: the calibration window's poses (their segmentation masks give the belly's neutral).
    still_windows_s: the windows in which this stream's calibrations found the person sitting still;
        measured from the start, a movement within one is the model's jitter, not a rep.
    in_hindsight: a recording, judged with all it shows: at the desk a rep judged before the person's
        own figures were known is judged again once they are (`REVIEW_GOOD_HOLDS`). Live, what was
        said stands.
    """

    exercise = EXERCISE
    signal_names = ("low_back_deg", "head_deg")
    wants_mask = True

    def __init__(
        self,
        profile: CalibrationProfile,
        *,
        target_reps: int = 3,
        hold_target_s: float = DEFAULT_HOLD_S,
        calibrated_at_s: float | None = None,
        measured_from_s: float | None = None,
        still_poses: Sequence[Pose] = (),
        still_windows_s: Sequence[tuple[float, float]] = (),
        in_hindsight: bool = False,
    ) -> None:
        if target_reps < 1:
            raise ValueError("target_reps must be at least 1")
        if hold_target_s <= 0:
            raise ValueError("hold_target_s must be positive")
        self.target_reps = target_reps
        self.hold_target_s = hold_target_s
        self.rules = dataclasses.replace(ARCH_RULES, hold_target_s=hold_target_s, signed=False)
        self._profile = profile
        self._calibrated_at_s = calibrated_at_s
        self._in_hindsight = in_hindsight
        # The calibration's still window was a rest at neutral: a rep may start straight after it.
        self._rested_s = calibration_rest(calibrated_at_s, profile.duration_s, measured_from_s)
        # Measured from the start, the frames include the calibrations' still windows.
        self._still_windows_s = tuple(still_windows_s)
        self._still_poses = list(still_poses)
        self.reset()

    def reset(self) -> None:
        self._view: SideView | None = None
        self._desk: DeskNeutral | None = None
        self._neutral: ArchLines | None = None
        self._rejected_view: SideView | None = None
        self._neutral_bellies: list[tuple[float, float]] = []
        self._tracker = RepTracker(self.rules, self._rested_s, self._still_windows_s)
        self._angle_filter = OneEuroFilter(ANGLE_SMOOTHING)
        self._movement_filter = OneEuroFilter(ANGLE_SMOOTHING)
        self._rep_arches: list[float] = []  # the desk's arch through the rep under way, and in its hold
        self._hold_arches: list[float] = []
        self._hold_cues: list[tuple[float, ...]] = []  # `_Reading.own_cues` through the hold
        self._good_holds: list[tuple[float, ...]] = []  # their medians, in each good rep's hold
        self._desk_holds: list[_DeskHold] = []
        self._chord_per_arch = CHORD_PER_UPPER_BACK_ARCH  # the person's own figures, learnt from them
        self._face_per_ear_line = 1.0
        self._head_per_arch = 1.0
        self._nose_per_arch: float | None = None
        self._last_read: tuple[Pose, _Reading] | None = None
        self._lumbar_filter = OneEuroFilter(SIGNAL_SMOOTHING)
        self._neck_filter = OneEuroFilter(SIGNAL_SMOOTHING)
        self._reps: list[Rep] = []
        self._evidence = FaultEvidence()
        self._head_watch = _HeadWatch()
        self._phase = Phase.NEUTRAL
        self._cues: deque[Cue] = deque()
        self._use_profile(self._profile, self._still_poses)

    @property
    def reps(self) -> list[Rep]:
        return list(self._reps)

    @property
    def profile(self) -> CalibrationProfile:
        return self._profile

    @property
    def view(self) -> SideView | None:
        """How the camera sees the person's side, once calibrated (or the last rejected view)."""
        return self._view or self._rejected_view

    def calibration_summary(self) -> dict[str, Any]:
        if self._desk is not None:
            return {
                **self._calibrated_summary(),
                "framing": str(self._profile.framing),
                "not_checked": DESK_NOT_CHECKED,
            }
        if self._view is None or self._neutral is None:
            summary: dict[str, Any] = {"source": "none", "calibrated": False}
            if self._rejected_view is not None:
                summary.update(
                    measurable=False,
                    reason=self._rejected_view.reason,
                    view_azimuth_deg=round(self._rejected_view.azimuth_deg, 1),
                )
            return summary
        return {
            **self._calibrated_summary(),
            "view_azimuth_deg": round(self._view.azimuth_deg, 1),
            "torso_px": round(self._view.torso_px, 1),
            "belly_outline": self._neutral.belly_deg is not None,
        }

    def _calibrated_summary(self) -> dict[str, Any]:
        """What every calibrated summary says, from the side or at the desk."""
        return {
            "source": "profile" if self._calibrated_at_s is None else "self",
            "calibrated": True,
            "measurable": True,
            "calibrated_at_s": self._calibrated_at_s,
            "frames": self._profile.frames,
            "duration_s": round(self._profile.duration_s, 3),
            "target_deg": self._profile.comfortable_deg.get(EXERCISE),
            "noise_px": round(float(np.median(self._profile.noise_px)), 3),
        }

    @property
    def measuring(self) -> bool:
        """Calibrated from a view the arch can be read from."""
        return self._desk is not None or self._neutral is not None

    def reading(self, pose: Pose) -> float | None:
        return self._read(pose).split.arch_deg if self.measuring else None

    def wrong_way_deg(self, pose: Pose) -> float | None:
        """How far `pose` sits forward of the neutral, in degrees of arch, signed (+ = forward): an arch
        only goes back, so a neutral taken in one shows as this (`coach.pipeline.wrong_way`). From the
        side the chord's turn over the person's own chord per degree of arch; at the desk the elbows'."""
        if not self.measuring:
            return None
        cue = self._read(pose).own_cues[0]
        return -cue if self._desk is not None else -cue / self._chord_per_arch

    def _read(self, pose: Pose) -> _Reading:
        """`pose` read against the neutral (the last pose's reading is kept: the pipeline asks for it
        before the update does)."""
        if self._last_read is not None and self._last_read[0] is pose:
            return self._last_read[1]
        reading = self._read_afresh(pose)
        self._last_read = (pose, reading)
        return reading

    def _read_afresh(self, pose: Pose) -> _Reading:
        if self._desk is not None:
            desk = read_desk_arch(self._desk, pose.xy, pose.world, self._head_per_arch, self._nose_per_arch)
            split = ArchReading(desk.arch_deg, None, None, desk.neck_deg)
            return _Reading(
                split,
                max(desk.elbows_deg, 0.0),
                ear_line_deg=None,
                lines=None,
                own_cues=(desk.elbows_deg, desk.head_deg, desk.nose_deg),
            )
        assert self._view is not None and self._neutral is not None
        lines = arch_lines(pose, self._view)
        split = read_arch(lines, self._neutral, self._chord_per_arch, self._face_per_ear_line)
        turns = lines.turns_from(self._neutral)
        cues = (turns["chord"], turns["ear_line"], turns["face"])
        return _Reading(split, split.arch_deg, turns["ear_line"], lines, own_cues=cues)

    def update(self, pose: Pose | None, t_s: float) -> FrameAnalysis:
        if not self.measuring:  # a view the arch cannot be read from (the summary says why)
            return self._frame(t_s, Phase.CALIBRATING if pose is not None else Phase.NO_POSE)
        if pose is None:
            return self._absent(t_s)
        frame = self._read(pose)
        reading = frame.split
        arch = self._angle_filter(reading.arch_deg, t_s)
        movement = arch if self._desk is None else self._movement_filter(frame.movement_deg, t_s)
        head_still = frame.ear_line_deg is None or self._head_watch.still(
            self._phase == Phase.HOLD, frame.ear_line_deg, t_s
        )
        # At the desk the head's and shoulders' points do not follow an arch (the model keeps a frontal
        # face on the chin of an upturned face and puts the shoulders on the collar with the head back,
        # `coach.measure.desk_arch`): they would date the hold by the model's artefacts, so the elbows'
        # reading dates it alone. On the three desk arch clips that halved the hold ends' error.
        body_xy = None if self._desk is not None else moving_points(pose.xy, self._profile.framing)
        update = self._tracker.update(
            movement, t_s, body_still=head_still, raw_deg=frame.movement_deg, body_xy=body_xy
        )
        self._phase = update.phase
        if update.phase == Phase.NEUTRAL and frame.lines is not None:
            self._learn_neutral_belly(frame.lines, t_s)
        if update.phase != Phase.NEUTRAL:
            self._rep_arches.append(arch)
        if update.phase == Phase.HOLD:
            self._hold_arches.append(arch)
            self._hold_cues.append(frame.own_cues)
        lumbar, neck = self._smoothed_split(reading, t_s)
        self._collect_faults(update, arch, lumbar, neck, t_s)
        completed = self._complete(update.completed) if update.completed is not None else None
        if update.phase == Phase.NEUTRAL:
            self._rep_arches, self._hold_arches, self._hold_cues = [], [], []
        return self._frame(
            t_s,
            update.phase,
            angle=arch,
            signals={"low_back_deg": lumbar, "head_deg": neck},
            update=update,
            completed=completed,
        )

    def finish(self) -> Rep | None:
        window = self._tracker.unfinished()
        if window is None:
            return None
        return self._with_arch_peak(window).as_rep(self._evidence.raised_faults(CUES), incomplete=True)

    # -- calibration -------------------------------------------------------------------------------

    def _use_profile(self, profile: CalibrationProfile, still: list[Pose]) -> None:
        if profile.framing is Framing.DESK:
            self._desk = desk_neutral(profile.neutral_xy, profile.neutral_world, profile.image_size)
            return
        view = side_view(profile.neutral_pose())
        if not view.measurable:
            self._rejected_view = view
            self._cues.append(Cue("view", view.reason, Severity.INFO))
            return
        neutral = arch_lines(profile.neutral_pose(), view)
        bellies = [lines.belly_deg for lines in (arch_lines(p, view) for p in still if p.mask is not None)]
        known = [b for b in bellies if b is not None]
        if known:
            neutral = dataclasses.replace(neutral, belly_deg=float(np.median(known)))
        self._view, self._neutral = view, neutral
        self._rejected_view = None

    def _learn_neutral_belly(self, lines: ArchLines, t_s: float) -> None:
        """With a ready-made profile: the belly's neutral angle from the first frames sat at neutral."""
        assert self._neutral is not None
        if self._neutral.belly_deg is not None or lines.belly_deg is None:
            return
        if abs(lines.chord_deg - self._neutral.chord_deg) > NEUTRAL_CHORD_DEG:
            self._neutral_bellies.clear()
            return
        self._neutral_bellies.append((t_s, lines.belly_deg))
        if t_s - self._neutral_bellies[0][0] >= NEUTRAL_BELLY_S:
            belly = float(np.median([b for _, b in self._neutral_bellies]))
            self._neutral = dataclasses.replace(self._neutral, belly_deg=belly)

    # -- per frame ---------------------------------------------------------------------------------

    def _smoothed_split(self, reading: ArchReading, t_s: float) -> tuple[float | None, float]:
        neck = self._neck_filter(reading.neck_deg, t_s)
        if reading.lumbar_deg is None:
            return None, neck
        return self._lumbar_filter(reading.lumbar_deg, t_s), neck

    def unread(self, t_s: float) -> FrameAnalysis:
        return self._absent(t_s, unread=True)

    def _absent(self, t_s: float, *, unread: bool = False) -> FrameAnalysis:
        """A frame without the person; `unread`: with the person there, but no reading of them."""
        update = self._tracker.update(None, t_s, unread=unread)
        for smoother in (self._angle_filter, self._movement_filter, self._lumbar_filter, self._neck_filter):
            smoother.reset()
        self._evidence.pause()
        self._phase = update.phase
        return self._frame(t_s, update.phase, update=update)

    def _collect_faults(
        self, update: TrackerUpdate, arch: float, lumbar: float | None, neck: float, t_s: float
    ) -> None:
        if update.phase == Phase.HOLD:
            faults = set()
            if lumbar is not None and lumbar > max(LOW_BACK_SHARE * arch, LOW_BACK_MIN_DEG):
                faults.add("low_back")
            if neck >= max(HEAD_BACK_DEG, HEAD_BACK_SHARE * arch):
                faults.add("head_back")
            for code in self._evidence.observe(faults, t_s):
                self._cues.append(CUES[code])
        else:
            self._evidence.pause()
        if update.hold_ended_early and self._evidence.hold_cut_short():
            self._cues.append(CUES["short_hold"])

    def _with_arch_peak(self, window: RepWindow) -> RepWindow:
        """At the desk the tracker times the elbows' movement, which carries half the neck's bend too:
        the rep's peak is the arch's own, its level through the hold (the split jitters by a few degrees
        from frame to frame), or its highest when never held."""
        if self._desk is None:
            return window
        arches = self._hold_arches or self._rep_arches
        peak = float(np.median(arches)) if self._hold_arches else max(arches, default=0.0)
        return dataclasses.replace(window, peak_deg=peak)

    def _complete(self, window: RepWindow) -> Rep:
        window = self._with_arch_peak(window)
        rep = window.as_rep(self._evidence.rep_faults(CUES, window.hold_at_most_s, self.hold_target_s))
        self._reps.append(rep)
        self._evidence = FaultEvidence()
        if self._desk is not None and self._hold_cues and self._in_hindsight:
            own_figures = self._nose_per_arch is not None
            self._desk_holds.append(_DeskHold(len(self._reps) - 1, self._hold_median(), own_figures))
        self._learn_own_figure(rep)
        self._review_reps_judged_without_own_figures()
        return rep

    def _hold_median(self) -> tuple[float, ...]:
        return tuple(float(value) for value in np.median(np.array(self._hold_cues), axis=0))

    def _review_reps_judged_without_own_figures(self) -> None:
        """At the desk: each rep judged before the person's own figures were known is judged again on
        its hold's cues, against the figures of `REVIEW_GOOD_HOLDS` other good holds, once there are
        as many; a head thrown back joins its faults, and its hold no longer counts as a good one."""
        assert self._desk is not None or not self._desk_holds
        for hold in self._desk_holds:
            rep = self._reps[hold.rep_index]
            if hold.judged_with_own_figures or "head_back" in rep.faults:
                continue
            others = [
                other.cues
                for other in self._desk_holds
                if other is not hold
                and other.cues[0] >= LEARN_CHORD_MIN_EAR_DEG
                and "head_back" not in self._reps[other.rep_index].faults
            ]
            if len(others) < REVIEW_GOOD_HOLDS:
                continue
            hold.judged_with_own_figures = True
            assert self._desk is not None
            head_per_arch = head_per_arch_of([(cues[0], cues[1]) for cues in others])
            nose_per_arch = nose_per_arch_of([(cues[0], cues[2]) for cues in others])
            elbows, head, nose = hold.cues[0], hold.cues[1], hold.cues[2]
            arch, neck = split_desk_cues(self._desk, elbows, head, nose, head_per_arch, nose_per_arch)
            if neck >= max(HEAD_BACK_DEG, HEAD_BACK_SHARE * arch):
                self._reps[hold.rep_index] = dataclasses.replace(
                    rep, faults=(*rep.faults, "head_back"), peak_angle_deg=arch
                )
                self._forget_good_hold(hold.cues)

    def _forget_good_hold(self, cues: tuple[float, ...]) -> None:
        """A hold learnt from as a good one was head-led after all: the figures without it."""
        if cues not in self._good_holds:
            return
        self._good_holds.remove(cues)
        self._head_per_arch = head_per_arch_of([(hold[0], hold[1]) for hold in self._good_holds])
        self._nose_per_arch = nose_per_arch_of([(hold[0], hold[2]) for hold in self._good_holds])

    def _learn_own_figure(self, rep: Rep) -> None:
        """After a hold that was not head-led (nor, from the side, a low-back one, which the desk does
        not judge): this person's own figure from its cues' medians, once the whole arch's cue (the ear
        line, or at the desk the elbows) moved far enough to say something: from the side the chord's
        turn per degree of arch and the face's per degree of ear line (`chord_per_arch_of`,
        `face_per_ear_line_of`), at the desk the head's and the nose's pitch (`head_per_arch_of`,
        `nose_per_arch_of`)."""
        if not self._hold_cues or {"head_back", "low_back"} & set(rep.faults):
            return
        cues = self._hold_median()
        if self._desk is not None:
            if cues[0] >= LEARN_CHORD_MIN_EAR_DEG:
                self._good_holds.append(cues)
                self._head_per_arch = head_per_arch_of([(hold[0], hold[1]) for hold in self._good_holds])
                self._nose_per_arch = nose_per_arch_of([(hold[0], hold[2]) for hold in self._good_holds])
        elif cues[1] >= LEARN_CHORD_MIN_EAR_DEG:
            self._good_holds.append(cues)
            self._chord_per_arch = chord_per_arch_of([(hold[0], hold[1]) for hold in self._good_holds])
            self._face_per_ear_line = face_per_ear_line_of([(hold[1], hold[2]) for hold in self._good_holds])

    def _frame(
        self,
        t_s: float,
        phase: Phase,
        *,
        angle: float | None = None,
        signals: dict[str, float | None] | None = None,
        update: TrackerUpdate | None = None,
        completed: Rep | None = None,
    ) -> FrameAnalysis:
        comfortable = self._profile.comfortable_deg.get(EXERCISE)
        # The gauge aims only at a range this person has shown to be comfortable, never a textbook one.
        target = comfortable if self.measuring else None
        return FrameAnalysis(
            t_s=t_s,
            phase=phase,
            angle_deg=angle,
            signals=signals if signals is not None else {name: None for name in self.signal_names},
            side=None,
            hold_s=update.hold_s if update is not None else 0.0,
            hold_target_s=max(self.hold_target_s, DISPLAY_HOLD_S),
            cue=self._cues.popleft() if self._cues else None,
            reps_by_side={EXERCISE: len(self._reps)},
            good_reps=sum(r.good for r in self._reps),
            target_reps=self.target_reps,
            completed_rep=completed,
            target_deg=target,
            comfortable_deg=comfortable,
        )


# What a desk picture cannot show, said in the report and on the live screen.
DESK_NOT_CHECKED = "hips not in view: how much of the arch comes from the low back is not checked"


def view_problem(profile: CalibrationProfile) -> str | None:
    """Why the arch cannot be read from where this camera sees the neutral (None when it can)."""
    if profile.framing is Framing.DESK:
        judged = verdict(
            estimate_view_of(profile.neutral_pose(), profile.framing).azimuth_deg, EXERCISE, profile.framing
        )
        return None if judged.suits else f"Cannot measure the arch from this view. {judged.instruction}"
    view = side_view(profile.neutral_pose())
    return None if view.measurable else view.reason
