"""When a hold began and ended, read from the whole rep rather than from the frame a threshold tripped.

A stretch held at its end position is one smooth movement out, a still end position and one smooth
movement back. Each signal of it (the exercise's angle, the image positions of the head, shoulders
and hips) follows that shape between its own two levels, and all of them move at the same moments.
`date_hold` fits the shape to every signal at once, by least squares over all the rep's frames, and
reads the hold from the fitted moments: the movement out arriving, the movement back departing.

Why a fit: a threshold on a speed or a level near the end position is crossed where the movement has
almost stopped, so which of the model's noisy readings a camera happens to catch moves that moment
by a few frames (the same clip at 10 and at 15 fps gave holds 0.3 s apart). A fit uses every frame of
the movement, so dropping or repeating frames moves it by a fraction of one.

- The movement is a cosine ease: a smooth start and a smooth stop. (A minimum-jerk profile, the other
  usual model of a deliberate movement, reads holds 0.1-0.2 s shorter on the rendered clips.)
- Each signal has its own levels before and after (solved exactly for each candidate timing) and its
  own noise, estimated from its residuals, so a landmark the model tracks badly weighs little; a
  robust (Cauchy) weight per frame discounts the model's one-frame jolts.
- A body is never quite still: it breathes and sways. What a signal does during the hold (the
  tracker's reading of it) is its noise, so a signal whose hold wobbles by much of its excursion (a
  shoulder's height under a sideways sway) weighs little against one that moves far and holds still.
  A sway moves every upper-body point at once; the points' shared wobble counts once, not once a
  point (their noise grows with how few independent ways they wobble in: the participation ratio of
  their correlations over the hold).
- A hold may ease deeper while it is held (a stretch settling, 1.5-2 degrees over two seconds, and
  the head with it). The movement out stops at its end position and the easing deeper starts from
  rest: the ramp decelerates into the hold, the creep accelerates out of it. So each signal's level
  may move on after the arrival by its own `c * (t - arrival)**2`, only deeper (the way the movement
  went; before the departure, read in reverse time, only back towards where it came from). A flat
  level fitted to a rising plateau is met late (the fit slows the ramp to reach the plateau's
  average); a creep that starts from rest cannot stand in for the ramp's own decelerating end, so it
  does not pull the arrival early either. (A linear drift can: it read still holds 0.1-0.25 s early.)
- A sway rocks the whole upper body about the hips. A turn changes the upper body's shape in the
  picture (it turns out of the picture's plane) and a sway does not, so for a turn (`sway_free`) the
  head's and shoulders' points turned about the middle of the hips onto their median shape date the
  hold too: the points as seen, and what is left of them once any rock about the hips is taken out.
  (An arch seen from the side is itself a turn of the head and shoulders in the picture's plane: its
  shape says nothing of it.) At the desk the hips are not seen and nothing is taken out.
- Signals can disagree by a tenth of a second or two (in a low-back arch the body slides forward on
  the seat and the head stays put while the spine still bends; the angle reads the end of a turn
  compressed), so no one signal decides: the fit is the compromise of all of them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from coach.pose.framing import Framing
from coach.pose.geometry import MAD_TO_STD
from coach.pose.landmarks import PoseLandmark

L = PoseLandmark
# The points whose movement dates a hold: the head and shoulders move in both stretches; the hips
# stay put in a good rep and show a slide on the seat. The elbows are left out: the model loses the
# far one behind the head and throws it about.
MOVING_LANDMARKS: tuple[L, ...] = (
    L.NOSE,
    L.LEFT_EAR,
    L.RIGHT_EAR,
    L.LEFT_SHOULDER,
    L.RIGHT_SHOULDER,
    L.LEFT_HIP,
    L.RIGHT_HIP,
)
_MOVING_INDEX = list(MOVING_LANDMARKS)
# At the desk the hips are below the picture, where the model guesses them: they date nothing.
_DESK_MOVING_INDEX = [landmark for landmark in MOVING_LANDMARKS if landmark not in (L.LEFT_HIP, L.RIGHT_HIP)]
# Where the head's and shoulders' points and the hips sit among `MOVING_LANDMARKS`.
_UPPER = [k for k, landmark in enumerate(MOVING_LANDMARKS) if landmark not in (L.LEFT_HIP, L.RIGHT_HIP)]
_HIPS = [MOVING_LANDMARKS.index(L.LEFT_HIP), MOVING_LANDMARKS.index(L.RIGHT_HIP)]
RAMP_MIN_S = 0.1
# The slowest movement out or back looked for ("slow and controlled" is a second or two).
RAMP_MAX_S = 4.0
# The search: every candidate timing on a coarse grid, then finer grids around the best one. (A 0.04 s
# first grid finds the same holds within 0.03 s, at twice the time.)
SEARCH_STEPS_S = (0.08, 0.02, 0.005, 0.00125)
ROBUST_ITERATIONS = 3
CAUCHY_C = 2.385  # the usual 95 %-efficiency constant, in robust standard deviations
# A signal's noise counts as at least this share of its excursion: past about 20 to 1 the model's own
# systematic errors (how it reads a limb near the end of a movement) outweigh its jitter, so a cleaner
# signal is not a truer one, and a rendered hold can be exactly still. (0.01-0.05 measured alike.)
NOISE_FLOOR_OF_EXCURSION = 0.05
# A fitted moment further than this from the tracker's own reading is a fit gone wrong (a rep that is
# not one movement out and one back); the tracker's reading stands then.
MAX_SHIFT_S = 1.0
# A hold of fewer frames than this says nothing about how the signals wobble while held.
MIN_HOLD_FRAMES = 4


@dataclass(frozen=True)
class Ramp:
    """A fitted movement from one level to another: it leaves the first at `start_s` and reaches the
    second at `end_s`."""

    start_s: float
    end_s: float


def moving_points(xy: np.ndarray, framing: Framing = Framing.FULL) -> np.ndarray:
    """The `MOVING_LANDMARKS` of one pose's landmarks (33, 2) that the framing shows: (K, 2), a copy."""
    return xy[_DESK_MOVING_INDEX if framing is Framing.DESK else _MOVING_INDEX]


def ease(x: np.ndarray) -> np.ndarray:
    """The movement's progress, 0 to 1, at fraction `x` of its duration (clipped outside)."""
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))


def date_hold(
    t_s: np.ndarray,
    angle_deg: np.ndarray,
    body_xy: np.ndarray | None,
    hold_start_s: float,
    hold_end_s: float,
    *,
    sway_free: bool = False,
) -> tuple[float, float]:
    """A rep's hold (start, end), fitted over its frames.

    t_s: (N,) increasing frame times, from before the rep left neutral to its return.
    angle_deg: (N,) the exercise's angle, unsmoothed. body_xy: (N, K, 2) image points of
    `MOVING_LANDMARKS` (any fixed K), or None to date from the angle alone. sway_free: the movement
    changes the upper body's shape in the picture (a turn): with all of `MOVING_LANDMARKS`, their upper
    body freed of any rock about the hips (`sway_free_points`) dates the hold too.
    hold_start_s, hold_end_s: the tracker's own reading of the hold; its middle splits the frames into
    the movement out and the movement back. A fitted moment that is implausible keeps the tracker's."""
    t_s = np.asarray(t_s, dtype=float)
    angle = np.asarray(angle_deg, dtype=float).reshape(len(t_s), 1)
    points: list[np.ndarray] = []
    if body_xy is not None:
        xy = np.asarray(body_xy, dtype=float).reshape(len(t_s), -1, 2)
        points.append(xy.reshape(len(t_s), -1))
        if sway_free and xy.shape[1] == len(MOVING_LANDMARKS):
            points.append(sway_free_points(xy).reshape(len(t_s), -1))
    signals = np.hstack([angle, *points])
    usable = np.all(np.isfinite(signals), axis=1)
    t_s, signals = t_s[usable], signals[usable]
    noise = hold_noise(signals[(t_s >= hold_start_s) & (t_s <= hold_end_s)], signals)
    middle = (hold_start_s + hold_end_s) / 2
    out = (t_s <= middle) & (t_s >= hold_start_s - RAMP_MAX_S - MAX_SHIFT_S)
    back = (t_s >= middle) & (t_s <= hold_end_s + RAMP_MAX_S + MAX_SHIFT_S)
    going = fit_ramp(t_s[out], signals[out], noise)
    # The movement back, read in reverse time, is a movement out: its arrival is the departure, and a
    # hold easing deeper goes back the way it came as time runs backwards.
    coming = fit_ramp(-t_s[back][::-1], signals[back][::-1], noise, creep=-1.0)
    start = going.end_s if going is not None else hold_start_s
    end = -coming.end_s if coming is not None else hold_end_s
    if not (abs(start - hold_start_s) <= MAX_SHIFT_S and start <= middle):
        start = hold_start_s
    if not (abs(end - hold_end_s) <= MAX_SHIFT_S and end >= middle):
        end = hold_end_s
    return start, end


def sway_free_points(xy: np.ndarray) -> np.ndarray:
    """The head's and shoulders' points of `MOVING_LANDMARKS` (N, 7, 2), each frame's turned about its
    middle of the hips onto their median shape over the frames: (N, 5, 2), relative to the hips.

    A sway about the hips moves them not at all; a breath lifting the upper body, a little. Frames with
    a missing point stay missing."""
    relative = xy[:, _UPPER] - xy[:, _HIPS].mean(axis=1, keepdims=True)
    out = np.full_like(relative, np.nan)
    seen = np.all(np.isfinite(relative), axis=(1, 2))
    if not seen.any():
        return out
    turned = relative[seen]
    for _ in range(2):  # the median shape, then each frame turned onto it, twice
        shape = np.median(turned, axis=0)
        cross = (relative[seen, :, 0] * shape[:, 1] - relative[seen, :, 1] * shape[:, 0]).sum(axis=1)
        angle = np.arctan2(cross, (relative[seen] * shape).sum(axis=(1, 2)))
        cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
        x, y = relative[seen, :, 0], relative[seen, :, 1]
        turned = np.stack([cos * x - sin * y, sin * x + cos * y], axis=-1)
    out[seen] = turned
    return out


def hold_noise(held: np.ndarray, signals: np.ndarray) -> np.ndarray | None:
    """Each signal's noise while the body holds: (C,), in the signals' units; None with too few frames.

    held: (M, C) the hold's frames; signals: (N, C) all the rep's frames, column 0 the angle and the rest
    body points. A signal's noise is its robust spread over the hold, at least `NOISE_FLOOR_OF_EXCURSION`
    of its excursion. The body points' noise is then raised by sqrt(K / PR), PR the participation
    ratio of their K wobbles' correlation matrix (K when each wobbles on its own, 1 when all wobble
    as one): a sway or a breath that moves them all together is one piece of evidence."""
    if len(held) < MIN_HOLD_FRAMES:
        return None
    excursion = np.percentile(signals, 95, axis=0) - np.percentile(signals, 5, axis=0)
    wobble = held - np.median(held, axis=0)
    spread = MAD_TO_STD * np.median(np.abs(wobble), axis=0)
    noise = np.maximum(spread, NOISE_FLOOR_OF_EXCURSION * excursion)
    points = wobble[:, 1:] - wobble[:, 1:].mean(axis=0)
    if points.shape[1] > 1:
        deviation = points.std(axis=0)
        standard = points / np.where(deviation > 0, deviation, 1.0)
        correlation = standard.T @ standard / len(standard)
        np.fill_diagonal(correlation, 1.0)
        participation = points.shape[1] ** 2 / float(np.sum(correlation**2))
        noise[1:] *= np.sqrt(points.shape[1] / participation)
    return noise


def fit_ramp(
    t_s: np.ndarray,
    signals: np.ndarray,
    noise: np.ndarray | None = None,
    creep: float = 1.0,
    *,
    ends_within: tuple[float, float] | None = None,
) -> Ramp | None:
    """The one movement between two levels that fits every signal best; None with too few frames.

    t_s: (N,) increasing times. signals: (N, C), one signal a column; each moves between its own two
    levels, all at the same moments, and may have begun moving before the first frame. noise: (C,)
    each signal's least noise (`hold_noise`), in its units; without it, `NOISE_FLOOR_OF_EXCURSION`.
    creep: the way each signal's second level may move on after the arrival, from rest, as
    `c * (t - end_s)**2`: +1 only further the way the movement went, -1 only back, 0 not at all.
    ends_within: (earliest, latest) the movement may end, when that is known (a far smaller search)."""
    t_s = np.asarray(t_s, dtype=float)
    signals = np.asarray(signals, dtype=float).reshape(len(t_s), -1)
    if len(t_s) < 4 or t_s[-1] - t_s[0] < RAMP_MIN_S:
        return None
    # Each signal in units of its own excursion (levels are free, so this changes no fit, but keeps the
    # sums well conditioned); one that does not move says nothing about when the movement happened.
    excursion = np.percentile(signals, 95, axis=0) - np.percentile(signals, 5, axis=0)
    moving = excursion > 1e-9 * (1.0 + np.abs(signals).max(axis=0))
    if not moving.any():
        return None
    signals = (signals[:, moving] - np.median(signals[:, moving], axis=0)) / excursion[moving]
    floor = np.full(signals.shape[1], NOISE_FLOOR_OF_EXCURSION)
    if noise is not None:
        floor = np.maximum(floor, np.asarray(noise, dtype=float)[moving] / excursion[moving])
    coarse = SEARCH_STEPS_S[0]
    grid = np.arange(t_s[0] - RAMP_MAX_S, t_s[-1] + coarse / 2, coarse)
    first, second = np.triu_indices(len(grid), 1)
    starts, ends = grid[first], grid[second]
    keep = _plausible(starts, ends, ends_within) & (ends >= t_s[0])
    if not keep.any():
        return None  # no movement of a plausible length ends where asked
    # Until the fit has residuals to tell each signal's noise, each counts by its least noise (not by
    # its frame-to-frame jitter, which a repeated frame hides).
    weights = np.ones_like(signals) / floor**2
    best, weights = _search(t_s, signals, starts[keep], ends[keep], weights, floor, creep)
    for wider, step in itertools.pairwise(SEARCH_STEPS_S):
        box = np.arange(-wider, wider + step / 2, step)
        starts, ends = (grid.ravel() for grid in np.meshgrid(best.start_s + box, best.end_s + box))
        keep = _plausible(starts, ends, ends_within)
        best, weights = _search(t_s, signals, starts[keep], ends[keep], weights, floor, creep)
    return best


def _plausible(
    starts: np.ndarray, ends: np.ndarray, ends_within: tuple[float, float] | None = None
) -> np.ndarray:
    duration = ends - starts
    plausible = (duration >= RAMP_MIN_S) & (duration <= RAMP_MAX_S)
    if ends_within is not None:
        plausible &= (ends >= ends_within[0]) & (ends <= ends_within[1])
    return plausible


def _search(
    t_s: np.ndarray,
    signals: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    weights: np.ndarray,
    floor: np.ndarray,
    creep: float,
) -> tuple[Ramp, np.ndarray]:
    """The candidate (start, end) with the least weighted squared error, refining the weights.

    Each signal is a(1 - p) + b p + c q, p the movement's progress and q = (t - end)**2 after the
    arrival (0 before). For each candidate and signal the levels a, b and the creep c solve a weighted
    least-squares problem; its sums over the frames all follow from those of w, w*y, w*y*y, w*p, w*p*p,
    w*p*y, w*q, w*q*q and w*q*y (q is 0 wherever p < 1, so w*p*q is w*q): one matrix product per
    robust iteration. A creep the wrong way keeps the flat level (c = 0), the best one the right way."""
    progress = ease((t_s[None, :] - starts[:, None]) / (ends - starts)[:, None])  # (P, N)
    settling = np.maximum(t_s[None, :] - ends[:, None], 0.0) ** 2  # (P, N)
    terms = np.vstack([progress, progress * progress, settling, settling * settling])  # (4P, N)
    candidates, channels = len(starts), signals.shape[1]
    k = 0
    for _ in range(ROBUST_ITERATIONS):
        weighted = weights * signals
        sums = terms @ np.hstack([weights, weighted])
        wp, wpy = sums[:candidates, :channels], sums[:candidates, channels:]
        wpp = sums[candidates : 2 * candidates, :channels]
        wq, wqy = (
            sums[2 * candidates : 3 * candidates, :channels],
            sums[2 * candidates : 3 * candidates, channels:],
        )
        wqq = sums[3 * candidates :, :channels]
        w, wy, wyy = weights.sum(axis=0), weighted.sum(axis=0), (weighted * signals).sum(axis=0)
        before_before, before_after, after_after = w - 2 * wp + wpp, wp - wpp, wpp
        before_y, after_y = wy - wpy, wpy
        level_before, level_after, solvable = _levels(
            before_before, before_after, after_after, before_y, after_y, w
        )
        error = wyy - level_before * before_y - level_after * after_y  # at the least-squares optimum
        # With the creep free, c = (wqy - wq b) / wqq: b's sums lose what c explains.
        settles = wqq > 1e-12 * w
        wqq_safe = np.where(settles, wqq, 1.0)
        creeping_after = after_after - np.where(settles, wq**2 / wqq_safe, 0.0)
        creeping_after_y = after_y - np.where(settles, wq * wqy / wqq_safe, 0.0)
        creeping = _levels(before_before, before_after, creeping_after, before_y, creeping_after_y, w)
        rate = np.where(settles, (wqy - wq * creeping[1]) / wqq_safe, 0.0)
        creeps = settles & creeping[2] & (creep * rate * (creeping[1] - creeping[0]) > 0)
        creeping_error = wyy - creeping[0] * before_y - creeping[1] * after_y - rate * wqy
        level_before = np.where(creeps, creeping[0], level_before)
        level_after = np.where(creeps, creeping[1], level_after)
        rate = np.where(creeps, rate, 0.0)
        error = np.where(creeps, creeping_error, error).sum(axis=1)
        error[~np.all(solvable, axis=1)] = np.inf
        k = int(np.argmin(error))
        fitted = (
            np.outer(1.0 - progress[k], level_before[k])
            + np.outer(progress[k], level_after[k])
            + np.outer(settling[k], rate[k])
        )
        weights = _robust_weights(signals - fitted, floor)
    return Ramp(float(starts[k]), float(ends[k])), weights


def _levels(
    before_before: np.ndarray,
    before_after: np.ndarray,
    after_after: np.ndarray,
    before_y: np.ndarray,
    after_y: np.ndarray,
    w: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two levels solving the 2x2 normal equations, and whether they are solvable: a candidate
    whose movement lies wholly before or after the frames leaves one level unseen (its sum is then
    only rounding error)."""
    det = before_before * after_after - before_after**2
    solvable = (
        (before_before > 1e-9 * w) & (after_after > 1e-9 * w) & (det > 1e-12 * before_before * after_after)
    )
    det = np.where(det > 0, det, np.inf)
    level_before = (after_after * before_y - before_after * after_y) / det
    level_after = (before_before * after_y - before_after * before_y) / det
    return level_before, level_after, solvable


def _robust_weights(residuals: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Cauchy weights on each signal's own robust noise (at least `floor`, in units of the signal's
    excursion), divided by that noise squared. (Smooth: a frame never drops out of the fit all at
    once, so one frame more or less moves it a little.)"""
    noise = np.maximum(MAD_TO_STD * np.median(np.abs(residuals), axis=0), floor)
    scaled = residuals / (CAUCHY_C * noise[None, :])
    return 1.0 / (1.0 + scaled**2) / noise[None, :] ** 2
