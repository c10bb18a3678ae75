"""Tests of coach/calibration/ (the same folders as the package)."""
