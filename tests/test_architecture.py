"""The import graph, read from the source with `ast`: arrows point down (no module imports one of
a higher layer), nothing imports in a circle, and `filters`/`langid` stand without `curate`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("curate", "filters", "langid")
# Lowest first: a module may import modules of its own layer and of the layers below it.
LAYERS = (
    ("filters", "langid"),
    (
        "curate", "curate.atomic", "curate.errors", "curate.config", "curate.document",
        "curate.domains", "curate.inputs", "curate.shards", "curate.layout", "curate.ledger",
    ),
    (
        "curate.readers", "curate.extract", "curate.executors", "curate.sample", "curate.storage",
        "curate.topics",
    ),
    # the topic model's evaluation reads its accuracy's interval with the statistics' Wilson score
    (
        "curate.dedup", "curate.decontaminate", "curate.statistics", "curate.tokenize",
        "curate.topics.evaluate",
    ),
    ("curate.train",),
    ("curate.pipeline",),
    ("curate.workflows", "curate.api"),
    ("curate.cli", "curate.__main__"),
)  # fmt: skip
MAX_TOP_LEVEL_MODULES = 10  # __main__.py (`python -m curate`, the command) not counted
# The root package hands out the Python API (curate.api) lazily, on first use: the one arrow up.
LAZY_FACE = ("curate", "curate.api")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The project modules `path` imports, at any depth of the file (lazy imports count)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from curate.x import y` is module curate.x.y when that is a module, else curate.x
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    edges = {name: imports_of(path, known) - {name} for name, path in found.items()}
    for name in edges:  # importing a.b.c runs the faces of a and a.b: those are not the module's choice
        edges[name] = {target for target in edges[name] if not name.startswith(f"{target}.")}
    return edges


def layer_of(module: str) -> int:
    """The layer of the longest prefix in LAYERS that names `module` or a package holding it."""
    matches = [
        (len(prefix), rank)
        for rank, layer in enumerate(LAYERS)
        for prefix in layer
        if module == prefix or module.startswith(f"{prefix}.")
    ]
    assert matches, f"{module} is in no layer: add it to LAYERS"
    return max(matches)[1]


def test_every_module_has_a_layer():
    for module in modules():
        layer_of(module)


def test_no_import_runs_up_a_layer():
    upward = [
        f"{source} (layer {layer_of(source)}) imports {target} (layer {layer_of(target)})"
        for source, targets in graph().items()
        for target in targets
        if layer_of(target) > layer_of(source) and (source, target) != LAZY_FACE
    ]
    assert not upward, "\n".join(sorted(upward))


def test_no_import_cycle():
    edges = graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not cycles, "\n".join(cycles)


@pytest.mark.parametrize("package", ["filters", "langid"])
def test_filters_and_langid_never_import_curate(package):
    offending = [
        f"{source} imports {target}"
        for source, targets in graph().items()
        if source.split(".")[0] == package
        for target in targets
        if target.split(".")[0] == "curate"
    ]
    assert not offending, "\n".join(offending)


def test_curate_holds_at_most_ten_top_level_modules():
    top = sorted(p.name for p in (ROOT / "curate").glob("*.py") if p.name != "__main__.py")
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_the_checks_see_a_violation():
    """The graph reader finds a lazy import inside a function, and an upward one is ranked so."""
    source = ROOT / "curate" / "pipeline" / "run.py"
    assert "curate.pipeline.worker" in imports_of(source, set(modules()))
    assert layer_of("curate.cli.main") > layer_of("curate.pipeline.run") > layer_of("curate.layout")
