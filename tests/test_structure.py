"""The package's shape, checked on its source: no import cycles, no reaching into another
module's private attributes, one owner of the parameter layout, one version string."""
import ast
import pathlib
import re

import gradfall as gf

PACKAGE = pathlib.Path(gf.__file__).parent
# Private attributes scikit-learn's own MLP code defines and its conventions use
# (parameter constraints, the partial_fit guard, its fitted internals read when converting).
SKLEARN_NAMES = {"_parameter_constraints", "_check_solver", "_best_coefs", "_best_intercepts",
                 "_optimizer", "_no_improvement_count", "_label_binarizer"}


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path, ast.parse(path.read_text(encoding="utf-8"))


def _type_checking_only(tree):
    """The nodes under ``if TYPE_CHECKING:``: imports only a type checker runs."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
                (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
                or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")):
            for inner in node.body:
                skipped.update(ast.walk(inner))
    return skipped


def imported_modules(name, path, tree):
    """Every gradfall module ``name`` imports when it runs, at module level or inside functions
    (not the imports of annotations under ``if TYPE_CHECKING:``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    type_only = _type_checking_only(tree)
    for node in ast.walk(tree):
        if node in type_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in found if m == "gradfall" or m.startswith("gradfall.")}


def test_the_import_graph_has_no_cycles():
    graph = {name: imported_modules(name, path, tree) for name, path, tree in modules()}
    graph = {name: {m for m in deps if m in graph and m != name} for name, deps in graph.items()}
    # A submodule's package __init__ runs first when it is imported: that edge is not a cycle.
    for name in graph:
        graph[name] = {m for m in graph[name] if not name.startswith(m + ".")}
    visiting, done, cycles = set(), set(), []

    def visit(node, trail):
        if node in done:
            return
        if node in visiting:
            cycles.append(trail[trail.index(node):] + [node])
            return
        visiting.add(node)
        for dep in sorted(graph[node]):
            visit(dep, trail + [node])
        visiting.discard(node)
        done.add(node)

    for name in sorted(graph):
        visit(name, [])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def private_names_defined(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name.startswith("_"):
            names.add(node.name)
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) \
                and isinstance(node.value, ast.Name) and node.value.id == "self":
            names.add(node.attr)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def test_no_module_reaches_into_another_modules_private_attributes():
    offences = []
    for name, path, tree in modules():
        own = private_names_defined(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                continue
            base = node.value
            if isinstance(base, ast.Name) and base.id in ("self", "cls"):
                continue
            if node.attr in own:
                continue
            if name.startswith("gradfall.sklearn") and node.attr in SKLEARN_NAMES:
                continue
            offences.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert not offences, "private attributes used outside their module: " + ", ".join(offences)


def test_one_owner_of_the_parameter_layout():
    """The core's ModelSpec computes the offsets; in Python only Network.layer_slices asks it."""
    users = [path.name for name, path, tree in modules()
             if re.search(r"(weight|bias)_offset\(", path.read_text(encoding="utf-8"))]
    assert users == ["network.py"]


def test_one_version_string():
    pattern = re.compile(r"__version__\s*=|^version\s*=", re.M)
    root = PACKAGE.parent.parent
    candidates = list(PACKAGE.rglob("*.py"))
    if (root / "pyproject.toml").exists():
        candidates.append(root / "pyproject.toml")
    owners = [p.name for p in candidates if pattern.search(p.read_text(encoding="utf-8"))]
    assert owners == ["_version.py"]
    assert gf.__version__ == gf.config()["gradfall"]
