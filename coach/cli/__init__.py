"""The `coach` command: argument parsing only; the work is in coach.app."""
