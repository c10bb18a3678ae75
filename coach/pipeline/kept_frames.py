"""The people a recording showed, kept to be measured (again) once its neutral is known.

A person who starts moving before the coach is ready (or whose still start the model jitters through)
calibrates at a later rest: the reps before it are theirs all the same. One whose recording opens in a
held arch is calibrated on it, until the readings show where they really sit (`wrong_way`): all they
did is measured again against that. A recording can do this after the fact; a live session cannot (it
coaches the present), so only `coach analyze` keeps them.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from coach.pose.types import Pose

# Only the last this-many seconds are kept.
KEPT_MEMORY_S = 30.0
# The arch's segmentation masks are the bulk of it: past this many bytes (kept as bytes, a quarter of
# the model's float32) the oldest frames keep their landmarks only, and the belly is not read on them.
MASK_BUDGET_BYTES = 192 * 2**20


@dataclass(frozen=True)
class _KeptFrame:
    t_s: float
    poses: tuple[Pose, ...]  # without their masks
    masks: tuple[np.ndarray | None, ...]  # uint8, 0-255


class KeptFrames:
    """Every frame's people (largest first) and time, up to `memory_s` back and `mask_budget_bytes`
    of masks, handed back in order by `frames`."""

    def __init__(self, memory_s: float = KEPT_MEMORY_S, mask_budget_bytes: int = MASK_BUDGET_BYTES) -> None:
        self.memory_s = memory_s
        self.mask_budget_bytes = mask_budget_bytes
        self._frames: deque[_KeptFrame] = deque()
        self._mask_bytes = 0
        self._bare = 0  # the oldest frames whose masks are dropped

    def __len__(self) -> int:
        return len(self._frames)

    def add(self, poses: Sequence[Pose], t_s: float) -> None:
        masks = tuple(None if pose.mask is None else _to_bytes(pose.mask) for pose in poses)
        bare = tuple(dataclasses.replace(pose, mask=None) for pose in poses)
        self._frames.append(_KeptFrame(t_s, bare, masks))
        self._mask_bytes += _size(masks)
        while t_s - self._frames[0].t_s > self.memory_s:
            self._mask_bytes -= _size(self._frames.popleft().masks)
            self._bare = max(self._bare - 1, 0)
        while self._mask_bytes > self.mask_budget_bytes and self._bare < len(self._frames):
            frame = self._frames[self._bare]
            self._mask_bytes -= _size(frame.masks)
            self._frames[self._bare] = dataclasses.replace(frame, masks=(None,) * len(frame.masks))
            self._bare += 1

    def frames(self) -> Iterator[tuple[tuple[Pose, ...], float]]:
        """The kept frames, oldest first, with their masks as the model gave them (float32 in [0, 1])."""
        for frame in list(self._frames):
            poses = tuple(
                pose if mask is None else dataclasses.replace(pose, mask=mask.astype(np.float32) / 255.0)
                for pose, mask in zip(frame.poses, frame.masks, strict=True)
            )
            yield poses, frame.t_s

    def clear(self) -> None:
        self._frames = deque()
        self._mask_bytes = self._bare = 0


def _to_bytes(mask: np.ndarray) -> np.ndarray:
    return np.rint(np.clip(mask, 0.0, 1.0) * 255.0).astype(np.uint8)


def _size(masks: tuple[np.ndarray | None, ...]) -> int:
    return sum(mask.nbytes for mask in masks if mask is not None)
