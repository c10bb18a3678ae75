"""Tests of coach/coaching/ (the same folders as the package)."""
