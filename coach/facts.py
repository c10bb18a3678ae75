"""What the coach knows about each stretch, in one place (the article the README opens with).

Every stage reads these facts from here: names and titles, how long a hold is asked for and how
long a hold must be for a rep to count, how far holds may progress, whether reps go by side.
"""

from __future__ import annotations

from dataclasses import dataclass

ROTATE = "rotate"
ARCH = "arch"


@dataclass(frozen=True)
class Stretch:
    """One stretch.

    hold_s: the hold asked for (the article: "hold for 2 seconds"; "a second or two" for the arch).
    counted_hold_s: the shortest hold that still makes a good rep at the standard `hold_s`.
    max_hold_s: progression lengthens holds up to this (end-range extension gets the shorter one).
    by_side: reps are counted per side (left and right turns).
    movement: what the coach measures, in words ("the turn").
    max_plausible_deg: readings past this are not a spine's: seated thoracic rotation in healthy
        adults is about 45 degrees a side (with the low back's few more), extension over a backrest a
        few tens of degrees. Such a reading means the calibration or the landmarks are wrong, and it
        is never counted, stored as a peak, or taken as a comfortable range.
    """

    name: str
    title: str
    movement: str
    hold_s: float
    counted_hold_s: float
    max_hold_s: float
    by_side: bool
    max_plausible_deg: float


STRETCHES: dict[str, Stretch] = {
    ROTATE: Stretch(
        ROTATE,
        "Sit and Rotate",
        "the turn",
        2.0,
        counted_hold_s=1.5,
        max_hold_s=4.0,
        by_side=True,
        max_plausible_deg=70.0,
    ),
    ARCH: Stretch(
        ARCH,
        "Sit and Arch",
        "the arch",
        2.0,
        counted_hold_s=1.0,
        max_hold_s=3.0,
        by_side=False,
        max_plausible_deg=50.0,
    ),
}
EXERCISES = tuple(STRETCHES)
REPS_LADDER = (3, 5, 10)  # the article: 3 reps, progressing to 5-10


def stretch(name: str) -> Stretch:
    """The stretch called `name`; ValueError naming the choices when there is none."""
    if name not in STRETCHES:
        raise ValueError(f"Unknown exercise '{name}': choose one of {', '.join(EXERCISES)}")
    return STRETCHES[name]
