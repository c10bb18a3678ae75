"""What a session's end says to people: the rep it ended during, and why it counted no rep (or far
fewer reps than the movements it saw).

Both are sentences for the person, computed from what the session measured (its per-frame rows, its
calibration summary, the incomplete rep its analyzer reported at the end); the report carries them
and every command prints them the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coach.exercises import exercise_facts
from coach.reps.analysis import FrameAnalysis, Phase, Rep
from coach.reps.tracker import ABANDON_AFTER_S, RepRules

# After calibration the person must be measured on at least this share of the frames; fewer, and
# the coach mostly did not see them (out of the picture, someone else in front, a dark room).
SEEN_FRACTION = 0.5
# "Far fewer reps than the person clearly did": at least this many more movements out past a rep's
# least peak (and back) than reps counted. With fewer reps, a share of the frames after calibration
# this large without the person is what to tell them first.
MISSED_REPS = 2
UNSEEN_FEW_REPS = 0.2
# With the hands away from the head on this share of the frames after calibration (and fewer reps
# than a set's), that is what to tell the person first.
HANDS_DOWN_FRACTION = 0.3
# Calibration problems whose own sentence says less than the general one (a recording is searched
# for a still window; that none was found is what the person needs to hear).
GENERAL_PROBLEMS = frozenset({"not_still", "too_short", "nobody"})
NEVER_CALIBRATED = {
    "video": (
        "Nothing was measured: the video never shows you sitting still for 2 seconds, which the coach "
        "needs first to learn your neutral. Start a recording sitting tall, hands behind your head, "
        "still for 3 seconds (or pass --profile)."
    ),
    "session": (
        "Nothing was measured: the session ended before the coach could learn your neutral; sit tall, "
        "hands behind your head, and hold still for 3 seconds first."
    ),
}


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ended_during(rep: Rep, counted: int, source: str = "video") -> str:
    """The rep the `source` ("video", "session") ended during, after `counted` reps: "the video ended
    during a 7th (left, held 1.2 s so far)"."""
    held = f"held {rep.hold_s:.1f} s so far" if rep.hold_s > 0 else "not held yet"
    details = ", ".join(part for part in (rep.side, held) if part)
    return f"the {source} ended during a {ordinal(counted + 1)} ({details})"


def fault_lines(exercise: str, reps: Sequence[Rep], hold_target_s: float | None = None) -> list[str]:
    """One line per rep with a fault, numbered as counted, with what to do about it:
    "Rep 3 right: 28 deg, held 1.0 s. Hold for 2 seconds.". A hold target asked for (`--hold`) is the
    one a short hold is told."""
    cues = dict(exercise_facts(exercise).fault_cues)
    if hold_target_s is not None:
        cues["short_hold"] = f"Hold for {hold_target_s:g} seconds"
    lines = []
    for number, rep in enumerate(reps, start=1):
        if not rep.faults:
            continue
        side = f" {rep.side}" if rep.side else ""
        advice = " ".join(f"{cues.get(fault, fault.replace('_', ' ').capitalize())}." for fault in rep.faults)
        measured = f"{abs(rep.peak_angle_deg):.0f} deg, held {rep.hold_s:.1f} s"
        lines.append(f"Rep {number}{side}: {measured}. {advice}")
    return lines


def found_again(calibration: dict[str, Any], source: str = "video") -> str | None:
    """What the coach did when the person sat still the wrong way for the stretch (a neutral first taken
    in a held arch is found again, `coach.pipeline.wrong_way`), in one sentence; None when it did not."""
    at_s = calibration.get("found_again_at_s")
    if at_s is None:
        return None
    return (
        f"At {at_s:.1f} s you sat still further forward than where the coach first took your neutral, so "
        f"it calibrated again on how you sat then and measured the whole {source} from it."
    )


def never_calibrated(calibration: dict[str, Any], source: str = "video") -> str:
    """Why nothing was measured, in one sentence: the calibration's own reason when it has one.
    `source`: "session" for a live one; anything else is a recording ("video", "analysis")."""
    reason = calibration.get("reason")
    problem = calibration.get("problem")
    if reason and (problem == "view" or calibration.get("measurable") is False):
        return str(reason)  # it says where to put the camera
    if not reason or problem in (None, *GENERAL_PROBLEMS):
        return NEVER_CALIBRATED.get(source, NEVER_CALIBRATED["video"])
    text = str(reason)
    if text[:2] != text[:2].upper():  # "Your hips ..." reads on after a colon; "TV ..." keeps its case
        text = text[0].lower() + text[1:]
    return f"Nothing was measured: {text}"


def reps_reason(
    exercise: str,
    calibration: dict[str, Any],
    rows: Sequence[FrameAnalysis],
    incomplete: Rep | None,
    counted: int,
    source: str = "video",
) -> str | None:
    """Why a session counted no rep, or far fewer reps than the movements it saw, in one sentence
    (None when neither).

    calibration: the pipeline's calibration summary (`calibrated`, `calibrated_at_s`, the
    `still_windows_s` its calibrations found the person still in, and while never calibrated its
    `reason` and `problem`). rows: every frame's analysis. incomplete: the rep the session ended
    during. counted: the reps counted. source: "video", "session" (live) or "analysis" (an analysis
    stopped before the video ended), as the sentence names it.
    """
    if counted == 0 and not calibration.get("calibrated"):
        return never_calibrated(calibration, source)
    facts = exercise_facts(exercise)
    noun = facts.stretch.movement.split()[-1]  # "turn", "arch"
    rules = facts.rep_rules
    # Measured from here on: from the calibration, or (a recording) from its first frame.
    calibrated_at_s = calibration.get("calibrated_at_s")
    measured_from_s = calibration.get("measured_from_s", calibrated_at_s)
    after = [
        row
        for row in rows
        if row.phase is not Phase.CALIBRATING and (measured_from_s is None or row.t_s >= measured_from_s)
    ]
    outward = [_outward(row.angle_deg, facts.stretch.by_side) for row in after if row.angle_deg is not None]
    unseen = 1.0 - len(outward) / len(after) if after else 0.0
    hands_down = int(calibration.get("hands_down_frames", 0))
    if after and hands_down >= HANDS_DOWN_FRACTION * len(after) and counted < MISSED_REPS:
        return (
            f"Your hands were away from your head for {hands_down / len(after):.0%} of the {source} after "
            "calibration: do both stretches with your hands behind your head, elbows wide."
        )
    if counted == 0 and calibration.get("recalibrations"):
        return (
            f"Readings of your {noun} went past what a spine can do, so the calibration was off and the "
            "coach calibrated again: start sitting tall, facing forward, hands behind your head."
        )
    if counted > 0:
        # The model's jitter while the person sat still for a calibration is no movement (nor a rep).
        still = [window for window in calibration.get("still_windows_s", ()) if len(window) == 2]
        moving = [
            _outward(row.angle_deg, facts.stretch.by_side)
            for row in after
            if row.angle_deg is not None and not any(start <= row.t_s <= end for start, end in still)
        ]
        movements = _movements(moving, rules.min_peak_deg, rules.return_deg, rules.return_share)
        if movements - counted - (incomplete is not None) < MISSED_REPS:
            return None
        if unseen >= UNSEEN_FEW_REPS:
            return (
                f"The coach lost sight of you for {unseen:.0%} of the {source} after calibration, and "
                f"reps out of view are not counted: keep your {_in_view(calibration)} in the picture."
            )
        return (
            f"You went past {rules.min_peak_deg:.0f} degrees {movements} times but {counted} reps counted: "
            f"each rep starts and ends back {_back_band(rules)} of where you sat at calibration, with a "
            "moment's pause there."
        )
    if incomplete is not None:
        return (
            f"The {source} ended before you came back from your first {noun}: "
            "a rep counts once you are back where you sat at calibration."
        )
    ended = f"The {source} ended as soon as the coach had learnt your neutral: nothing was left to count."
    if not after:
        return ended
    if unseen > 1.0 - SEEN_FRACTION:
        return (
            f"The coach lost sight of you after calibration: keep your {_in_view(calibration)} "
            "in the picture, and only you in front of the camera."
        )
    largest = max(outward)
    if largest <= rules.return_deg and calibrated_at_s is not None and after[-1].t_s <= calibrated_at_s:
        return ended  # (all it measured before then was the sitting it calibrated on)
    if largest < rules.min_peak_deg:
        return (
            f"Your largest {noun} was {max(largest, 0.0):.0f} degrees from where you sat at calibration; "
            f"a rep counts from {rules.min_peak_deg:.0f} degrees."
        )
    if _longest_gap_s(after) > ABANDON_AFTER_S:
        return (
            f"The coach lost sight of you during your {noun} (up to {largest:.0f} degrees): keep your "
            f"{_in_view(calibration)} in the picture."
        )
    return (
        f"You reached {largest:.0f} degrees but never settled back {_back_band(rules)} of where you sat "
        "at calibration, where each rep starts and ends."
    )


def _in_view(calibration: dict[str, Any]) -> str:
    """What the picture must keep showing: at the desk (calibrated there) the hips are below it."""
    if calibration.get("framing") == "desk":
        return "head, shoulders and elbows"
    return "head, shoulders, elbows and hips"


def _outward(angle_deg: float, by_side: bool) -> float:
    """How far out a reading is: either way for a turn, only backwards for the arch."""
    return abs(angle_deg) if by_side else angle_deg


def _back_band(rules: RepRules) -> str:
    """Where a rep ends, in words (`RepRules.return_deg`, and `return_share` of the rep's peak)."""
    if rules.return_share > 0:
        return f"within {rules.return_deg:.0f} degrees (or {rules.return_share:.0%} of how far you went)"
    return f"within {rules.return_deg:.0f} degrees"


def _movements(outward: Sequence[float], out_deg: float, back_deg: float, back_share: float = 0.0) -> int:
    """How many times the reading went out past `out_deg`, coming back within `back_deg` (or within
    `back_share` of that movement's peak) in between."""
    count, out, peak = 0, False, 0.0
    for value in outward:
        if not out and value >= out_deg:
            count, out, peak = count + 1, True, value
        elif out:
            peak = max(peak, value)
            if value <= max(back_deg, back_share * peak):
                out = False
    return count


def _longest_gap_s(rows: Sequence[FrameAnalysis]) -> float:
    """The longest time the person was out of view (between two frames they were measured on)."""
    longest, last_seen = 0.0, None
    for row in rows:
        if row.angle_deg is None:
            continue
        if last_seen is not None:
            longest = max(longest, row.t_s - last_seen)
        last_seen = row.t_s
    return longest
