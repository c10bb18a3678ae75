"""Errors the user sees as one line, each with its own exit code."""

from __future__ import annotations


class CoachError(Exception):
    """A problem the user can fix; the CLI prints the message and exits with `exit_code`."""

    exit_code = 1


class VideoNotFoundError(CoachError):
    exit_code = 3


class VideoUnreadableError(CoachError):
    exit_code = 4


class NoPersonError(CoachError):
    exit_code = 5


class ModelNotAvailableError(CoachError):
    exit_code = 6


class CameraUnavailableError(CoachError):
    exit_code = 7


class CalibrationError(CoachError):
    """Calibration could not be made: the person, camera or stillness was not right."""

    exit_code = 8


class ProfileError(CoachError):
    """A calibration profile is missing, corrupt, of another version or another view."""

    exit_code = 9


class MultiplePeopleError(CalibrationError):
    """More than one person is in view, so nobody's neutral can be taken."""

    exit_code = 10


class CameraLostError(CoachError):
    exit_code = 11


class HistoryError(CoachError):
    """The session history database cannot be read or written (corrupt, foreign, newer, locked)."""

    exit_code = 12


class InterruptedSession(CoachError):
    exit_code = 130
