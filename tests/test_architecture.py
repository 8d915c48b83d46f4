"""Dependencies point one way: core ← inventory ← dispatch → optimizer; optimizer is pure."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = {"core", "inventory", "dispatch", "optimizer", "seed"}
MAY_IMPORT = {
    "optimizer": {"optimizer"},
    "core": {"core"},
    "inventory": {"core", "inventory", "seed"},
    "seed": {"core", "inventory", "seed"},
    "dispatch": {"core", "inventory", "dispatch", "optimizer"},
}
# OR-Tools solves the allocation, PyVRP routes the vehicles.
OPTIMIZER_THIRD_PARTY = {"numpy", "ortools", "pyvrp"}
# Benchmarks may use the ``bench`` extra (SciPy's HiGHS, for independent checks).
BENCH_THIRD_PARTY = {"scipy"}
BENCH = ROOT / "optimizer" / "bench"
# The factory is the composition root: it registers every package's blueprints and commands.
COMPOSITION_ROOT = ROOT / "core" / "app.py"


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def imported_modules(path: Path) -> set[str]:
    """Full dotted names of every module a file imports (``from a.b import c`` counts as ``a.b`` and ``a.b.c``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def python_files(*folders: Path):
    for folder in folders:
        yield from (p for p in folder.rglob("*.py") if ".venv" not in p.parts)


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_packages_import_only_what_they_may(package):
    for path in (ROOT / package).rglob("*.py"):
        if path == COMPOSITION_ROOT:
            continue
        wrong = (imported_roots(path) & PROJECT) - MAY_IMPORT[package]
        assert not wrong, f"{path.relative_to(ROOT)} imports {wrong}"


def test_optimizer_uses_only_the_standard_library_numpy_ortools_and_pyvrp():
    import sys

    allowed = set(sys.stdlib_module_names) | OPTIMIZER_THIRD_PARTY | {"optimizer"}
    for path in (ROOT / "optimizer").rglob("*.py"):
        extra = imported_roots(path) - allowed - (BENCH_THIRD_PARTY if BENCH in path.parents else set())
        assert not extra, f"{path.relative_to(ROOT)} imports {extra}"


def test_only_benchmarks_and_tests_import_optimizer_bench():
    product = [ROOT / package for package in sorted(PROJECT)]
    for path in python_files(*product):
        if BENCH in path.parents:
            continue
        uses = {name for name in imported_modules(path) if name.split(".")[:2] == ["optimizer", "bench"]}
        assert not uses, f"{path.relative_to(ROOT)} imports {uses}"
