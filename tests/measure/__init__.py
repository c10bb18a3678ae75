"""Tests of coach/measure/ (the same folders as the package)."""
