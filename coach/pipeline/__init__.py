"""One pipeline step for every command: calibrate, then follow the person and analyze the stretch."""

from coach.pipeline.core import Pipeline, Step, recording_rules

__all__ = ["Pipeline", "Step", "recording_rules"]
