"""A neutral taken mid-stretch, seen from the readings after it: the stretch goes one way only.

The arch only goes back from the way a person sits. Calibrated in a held arch (a recording that opens
in one, or whose short sitting gave way to an arch before the coach was ready), the person's true
neutral reads as a forward "arch" of about the held one. Sitting still further forward than the
neutral by more than a rep's start is that, and where they sit then is their neutral, if it passes
the calibration's checks of a starting position (a slump with the hands behind the head can read so
too, and then is). The line is the rep's start, not its least peak: at the desk the elbows' reading
saturates a few degrees forward on some bodies (they rise only until they are above the arch's pivot).

A turn goes either way, so this says nothing about it (its neutral is checked for square shoulders).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from coach.pose.types import Pose

Frame = tuple[tuple[Pose, ...], float]  # the people the model found, and the frame's time


class WrongWayWatch:
    """Collects the frames read past `limit_deg` the wrong way (`Analyzer.wrong_way_deg`); once they
    span `window_s`, hands over the last `window_s` of them as a window to try to calibrate on (the
    calibration's own checks judge whether the person sat still in it), at most every `retry_s`.

    limit_deg: where the stretch's rep starts; window_s: the still window a calibration asks for.
    """

    def __init__(self, limit_deg: float, window_s: float) -> None:
        self.limit_deg = limit_deg
        self.window_s = window_s
        self.retry_s = window_s / 4
        self._frames: deque[Frame] = deque()
        self._handed_s = -float("inf")

    def reset(self) -> None:
        self._frames.clear()
        self._handed_s = -float("inf")

    def add(self, wrong_way_deg: float | None, poses: Sequence[Pose], t_s: float) -> list[Frame] | None:
        """This frame's reading (None: not measured); a window to try, when there is one."""
        if wrong_way_deg is None:
            return None
        if wrong_way_deg < self.limit_deg:
            self._frames.clear()
            return None
        self._frames.append((tuple(poses), t_s))
        while len(self._frames) > 1 and t_s - self._frames[1][1] >= self.window_s:
            self._frames.popleft()
        if t_s - self._frames[0][1] < self.window_s or t_s - self._handed_s < self.retry_s:
            return None
        self._handed_s = t_s
        return list(self._frames)
