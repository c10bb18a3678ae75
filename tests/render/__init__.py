"""Tests of coach/render/ (the same folders as the package)."""
