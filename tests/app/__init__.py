"""Tests of coach/app/ (the same folders as the package)."""
