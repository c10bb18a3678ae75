"""The repetition state machine both stretches share: out, hold near the peak, back to neutral.

It reads one number per frame (the exercise's angle, already smoothed; optionally the same angle
unsmoothed) and the frame's timestamp. Hysteresis (start above `start_deg`, back below `return_deg`, or
stopped on the way back below `return_share` of the peak, or nearer the rest than the peak: a person
rests a little taller or lower than at calibration), a minimum peak and a dwell time keep jitter from
counting twice and a half-movement from counting at all. A hold begins near the rep's sustained peak
once the angle is nearly still (the smoothed angle, or the raw one over a shorter window, which shows
the stop sooner) and is dated back to where the movement out arrived (`coach.reps.hold_dating`'s fit of
the frames so far, once more a second later when the fit found the arrival only at the newest frame);
it goes on while the body stays still anywhere in the end range (a jolt of the model's reading, a
reading that settles lower, a frame without the person do not end it); it ends when the body moves, the
angle goes further out, or it clearly leaves the end range, and its end is then dated from the
unsmoothed angle. Those are the live readings (the hold timer, its cues; the target counts as reached
only on a frame still at the hold's level). When the rep is over, the hold it reports is dated again
from all its frames (`coach.reps.hold_dating`): one fit of the movement out and back over the angle and
the upper body's landmarks, which does not depend on which frames a camera happened to catch.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coach.pose.geometry import robust_std
from coach.reps.analysis import Phase, Rep
from coach.reps.hold_dating import date_hold, fit_ramp

ABANDON_AFTER_S = 2.0  # a rep in progress is dropped when the person has been gone this long
# A gap this short is the model losing the person for a frame or two (a dim room, a ghost second
# person), not the person leaving: a hold goes on through it.
BRIEF_GAP_S = 0.5
# Frames with the person there but no reading of them (the model folding a turned body close to the
# lens) are no sign that they left: a rep under way waits this long through them, as long as a held
# stretch and the way back take. A reading after them still in the rep's end range means the person
# held through them.
UNREAD_ABANDON_AFTER_S = 5.0
# The fewest frames the speed window keeps (at low frame rates it spans more than its time), and the
# fewest whose level sets a rep's peak: a median of three outvotes one jolt.
MIN_SAMPLES = 3
# A hold ends on the way back only once the angle has clearly left the end range: this much of the
# rep's excursion (or twice the hold band, whichever is more) below its peak; going further out, once
# it is this much of the excursion (or the hold band) beyond the level it held. A model's landmarks can
# jolt a few degrees for a fraction of a second while the body stays perfectly still; that is not
# the end of a hold. Nor is settling a little lower and staying still there; moving about in the end
# range for this long, without coming to rest, is.
EXIT_DROP_FRACTION = 0.25
SETTLED_LOWER_S = 1.0
# A movement back that stops (as still as a hold) nearer the rest than the rep's peak has come back:
# the rep is over, and the person rests there (within the hold band). Going out again from there is
# the next rep, not a second go at this one. (At the desk a breath moves the arch's reading by some 4
# degrees each way; a rest between two arches read 6-9 degrees after a 25-degree arch, above a fifth
# of it, and the next arch joined the first.)
STOPPED_NEARER_REST = 0.5
# The hold ended at the first frame of the raw angle's way down from the level it held last (the
# median over the last `LEVEL_WINDOW_S` before the tracker noticed the way back: a model's reading
# can settle a degree or two lower mid-hold). "Down" is more than this many robust standard
# deviations of the hold's readings, and at least `LEVEL_FLOOR_DEG`.
LEVEL_WINDOW_S = 0.6
LEVEL_SIGMAS = 3.0
LEVEL_FLOOR_DEG = 0.5
# The frames kept from before a rep leaves neutral, for dating its hold afterwards: enough to see the
# movement out begin (it starts below `start_deg`).
PRE_ROLL_S = 1.0
# How far back a hold's start may be dated when the tracker notices it: the speed window and the
# smoothing's lag, with room to spare.
ARRIVAL_LOOKBACK_S = 0.5
# When the fit dates the arrival at the newest frame, the movement may not have ended (a model's reading
# can stall for a few frames near the end of a slow movement and then catch up): the start is dated
# again from the frames this much later, within the same lookback of when the hold was noticed.
REDATE_AFTER_S = 1.0
# The raw angle's window for noticing that a movement has stopped: shorter than the smoothed angle's
# speed window (the slopes' median is robust where a least-squares slope is not), long enough that a
# model's reading still creeping into the end position does not look stopped (0.15 s did, 0.2 s not).
ARRIVAL_WINDOW_S = 0.2
ARRIVAL_SLOWDOWN = 0.5  # the smoothed speed then, at most this share of the movement's fastest
# A rep longer than this keeps only its last frames for dating the hold (bounded memory).
TRACE_MAX_S = 60.0


@dataclass(frozen=True)
class RepRules:
    start_deg: float = 10.0
    return_deg: float = 5.0
    min_peak_deg: float = 15.0
    hold_band_deg: float = 4.0
    hold_speed_dps: float = 12.0
    speed_window_s: float = 0.3
    min_dwell_s: float = 0.25
    hold_target_s: float = 2.0
    signed: bool = True
    # A rep is back at rest once the angle has come back below this share of its peak and stopped there,
    # when that is more than `return_deg`; the next one starts as far above that rest (0: the fixed
    # bands alone).
    return_share: float = 0.0
    # The movement changes the upper body's shape in the picture (a turn): its shape, freed of a sway
    # about the hips, dates the hold too (`coach.reps.hold_dating`).
    sway_free_shape: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.return_deg < self.start_deg <= self.min_peak_deg:
            raise ValueError("RepRules need 0 <= return_deg < start_deg <= min_peak_deg")
        if not 0 <= self.return_share < 1:
            raise ValueError("RepRules.return_share must be in [0, 1)")
        if min(self.hold_band_deg, self.hold_speed_dps, self.speed_window_s, self.hold_target_s) <= 0:
            raise ValueError("RepRules hold band, speed, window and target must be positive")
        if self.min_dwell_s < 0:
            raise ValueError("RepRules.min_dwell_s must be non-negative")


@dataclass(frozen=True)
class RepWindow:
    side: str | None
    start_s: float
    hold_start_s: float
    hold_end_s: float
    end_s: float
    peak_deg: float
    # How long the person went unseen right before and after the hold (the model lost them): the hold
    # may have lasted that much longer, which nobody saw.
    unseen_beside_hold_s: float = 0.0

    @property
    def hold_s(self) -> float:
        return self.hold_end_s - self.hold_start_s

    @property
    def hold_at_most_s(self) -> float:
        """As long as the hold may have lasted: with the unseen time beside it."""
        return self.hold_s + self.unseen_beside_hold_s

    def as_rep(self, faults: tuple[str, ...], *, incomplete: bool = False) -> Rep:
        """The finished rep (or, `incomplete`, the rep the stream ended during); its peak is signed
        like the angle (a turn to the right is negative)."""
        return Rep(
            side=self.side,
            start_s=self.start_s,
            hold_start_s=self.hold_start_s,
            hold_end_s=self.hold_end_s,
            end_s=self.end_s,
            peak_angle_deg=-self.peak_deg if self.side == "right" else self.peak_deg,
            faults=faults,
            incomplete=incomplete,
        )


@dataclass(frozen=True)
class TrackerUpdate:
    phase: Phase
    side: str | None = None
    hold_s: float = 0.0
    hold_completed: bool = False
    hold_ended_early: bool = False
    completed: RepWindow | None = None


def calibration_rest(
    calibrated_at_s: float | None, still_s: float, measured_from_s: float | None = None
) -> tuple[float, float] | None:
    """The still window a stream calibrated itself on, as a rest at neutral (`RepTracker`'s
    `rested_s`): the `still_s` before `calibrated_at_s`. None for a saved profile, and for a stream
    measured from its first frame (`measured_from_s`): the tracker sees that window among them."""
    if calibrated_at_s is None or measured_from_s is not None:
        return None
    return (calibrated_at_s - still_s, calibrated_at_s)


class RepTracker:
    """Feed `update(angle, t)` once per frame; it reports the phase and events of that frame.

    rested_s: (since, until) when the person sat settled at neutral before the first frame given (a
    calibration's still window): a movement straight after it is a rep, as after any rest.
    still_windows_s: the (since, until) windows in which a calibration found the person sitting still, among
    the frames given (a recording measured from its start once calibrated on a later window): a
    movement that leaves the rest and comes back within one is the model's jitter, not a rep."""

    def __init__(
        self,
        rules: RepRules | None = None,
        rested_s: tuple[float, float] | None = None,
        still_windows_s: Sequence[tuple[float, float]] = (),
    ) -> None:
        self.rules = rules or RepRules()
        self._still_windows_s = tuple(still_windows_s)
        self.reset()
        if rested_s is not None:
            self._rested(*rested_s)

    def reset(self) -> None:
        self._phase = Phase.NEUTRAL
        self._direction = 1.0
        self._samples: deque[tuple[float, float]] = deque()
        self._raw_samples: deque[tuple[float, float]] = deque()
        self._raw = 0.0
        self._last_neutral_s: float | None = None
        self._neutral_since_s: float | None = None
        self._last_seen_s: float | None = None
        self._start_s = 0.0
        self._peak = 0.0
        self._peak_s = 0.0
        self._hold_start_s: float | None = None
        self._hold_trace: list[tuple[float, float, float]] = []  # (t, raw, smoothed), signed outwards
        self._best_hold = (0.0, 0.0)
        self._fastest_dps = 0.0  # the smoothed angle's fastest movement out in this rep
        self._back_in_view_s = -np.inf  # when the person was last seen again after a gap, in this rep
        self._holds: list[tuple[float, float, float]] = []  # this rep's holds: (start, end, level)
        self._hold_done = False
        self._noticed_s = 0.0  # when the tracker noticed the hold under way
        self._redate_at_s: float | None = None  # when to date its start again, if at all
        self._exit_pending_s: float | None = None
        self._held_before_gap = False
        self._out_before_gap = False  # the current gap began on the way out
        self._unread_gap = False  # the person was there all through the current gap, though unread
        self._gap_had_unread = False  # the current gap had frames with the person there, unread
        self._last_there_s: float | None = None  # the last frame with the person there, read or not
        self._gap_from_s: float | None = None  # the last frame read before the current gap
        self._returning_since_s = 0.0
        self._trace: deque[tuple[float, float, np.ndarray | None]] = deque()  # (t, raw, body points)
        self._rest_deg = self.rules.return_deg  # at rest below this: `return_deg`, or after a rep its share
        # The rest the rep under way started from: (neutral since, last neutral, rest line).
        self._rest_before: tuple[float | None, float | None, float] | None = None

    def _rested(self, since_s: float, until_s: float) -> None:
        self._neutral_since_s, self._last_neutral_s = since_s, until_s

    def update(
        self,
        angle_deg: float | None,
        t_s: float,
        *,
        body_still: bool = True,
        raw_deg: float | None = None,
        body_xy: np.ndarray | None = None,
        unread: bool = False,
    ) -> TrackerUpdate:
        """`angle_deg` is the smoothed angle that drives the states; None for a frame without it:
        the person not seen, or (`unread`) seen but not read.

        `body_still`: the analyzer's own verdict that the body is not moving (e.g. from landmark
        motion, which shows a movement the angle may not yet: a model under-reading the extreme of a
        turn); a hold needs it as well as a still angle. `raw_deg`: the same angle unsmoothed, which
        dates the end of a hold without the smoothing's lag (the smoothed angle when not given).
        `body_xy`: (K, 2) image points of the moving upper body (the same K every frame), which date
        the finished rep's hold together with the angle."""
        if angle_deg is None or not np.isfinite(angle_deg):
            return self._absent(t_s, unread)
        brief_gap = self._last_seen_s is not None and t_s - self._last_seen_s <= BRIEF_GAP_S
        if self._phase == Phase.NO_POSE and brief_gap and self._held_before_gap:
            self._phase = Phase.HOLD
        self._last_seen_s = self._last_there_s = t_s
        self._raw = angle_deg if raw_deg is None or not np.isfinite(raw_deg) else raw_deg
        self._remember(angle_deg, self._raw, t_s)
        self._keep_trace(t_s, body_xy)
        if self._phase in (Phase.NEUTRAL, Phase.NO_POSE) and self._hold_start_s is None and self._peak == 0:
            return self._neutral(angle_deg, t_s)
        return self._in_rep(angle_deg, t_s, body_still)

    # -- states -------------------------------------------------------------------------------

    def _absent(self, t_s: float, unread: bool = False) -> TrackerUpdate:
        self._samples.clear()
        self._raw_samples.clear()
        if self._phase != Phase.NO_POSE:
            self._held_before_gap = self._phase == Phase.HOLD
            self._out_before_gap = self._phase == Phase.MOVING
            self._unread_gap = True
            self._gap_had_unread = False
            self._gap_from_s = self._last_seen_s
        # The person was there through the gap but for the model missing them a moment.
        there_s = self._last_there_s if self._last_there_s is not None else t_s
        self._unread_gap = self._unread_gap and t_s - there_s <= BRIEF_GAP_S
        if unread:
            self._last_there_s = t_s
            self._gap_had_unread = True
        gone_for = t_s - self._last_seen_s if self._last_seen_s is not None else 0.0
        if self._peak > 0 and gone_for > (UNREAD_ABANDON_AFTER_S if self._unread_gap else ABANDON_AFTER_S):
            self._clear_rep()
        self._phase = Phase.NO_POSE
        return TrackerUpdate(Phase.NO_POSE)

    def _neutral(self, angle: float, t_s: float) -> TrackerUpdate:
        rules = self.rules
        magnitude = abs(angle) if rules.signed else angle
        if magnitude <= self._rest_deg:
            if self._neutral_since_s is None:
                self._neutral_since_s = t_s
            self._last_neutral_s = t_s
        # A rep may start only after a settled neutral: no rep out of a half-seen movement.
        armed = (
            self._neutral_since_s is not None
            and self._last_neutral_s is not None
            and self._last_neutral_s - self._neutral_since_s >= rules.min_dwell_s
        )
        if magnitude > max(rules.start_deg, self._rest_deg) and armed:
            assert self._last_neutral_s is not None
            self._direction = 1.0 if angle >= 0 or not rules.signed else -1.0
            self._start_s = self._last_neutral_s
            self._rest_before = (self._neutral_since_s, self._last_neutral_s, self._rest_deg)
            # The peak is a level the angle kept, as all through the rep (`_sustained`), not this
            # frame's reading: a jolt of the model that starts a rep and is gone the next frame sets
            # no peak a rep could be counted on.
            self._peak, self._peak_s = max(self._sustained(), 0.0), t_s
            self._phase = Phase.MOVING
            return TrackerUpdate(Phase.MOVING, side=self._side())
        self._phase = Phase.NEUTRAL
        return TrackerUpdate(Phase.NEUTRAL)

    def _in_rep(self, angle: float, t_s: float, body_still: bool = True) -> TrackerUpdate:
        rules = self.rules
        value = angle * self._direction
        if self._phase == Phase.NO_POSE and self._unread_gap and self._gap_had_unread:
            resumed = self._after_unread(value, t_s, body_still)
            if resumed is not None:
                return resumed
        if self._phase == Phase.NO_POSE:
            self._phase = Phase.MOVING
            self._hold_start_s = None
            self._exit_pending_s = None
            self._back_in_view_s = t_s
        speed = self._speed() * self._direction  # + = moving further out
        # The peak is the highest level the angle kept over the speed window (its median), not one
        # frame's reading: a single jolt of the model would otherwise set a peak no hold can reach.
        # Back in view after a gap, the speed window starts again: until it holds a few frames, one
        # reading is all it knows, which sets no peak.
        known = len(self._samples) >= MIN_SAMPLES
        sustained = self._sustained()
        if known and sustained > self._peak:
            self._peak, self._peak_s = sustained, t_s
        near_peak = value >= self._peak - rules.hold_band_deg and self._peak >= rules.min_peak_deg
        still = abs(speed) < rules.hold_speed_dps and body_still

        returning = self._phase == Phase.RETURNING
        slowed = abs(speed) < ARRIVAL_SLOWDOWN * self._fastest_dps
        if value <= rules.return_deg or (returning and slowed and value <= rules.return_share * self._peak):
            return self._finish(t_s)
        if returning and abs(speed) < rules.hold_speed_dps and value <= STOPPED_NEARER_REST * self._peak:
            return self._finish(t_s, rest_deg=value + rules.hold_band_deg)

        if self._phase == Phase.HOLD:
            # Once held, the hold goes on while the body and angle stay still anywhere in the end
            # range: the model's reading of a still body can settle a few degrees lower.
            in_range = value >= self._peak - self._exit_drop()
            return self._holding(t_s, in_range and still, speed, body_still)

        # A body that comes to rest in the end range holds there, even below a peak that one of the
        # model's jolts set: the way back the tracker read from that peak was none, and the hold
        # began where it did.
        settled_in_range = self._phase == Phase.RETURNING and value >= self._peak - self._exit_drop()
        # The raw angle shows a stop sooner than the smoothed one, whose speed then still reads part
        # of the movement's last moments (it has fallen well below the movement's fastest); a stall
        # of the model's reading mid-movement leaves the smoothed speed near the movement's own and
        # is not a stop.
        self._fastest_dps = max(self._fastest_dps, speed)
        arrived = (
            abs(self._arrival_speed()) < rules.hold_speed_dps
            and abs(speed) < ARRIVAL_SLOWDOWN * self._fastest_dps
            and body_still
        )
        if (near_peak and (still or arrived)) or (settled_in_range and still):
            if near_peak:
                self._hold_start_s, at_newest = self._arrival(t_s, t_s)
                self._redate_at_s = t_s + REDATE_AFTER_S if at_newest else None
            else:
                self._hold_start_s, self._redate_at_s = self._returning_since_s, None
            self._noticed_s = t_s
            self._hold_trace = []
            self._exit_pending_s = None
            self._phase = Phase.HOLD
            return self._holding(t_s, True, speed, body_still)
        if self._phase == Phase.MOVING and speed < -rules.hold_speed_dps and self._peak >= rules.min_peak_deg:
            self._phase = Phase.RETURNING
            self._returning_since_s = t_s
        return TrackerUpdate(self._phase, side=self._side(), hold_s=self._best_hold_s())

    def _after_unread(self, value: float, t_s: float, body_still: bool) -> TrackerUpdate | None:
        """Read again after frames with the person there but not read (`value`: the reading, signed
        outwards). Still in the rep's end range: they held there all along, a hold under way goes on
        and one the way out was reaching starts where the reading stopped (the fit over the rep's
        frames dates it, `_dated_hold`). Elsewhere, a hold under way ended where the reading stopped.
        None: read this frame as after any gap (a hold going on: as held)."""
        gap_from_s = self._gap_from_s if self._gap_from_s is not None else t_s
        in_range = self._peak >= self.rules.min_peak_deg and value >= self._peak - self._exit_drop()
        if self._hold_start_s is not None and self._held_before_gap:
            if in_range:
                self._phase = Phase.HOLD
                return None
            return self._leave_hold(gap_from_s, self._speed() * self._direction)
        if not (in_range and self._out_before_gap):
            return None
        self._hold_start_s, self._redate_at_s = gap_from_s, None
        self._noticed_s = t_s
        self._hold_trace = [(gap_from_s, self._peak, self._peak)]
        self._exit_pending_s = None
        self._phase = Phase.HOLD
        return self._holding(t_s, True, 0.0, body_still)

    def _holding(self, t_s: float, holding: bool, speed: float, body_still: bool) -> TrackerUpdate:
        assert self._hold_start_s is not None
        if holding and self._redate_at_s is not None and t_s >= self._redate_at_s:
            self._hold_start_s, _ = self._arrival(self._noticed_s, t_s)
            self._redate_at_s = None
        self._hold_trace.append((t_s, self._raw * self._direction, self._samples[-1][1] * self._direction))
        if holding:
            self._exit_pending_s = None
        elif self._exit_pending_s is None:
            self._exit_pending_s = t_s
        if self._exit_pending_s is not None and self._hold_left(t_s, speed, body_still):
            return self._leave_hold(self._settled_end(self._exit_pending_s), speed)
        end_s = self._exit_pending_s if self._exit_pending_s is not None else t_s
        held = end_s - self._hold_start_s
        # The target is reached on a frame that shows the hold: a reading already below the hold's
        # level may be the way back beginning, which the speed notices a few frames later.
        completed = not self._hold_done and held >= self.rules.hold_target_s and self._at_level(t_s)
        self._hold_done = self._hold_done or completed
        return TrackerUpdate(Phase.HOLD, side=self._side(), hold_s=held, hold_completed=completed)

    def _hold_left(self, t_s: float, speed: float, body_still: bool) -> bool:
        """Whether the pending exit from the hold is real: the body moving, the angle moving further
        out, clearly on the way back or settled lower for a while (not a jolt of the landmarks)."""
        assert self._exit_pending_s is not None
        rules = self.rules
        waited = t_s - self._exit_pending_s
        if waited < rules.min_dwell_s:
            return False
        value = self._samples[-1][1] * self._direction
        level = float(np.median([v for t, _, v in self._hold_trace if t < self._exit_pending_s]))
        # Further out by the same share of the excursion that counts as leaving the end range the other
        # way: a sway or a breath carries a held reading a few degrees either way (3 degrees each way for a
        # 2-degree sway seen from 45 degrees off the side), a move to a deeper position carries it further.
        further_out = value > level + max(
            rules.hold_band_deg, EXIT_DROP_FRACTION * (level - rules.return_deg)
        )
        left_range = value < self._peak - self._exit_drop() or waited >= SETTLED_LOWER_S
        return not body_still or further_out or left_range

    def _arrival(self, noticed_s: float, t_s: float) -> tuple[float, bool]:
        """When the movement out arrived at the hold noticed at `noticed_s`, from the frames up to
        `t_s`: the end of the one movement that fits the rep's frames
        (`coach.reps.hold_dating.fit_ramp`, the angle and the body's points), at most
        `ARRIVAL_LOOKBACK_S` before it was noticed, not before this rep's last hold ended nor before the
        person came back into view (a hold never counts time they were not seen). Noticing the hold
        takes a few still frames; the person's hold began before that. And whether the fit put the
        arrival after the frame before the newest: then only the newest frame shows the hold.
        """
        times, angles, body = self._trace_between(self._start_s - PRE_ROLL_S, t_s)
        signals = angles.reshape(-1, 1)
        if body is not None:
            signals = np.hstack([signals, body.reshape(len(times), -1)])
        last_hold_end_s = self._holds[-1][1] if self._holds else -np.inf
        earliest_s = max(noticed_s - ARRIVAL_LOOKBACK_S, last_hold_end_s, self._back_in_view_s)
        ramp = fit_ramp(times, signals, ends_within=(earliest_s, t_s))
        if ramp is None:
            return t_s, False
        arrival_s = min(max(ramp.end_s, earliest_s), t_s)
        return arrival_s, len(times) >= 2 and arrival_s > times[-2]

    def _exit_drop(self) -> float:
        """How far below its peak the angle has clearly left the rep's end range."""
        rules = self.rules
        return max(2 * rules.hold_band_deg, EXIT_DROP_FRACTION * (self._peak - rules.return_deg))

    def _settled_end(self, pending_s: float) -> float:
        """When the hold really ended: the first frame (up to `pending_s`) of the raw angle's way down
        from the level it held just before. The smoothed angle and the speed window notice the way
        back late. (The level is the recent one: a model's reading can settle a degree lower
        mid-hold.) A repeated frame repeats its reading, so the first frame below the level is the
        same moment at any frame rate; the last one at the level is not."""
        assert self._hold_start_s is not None
        floor = self._level_floor(pending_s)
        if floor is None:
            return pending_s
        trace = [(t, raw) for t, raw, _ in self._hold_trace if t <= pending_s]
        departed_s = pending_s
        for t, value in reversed(trace):
            if value >= floor or t <= self._hold_start_s:
                return departed_s
            departed_s = t
        return pending_s

    def _level_floor(self, before_s: float) -> float | None:
        """Below this the raw angle has left the level the hold kept before `before_s` (the median
        over its last `LEVEL_WINDOW_S`, less `LEVEL_SIGMAS` robust deviations of the hold's readings);
        None before the hold has a few frames."""
        trace = [(t, raw) for t, raw, _ in self._hold_trace if t < before_s]
        held = np.array([raw for _, raw in trace])
        recent = np.array([raw for t, raw in trace if t >= before_s - LEVEL_WINDOW_S])
        if held.size < 3:
            return None
        level = float(np.median(recent if recent.size >= 2 else held))
        return level - max(LEVEL_SIGMAS * robust_std(held), LEVEL_FLOOR_DEG)

    def _at_level(self, t_s: float) -> bool:
        """Whether this frame's raw reading is still at the level the hold kept before it."""
        floor = self._level_floor(t_s)
        return floor is None or self._raw * self._direction >= floor

    def _close_hold(self, end_s: float) -> None:
        """Remember the hold that just ended (with the level it held) and whether it is the best."""
        assert self._hold_start_s is not None
        held_raw = [raw for t, raw, _ in self._hold_trace if t <= end_s]
        level = float(np.median(held_raw)) if held_raw else self._peak
        self._holds.append((self._hold_start_s, end_s, level))
        if end_s - self._hold_start_s > self._best_hold_s():
            self._best_hold = (self._hold_start_s, end_s)

    def _leave_hold(self, end_s: float, speed: float) -> TrackerUpdate:
        assert self._hold_start_s is not None
        self._close_hold(end_s)
        self._hold_start_s = None
        self._exit_pending_s = None
        self._phase = Phase.MOVING if speed > 0 else Phase.RETURNING
        self._returning_since_s = end_s
        early = self._phase == Phase.RETURNING and not self._hold_done
        return TrackerUpdate(
            self._phase, side=self._side(), hold_s=self._best_hold_s(), hold_ended_early=early
        )

    def _finish(self, t_s: float, rest_deg: float = 0.0) -> TrackerUpdate:
        """The rep is over at `t_s`; the person rests below `rest_deg` from now on (or the rules' rest)."""
        ended_early = False
        if self._hold_start_s is not None:
            # Returned straight out of a hold (possible at low frame rates): close the hold first.
            end_s = self._settled_end(self._exit_pending_s if self._exit_pending_s is not None else t_s)
            self._close_hold(end_s)
            ended_early = not self._hold_done
        jitter = self._within_still(t_s)
        if jitter:
            ended_early = False  # no rep, no hold cut short
        completed = None
        if self._peak >= self.rules.min_peak_deg and not jitter:
            hold_start, hold_end = self._dated_hold()
            seen = np.array([t for t, _, _ in self._trace])
            completed = RepWindow(
                side=self._side(),
                start_s=self._start_s,
                hold_start_s=hold_start,
                hold_end_s=hold_end,
                end_s=t_s,
                peak_deg=self._peak,
                unseen_beside_hold_s=unseen_s(seen, hold_start, before=True)
                + unseen_s(seen, hold_end, before=False),
            )
        side = self._side()
        rest_deg = max(self.rules.return_deg, self.rules.return_share * self._peak, rest_deg)
        rest_before = self._rest_before
        self._clear_rep()
        if completed is None and rest_before is not None:
            # No rep (a jolt of the model, a movement too small to count or within a still window): the
            # person's rest before it stands, so a turn straight after it is a rep (`_neutral` asks for a
            # settled rest).
            self._neutral_since_s, self._last_neutral_s, self._rest_deg = rest_before
        else:
            self._rest_deg = rest_deg
            self._last_neutral_s = self._neutral_since_s = t_s
        return TrackerUpdate(Phase.NEUTRAL, side=side, hold_ended_early=ended_early, completed=completed)

    def _within_still(self, end_s: float) -> bool:
        """Whether the movement under way, back at rest at `end_s`, lay within a window in which a
        calibration found the person still (so it moved less than the calibration allows)."""
        return any(since <= self._start_s and end_s <= until for since, until in self._still_windows_s)

    # -- the end of the stream ----------------------------------------------------------------

    def unfinished(self) -> RepWindow | None:
        """The rep under way when the stream ends (on its way out, holding or on its way back), as
        far as it was measured: its peak so far and its longest hold so far, a hold still going on
        counted up to the last frame the person was seen; it ends at that frame. None when no rep
        is under way. Reads only: the tracker goes on as before if more frames come.

        The hold is the live reading, not `coach.reps.hold_dating`'s: that fit needs the way back."""
        if self._peak <= 0 or self._last_seen_s is None:
            return None
        hold_start_s, hold_end_s = self._best_hold
        if self._hold_start_s is not None:
            end_s = self._exit_pending_s if self._exit_pending_s is not None else self._last_seen_s
            if end_s - self._hold_start_s > hold_end_s - hold_start_s:
                hold_start_s, hold_end_s = self._hold_start_s, end_s
        if hold_end_s <= hold_start_s:
            hold_start_s = hold_end_s = self._peak_s  # never held: the moment of the peak, for no time
        return RepWindow(
            side=self._side(),
            start_s=self._start_s,
            hold_start_s=hold_start_s,
            hold_end_s=hold_end_s,
            end_s=self._last_seen_s,
            peak_deg=self._peak,
        )

    # -- helpers ------------------------------------------------------------------------------

    def _clear_rep(self) -> None:
        self._phase = Phase.NEUTRAL
        self._peak = 0.0
        self._hold_start_s = None
        self._hold_trace = []
        self._best_hold = (0.0, 0.0)
        self._fastest_dps = 0.0
        self._back_in_view_s = -np.inf
        self._holds = []
        self._hold_done = False
        self._redate_at_s = None
        self._exit_pending_s = None
        self._neutral_since_s = None
        self._rest_before = None
        self._trace.clear()

    def _keep_trace(self, t_s: float, body_xy: np.ndarray | None) -> None:
        points = None if body_xy is None else np.asarray(body_xy, dtype=float)
        self._trace.append((t_s, self._raw, points))
        in_rep = self._peak > 0 or self._hold_start_s is not None
        keep_s = TRACE_MAX_S if in_rep else PRE_ROLL_S
        while t_s - self._trace[0][0] > keep_s:
            self._trace.popleft()

    def _dated_hold(self) -> tuple[float, float]:
        """The rep's hold dated from its frames (`coach.reps.hold_dating`): the raw angle and, when every
        frame has them, the body's points.

        Holds the tracker read one after the other at one level, without leaving the end range in
        between (a reading that jolted or settled a little), are one hold; the longest such span is
        the rep's. Its movement in began after the span before it (a pause on the way out) and its
        movement out ended before the span after it (settling clearly lower, or a second go)."""
        spans: list[list[float]] = []  # [start, end, level]
        for start, end, level in self._holds:
            if spans and self._one_hold(spans[-1][1], spans[-1][2], start, level):
                spans[-1][1] = end
            else:
                spans.append([start, end, level])
        if not spans or max(end - start for start, end, _ in spans) <= 0:
            return self._peak_s, self._peak_s  # never held: the moment of the peak, for no time
        best = max(range(len(spans)), key=lambda k: spans[k][1] - spans[k][0])
        hold_start_s, hold_end_s = spans[best][0], spans[best][1]
        after_s = spans[best - 1][1] if best > 0 else -np.inf
        before_s = spans[best + 1][0] if best + 1 < len(spans) else np.inf
        times, angles, body = self._trace_between(after_s, before_s)
        return date_hold(times, angles, body, hold_start_s, hold_end_s, sway_free=self.rules.sway_free_shape)

    def _trace_between(
        self, after_s: float, before_s: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The rep's frames from `after_s` to `before_s`: times, raw angles and, when every frame has
        them (all of one shape), the body's points."""
        frames = [(t, raw, p) for t, raw, p in self._trace if after_s <= t <= before_s]
        times = np.array([t for t, _, _ in frames])
        angles = np.array([raw for _, raw, _ in frames])
        points = [p for _, _, p in frames if p is not None]
        every_frame = len(points) == len(frames) and len({p.shape for p in points}) == 1
        return times, angles, np.stack(points) if every_frame and points else None

    def _one_hold(self, end_s: float, level: float, next_start_s: float, next_level: float) -> bool:
        """Whether a hold that ended and the next one are the same hold: at one level, and the angle
        stayed in the end range between them."""
        drop = self._exit_drop()
        between = [raw * self._direction for t, raw, _ in self._trace if end_s < t < next_start_s]
        return (
            abs(level - next_level) <= drop and min(between, default=level) >= min(level, next_level) - drop
        )

    def _side(self) -> str | None:
        if not self.rules.signed:
            return None
        return "left" if self._direction > 0 else "right"

    def _best_hold_s(self) -> float:
        return self._best_hold[1] - self._best_hold[0]

    def _remember(self, angle: float, raw: float, t_s: float) -> None:
        smoothed = (self._samples, angle, self.rules.speed_window_s)
        for samples, value, window_s in (smoothed, (self._raw_samples, raw, ARRIVAL_WINDOW_S)):
            samples.append((t_s, value))
            # Keep the speed window, but never fewer than `MIN_SAMPLES` (low frame rates).
            while len(samples) > MIN_SAMPLES and t_s - samples[0][0] > window_s:
                samples.popleft()

    def _sustained(self) -> float:
        """The level the smoothed angle kept over the speed window (its median), outwards."""
        return float(np.median([a for _, a in self._samples])) * self._direction

    def _arrival_speed(self) -> float:
        """The raw angle's speed over `ARRIVAL_WINDOW_S`, degrees per second. Unsmoothed, so a movement
        that has stopped reads still without the smoothing's lag."""
        return median_slope(self._raw_samples)

    def _speed(self) -> float:
        """The smoothed angle's speed across the speed window, degrees per second."""
        return median_slope(self._samples)


def median_slope(samples: deque[tuple[float, float]]) -> float:
    """The speed of (time, value) samples: the median of the slopes between every two of them (one
    jolt of the model's reading moves it little, where it tilts a least-squares line)."""
    if len(samples) < 2:
        return 0.0
    times = np.array([sample[0] for sample in samples])
    values = np.array([sample[1] for sample in samples])
    first, second = np.triu_indices(len(times), 1)
    return float(np.median((values[second] - values[first]) / (times[second] - times[first])))


def unseen_s(t_s: np.ndarray, moment_s: float, *, before: bool) -> float:
    """How long the frames `t_s` (increasing) show nothing right before (or after) `moment_s`, beyond
    their usual interval: 0 when the frames run on without a gap."""
    if len(t_s) < 2:
        return 0.0
    interval = float(np.median(np.diff(t_s)))
    if before:
        seen = t_s[t_s < moment_s]
        gap = moment_s - float(seen[-1]) if len(seen) else 0.0
    else:
        seen = t_s[t_s > moment_s]
        gap = float(seen[0]) - moment_s if len(seen) else 0.0
    return max(gap - interval, 0.0)
