"""Tests of coach/sources/ (the same folders as the package)."""
