"""Tests of coach/storage/ (the same folders as the package)."""
