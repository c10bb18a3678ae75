"""Stay with one person when several are in view: continuity of position and size."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np

from coach.pose.framing import Framing, body_scale_px, framing_of
from coach.pose.geometry import midpoint
from coach.pose.landmarks import PoseLandmark as L
from coach.pose.plausibility import is_usable_upper_body
from coach.pose.types import Pose

TRUNK = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP]
# A person is in the video only if followed this long without a gap (or through all of a shorter
# clip): the model's phantoms in a hand or a moving background flicker for a fraction of a second.
MIN_PRESENCE_S = 1.0
# A pose is the person's size when it is near the last frame's (the model's reading of the size can
# drift over many frames: the shoulders on the collar through a whole rep with the head back) or near
# the median over the frames followed in this last stretch: at the desk the model now and then puts the
# shoulders on the collar for a single frame (a span a third to a half narrower, flickering on some
# bodies even at rest), and judged against that frame alone every true frame after it looked like
# someone else (3 s lost at a time on a held-out desk render).
SIZE_MEMORY_S = 1.0


def trunk_centre_and_size(pose: Pose, session: Framing | None = None) -> tuple[np.ndarray, float, Framing]:
    """Where the person is and how big, from what the picture shows of them: the trunk, or at the desk
    (`coach.pose.framing`; in a desk `session`, every frame) the shoulders, as the hips the model
    guesses below the picture jump about; and that framing (the two sizes are each other's only
    roughly)."""
    framing = framing_of(pose.xy, pose.visibility, pose.image_size, session)
    size = max(body_scale_px(pose.xy, framing), 1.0)
    if framing is Framing.DESK:
        return midpoint(pose.xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER), size, framing
    return pose.xy[TRUNK].mean(axis=0), size, framing


class PersonSelector:
    """Picks the followed person among the poses of a frame.

    The first pose seen (the largest) becomes the person; afterwards the pose whose trunk is nearest
    the last known trunk, in trunk lengths, with a size similar to the last frame's or to the person's
    over the last `SIZE_MEMORY_S` (the median). A pose farther than `max_jump`
    trunk lengths or of a size off by more than `max_size_change` is someone else: the frame then
    has no pose for the analyzer (counting pauses) until the person returns. After `reacquire_s`
    without the person, the largest pose is taken again (the person may have sat down elsewhere).

    Poses that are not a usable upper body (see `coach.pose.plausibility`: the model's phantoms in a
    hand, a face close-up, an empty scene) are nobody. `session` is the framing the person calibrated
    in, once known (`framing_of`). `people_in_view` counts the usable poses of the last frame;
    `longest_presence_s` is the longest time the person was followed without a gap.
    """

    def __init__(self, max_jump: float = 1.0, max_size_change: float = 0.4, reacquire_s: float = 5.0) -> None:
        self.session: Framing | None = None
        self.max_jump = max_jump
        self.max_size_change = max_size_change
        self.reacquire_s = reacquire_s
        self.reset()

    def reset(self) -> None:
        self._centre: np.ndarray | None = None
        self._size = 0.0  # the last frame's
        self._typical_size = 0.0  # the median over `SIZE_MEMORY_S`
        self._sizes: deque[tuple[float, float]] = deque()  # (t, size) of the frames followed lately
        self._framing = Framing.FULL
        self._last_seen_s = 0.0
        self._presence_start_s: float | None = None
        self.people_in_view = 0
        self.longest_presence_s = 0.0
        self._ever_followed = False

    def select(self, poses: Sequence[Pose], t_s: float) -> Pose | None:
        chosen = self._choose([pose for pose in poses if is_usable_upper_body(pose, self.session)], t_s)
        if chosen is None:
            self._presence_start_s = None
        else:
            if self._presence_start_s is None:
                self._presence_start_s = t_s
            self._ever_followed = True
            self.longest_presence_s = max(self.longest_presence_s, t_s - self._presence_start_s)
        return chosen

    def saw_person(self, span_s: float) -> bool:
        """Whether someone was followed for `MIN_PRESENCE_S` (or the whole `span_s` of a shorter clip)."""
        return self._ever_followed and self.longest_presence_s >= min(MIN_PRESENCE_S, span_s)

    def _choose(self, poses: Sequence[Pose], t_s: float) -> Pose | None:
        self.people_in_view = len(poses)
        if not poses:
            return None
        if self._centre is None or t_s - self._last_seen_s > self.reacquire_s:
            return self._follow(poses[0], t_s)
        best: Pose | None = None
        best_jump = np.inf
        for pose in poses:
            centre, size, framing = trunk_centre_and_size(pose, self.session)
            jump = float(np.linalg.norm(centre - self._centre)) / self._size
            # A hip the model sees for a frame at the desk changes how the size is read, not the person.
            size_change = (
                min(abs(size - self._size) / self._size, abs(size - self._typical_size) / self._typical_size)
                if framing is self._framing
                else 0.0
            )
            if jump <= self.max_jump and size_change <= self.max_size_change and jump < best_jump:
                best, best_jump = pose, jump
        return self._follow(best, t_s) if best is not None else None

    def _follow(self, pose: Pose, t_s: float) -> Pose:
        self._centre, self._size, framing = trunk_centre_and_size(pose, self.session)
        if framing is not self._framing or t_s - self._last_seen_s > self.reacquire_s:
            self._sizes.clear()  # sizes read from another framing are not this one's
        self._framing = framing
        self._sizes.append((t_s, self._size))
        while t_s - self._sizes[0][0] > SIZE_MEMORY_S:
            self._sizes.popleft()
        self._typical_size = float(np.median([size for _, size in self._sizes]))
        self._last_seen_s = t_s
        return pose
