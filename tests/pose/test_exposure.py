"""The dim-picture stretch in front of the pose model (pure image arithmetic; the real model's gain
from it is shown in tests/test_rotate_analyzer.py)."""

from __future__ import annotations

import numpy as np

from coach.pose.exposure import BRIGHT_LEVEL, DIM_LEVEL, MAX_GAIN, brightened


def picture(top: int, seed: int = 0) -> np.ndarray:
    """A 120x160 BGR picture whose values spread evenly from 0 up to `top`."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, top + 1, size=(120, 160, 3)).astype(np.uint8)


def test_a_picture_with_bright_parts_is_left_as_it_is() -> None:
    image = picture(DIM_LEVEL + 20)
    assert brightened(image) is image


def test_a_dim_picture_is_stretched_to_a_bright_end_near_full_scale() -> None:
    image = picture(80)
    out = brightened(image)
    assert out.dtype == np.uint8 and out.shape == image.shape
    assert abs(np.percentile(out, 99.5) - BRIGHT_LEVEL) <= 3
    # A plain scaling: darker stays darker, black stays black, and nothing is clipped.
    gain = out.astype(float).sum() / image.astype(float).sum()
    assert np.allclose(out, np.clip(np.round(image * gain), 0, 255), atol=1)
    assert out.max() < 255


def test_a_nearly_black_picture_is_raised_by_at_most_the_gain_limit() -> None:
    image = picture(20)
    out = brightened(image)
    assert out.max() <= round(20 * MAX_GAIN)
    assert np.all(brightened(np.zeros((8, 8, 3), np.uint8)) == 0)
