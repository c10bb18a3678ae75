"""Tests of coach/exercises/ (the same folders as the package)."""
