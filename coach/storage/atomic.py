"""Atomic file writes: a reader (or a crash) sees the old file or the new one, never a torn one."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


ABANDONED_S = 3600.0  # a temporary file untouched this long was left by a killed writer

# Read once, at import (single-threaded): os.umask can only be read by setting it.
_UMASK = _read_umask()


def _new_file_mode(path: Path) -> int:
    """The mode the file would have had if written directly: the old file's, else 0666 minus the
    umask (mkstemp makes its files private, 0600)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o666 & ~_UMASK


@contextlib.contextmanager
def atomic_writer(path: Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside `path`; on success fsync it and rename it over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        binary = "b" in mode
        encoding, newline = (None, None) if binary else ("utf-8", "")
        with os.fdopen(descriptor, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.chmod(temp_name, _new_file_mode(path))
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_directory(path.parent)
    _sweep_abandoned(path.parent, f".{glob.escape(path.name)}.*.tmp")


def temporary_beside(path: Path) -> Path:
    """A new, empty temporary file beside `path` with the same suffix (writers that choose the
    format by the file name, like OpenCV's, still see it). Hand it to `publish` when written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent
    )
    os.close(descriptor)
    return Path(temp_name)


def publish(temp: Path, path: Path) -> None:
    """fsync the finished `temp` and rename it over `path` (see `temporary_beside`)."""
    os.chmod(temp, _new_file_mode(Path(path)))
    with open(temp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, path)
    path = Path(path)
    _fsync_directory(path.parent)
    _sweep_abandoned(path.parent, f".{glob.escape(path.stem)}.*.tmp{glob.escape(path.suffix)}")


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_writer(path) as handle:
        handle.write(text)


def _sweep_abandoned(directory: Path, pattern: str) -> None:
    """Remove temporary files of this path that a killed writer left behind: untouched for
    `ABANDONED_S` (a writer at work touches its file all the time; a JSON write takes milliseconds)."""
    now = time.time()
    for stale in directory.glob(pattern):
        with contextlib.suppress(OSError):
            if now - stale.stat().st_mtime > ABANDONED_S:
                stale.unlink()


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
