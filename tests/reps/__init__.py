"""Tests of coach/reps/ (the same folders as the package)."""
