"""Where the pose-landmarker model bundles live and how `--model` picks one."""

from __future__ import annotations

from pathlib import Path

from coach.errors import ModelNotAvailableError

MODELS_DIR = Path(__file__).resolve().parent / "models"
NAMED_MODELS = ("lite", "full", "heavy")
DEFAULT_MODEL = "full"
BUILD_COMMAND = "python tools/build_pose_models.py --variants {name}"


def resolve_model(choice: str = DEFAULT_MODEL) -> Path:
    """Turn `lite|full|heavy|PATH` into the path of a `.task` bundle that exists."""
    if choice in NAMED_MODELS:
        path = MODELS_DIR / f"pose_landmarker_{choice}.task"
        if not path.is_file():
            raise ModelNotAvailableError(
                f"The '{choice}' pose model is not installed; build it with: "
                + BUILD_COMMAND.format(name=choice)
            )
        return path
    path = Path(choice).expanduser()
    if not path.is_file():
        raise ModelNotAvailableError(
            f"Unknown model '{choice}': use lite, full, heavy or the path of a .task file"
        )
    return path
