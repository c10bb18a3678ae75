"""Tests of coach/pose/ (the same folders as the package)."""
