"""The shape of the code: dependencies point one way (core ← inventory ← dispatch → optimizer), the optimizer is
pure, and every feature package has the same module names (docs/architecture.md)."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = {"core", "inventory", "dispatch", "optimizer", "seed"}
MAY_IMPORT = {
    "optimizer": {"optimizer"},
    "core": {"core"},
    "inventory": {"core", "inventory", "seed", "optimizer"},  # optimizer.travel only: the one distance function
    "seed": {"core", "inventory", "dispatch", "seed", "optimizer"},  # the demo loader fills every domain
    "dispatch": {"core", "inventory", "dispatch", "optimizer"},
}
# OR-Tools solves the allocation, PyVRP routes the vehicles.
# SciPy for the sparse matrices that fill the allocation's LPs.
OPTIMIZER_THIRD_PARTY = {"numpy", "scipy", "ortools", "pyvrp"}
BENCH = ROOT / "optimizer" / "bench"
# The factory is the composition root: its register_domains calls each domain's init_app.
COMPOSITION_ROOT = ROOT / "core" / "app.py"
DOMAINS = ("inventory", "dispatch")
DOMAIN_TOP_MODULES = {"__init__", "cli", "bench", "labels"}  # the domain's set-up, commands and shared helpers
FEATURE_MODULES = {"__init__", "models", "services", "queries", "forms", "schemas", "views", "api", "picking"}
FEATURE_SUBPACKAGES = {"services", "queries", "views", "templates"}  # a module grown into a package keeps its name


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


def sources(package: str):
    return sorted(path for path in (ROOT / package).rglob("*.py") if "__pycache__" not in path.parts)


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_packages_import_only_what_they_may(package):
    for path in sources(package):
        if path == COMPOSITION_ROOT:
            continue
        wrong = (imported_roots(path) & PROJECT) - MAY_IMPORT[package]
        assert not wrong, f"{path.relative_to(ROOT)} imports {wrong}"


def test_the_app_factory_imports_domains_only_to_call_their_init_app():
    tree = ast.parse(COMPOSITION_ROOT.read_text(encoding="utf-8"))
    for function in (node for node in tree.body if isinstance(node, ast.FunctionDef)):
        domains = imported_roots_of(function) - {"core"}
        if function.name == "register_domains":
            continue
        assert not (domains & PROJECT), f"core/app.py:{function.name} imports {domains & PROJECT}"
    register = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "register_domains")
    calls = {node.func.attr for node in ast.walk(register) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Attribute)}
    assert calls == {"init_app"}, f"register_domains calls {calls}"


def imported_roots_of(node: ast.AST) -> set[str]:
    roots = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in child.names}
        elif isinstance(child, ast.ImportFrom) and child.module:
            roots.add(child.module.split(".")[0])
    return roots


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_domain_holds_feature_packages_and_little_else(domain):
    top = {path.stem for path in (ROOT / domain).glob("*.py")}
    assert top <= DOMAIN_TOP_MODULES, f"{domain}/ has loose modules {sorted(top - DOMAIN_TOP_MODULES)}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_feature_package_uses_the_same_module_names(domain):
    for feature in (path for path in (ROOT / domain).iterdir() if path.is_dir() and path.name != "__pycache__"):
        assert (feature / "__init__.py").exists(), f"{feature.relative_to(ROOT)} is not a package"
        modules = {path.stem for path in feature.glob("*.py")}
        assert modules <= FEATURE_MODULES, f"{feature.relative_to(ROOT)} has {sorted(modules - FEATURE_MODULES)}"
        folders = {path.name for path in feature.iterdir() if path.is_dir() and path.name != "__pycache__"}
        assert folders <= FEATURE_SUBPACKAGES, f"{feature.relative_to(ROOT)} has folders {sorted(folders)}"
        clashes = {name for name in folders if name in modules}
        assert not clashes, f"{feature.relative_to(ROOT)}: {clashes} is both a module and a package"


def test_templates_live_in_a_folder_named_after_their_feature():
    for domain in DOMAINS:
        for templates in (ROOT / domain).glob("*/templates"):
            inside = {path.name for path in templates.iterdir()}
            assert inside == {templates.parent.name}, f"{templates.relative_to(ROOT)} holds {sorted(inside)}"


def test_optimizer_uses_only_the_standard_library_numpy_scipy_ortools_and_pyvrp():
    allowed = set(sys.stdlib_module_names) | OPTIMIZER_THIRD_PARTY | {"optimizer"}
    for path in sources("optimizer"):
        extra = imported_roots(path) - allowed
        assert not extra, f"{path.relative_to(ROOT)} imports {extra}"


def test_only_benchmarks_and_tests_import_optimizer_bench():
    for path in (path for package in sorted(PROJECT) for path in sources(package)):
        if BENCH in path.parents:
            continue
        uses = {name for name in imported_modules(path) if name.split(".")[:2] == ["optimizer", "bench"]}
        assert not uses, f"{path.relative_to(ROOT)} imports {uses}"


def test_inventory_takes_only_the_distance_function_from_the_optimizer():
    for path in sources("inventory"):
        uses = {name.split(".")[1] for name in imported_modules(path) if name.startswith("optimizer.")}
        assert uses <= {"travel"}, f"{path.relative_to(ROOT)} imports optimizer.{uses - {'travel'}}"
