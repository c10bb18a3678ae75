"""The package tree is the pipeline, and imports point one way along it.

Each folder of `coach/` may import from the folders before it in `PIPELINE` (and from itself), never
from the ones after: below everything the errors and the facts about each stretch; then frames come
in, become poses, measurements, a calibration, reps, an exercise's analysis, one pipeline step,
coaching, stored records and pictures; the jobs and the command line sit on top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "coach"
PIPELINE = (
    "errors",
    "facts",
    "sources",
    "pose",
    "measure",
    "calibration",
    "reps",
    "exercises",
    "pipeline",
    "coaching",
    "storage",
    "render",
    "sound",
    "app",
    "cli",
)
RANK = {layer: rank for rank, layer in enumerate(PIPELINE)}


def layer_of(module: str) -> str | None:
    """The pipeline folder of a `coach.` module name (None for the package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "coach" else None


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every `coach` import in a file, including those inside functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "coach":
                found.extend((node.lineno, f"coach.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return [(line, module) for line, module in found if module.split(".")[0] == "coach"]


def source_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_lives_in_a_pipeline_folder() -> None:
    loose = [
        path.name
        for path in PACKAGE.glob("*.py")
        if path.stem not in {"__init__", "__main__"} and path.stem not in PIPELINE
    ]
    folders = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    assert loose == []
    assert folders <= set(PIPELINE)


@pytest.mark.parametrize("path", source_files(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_imports_point_down_the_pipeline(path: Path) -> None:
    here = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    if here not in RANK:
        return  # coach/__init__.py and __main__.py sit above the pipeline
    upward = [
        f"line {line}: {module}"
        for line, module in imported_modules(path)
        if (layer := layer_of(module)) is not None and layer in RANK and RANK[layer] > RANK[here]
    ]
    assert upward == [], f"{path.relative_to(PACKAGE)} imports from later in the pipeline"


def test_only_the_estimator_imports_mediapipe() -> None:
    importers = [
        str(path.relative_to(PACKAGE))
        for path in source_files()
        if any(
            isinstance(node, ast.Import | ast.ImportFrom)
            and any(
                name.split(".")[0] == "mediapipe"
                for name in ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                + [alias.name for alias in node.names]
            )
            for node in ast.walk(ast.parse(path.read_text()))
        )
    ]
    assert importers == ["pose/estimator.py"]


@pytest.mark.slow
def test_the_package_docstring_is_the_real_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    import doctest

    import coach

    monkeypatch.chdir(PACKAGE.parent)  # the docstring reads a bundled sample by its repository path
    result = doctest.testmod(coach, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8 and result.failed == 0


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_two_modules_import_each_other_round_a_cycle() -> None:
    modules = {module_name(path): path for path in source_files()}
    graph = {
        name: {module for _, module in imported_modules(path) if module in modules and module != name}
        for name, path in modules.items()
    }
    # A package's __init__ re-exporting its own modules is not a cycle of ideas.
    graph = {name: {m for m in deps if not name.startswith(m + ".")} for name, deps in graph.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for module in sorted(graph[name]):
            if state.get(module) == 1:
                cycles.append([*trail[trail.index(module) :], module])
            elif module not in state:
                visit(module, [*trail, module])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []
