"""Small geometry every measurement shares: midpoints, the body's scale, robust noise."""

from __future__ import annotations

import numpy as np

from coach.pose.landmarks import PoseLandmark as L

# 1.4826 * median absolute deviation = the standard deviation of Gaussian noise.
MAD_TO_STD = 1.4826


def midpoint(points: np.ndarray, a: L, b: L) -> np.ndarray:
    """Midpoint of landmarks `a` and `b` of (..., 33, d) points: (..., d)."""
    return (points[..., a, :] + points[..., b, :]) / 2.0


def trunk_length_px(xy: np.ndarray) -> float:
    """Body scale: mid-hip to mid-shoulder distance in the image (roughly the same at any azimuth)."""
    return float(
        np.linalg.norm(
            midpoint(xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - midpoint(xy, L.LEFT_HIP, L.RIGHT_HIP)
        )
    )


def robust_std(values: np.ndarray) -> float:
    """The standard deviation of the Gaussian noise in `values`, unmoved by a few outliers (MAD)."""
    values = np.asarray(values, dtype=np.float64)
    return float(MAD_TO_STD * np.median(np.abs(values - np.median(values))))


def robust_std_px(xy: np.ndarray) -> np.ndarray:
    """(33,) robust std of each landmark's distance from its median position over (n, 33, 2)."""
    return MAD_TO_STD * np.median(np.linalg.norm(xy - np.median(xy, axis=0), axis=2), axis=0)
