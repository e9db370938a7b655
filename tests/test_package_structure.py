"""The package's imports run one way: no module imports one that imports it back."""

import ast
from pathlib import Path

import inceptionsk

PACKAGE = Path(inceptionsk.__file__).parent


def module_name(path):
    """``inceptionsk.network._layout`` for ``inceptionsk/network/_layout.py``."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imported_modules(name, path):
    """The package's modules that module ``name`` imports, at module level or inside a
    function: ``from . import x``, ``from .x import y``, ``import inceptionsk.x``.

    ``from package import name`` depends on the submodule ``package.name`` when there is
    one, else on the package's ``__init__``, which must have run far enough to define
    ``name``. The parent packages that Python imports before any submodule are no edge:
    they are always loaded first, and counting them would make every package a cycle.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.add(submodule if submodule in MODULES else source)
    return {module for module in found if module in MODULES and module != name}


def find_cycle(graph):
    """One cycle of ``graph`` (a dict of sets) as a list of nodes, or None."""
    done, path = set(), []

    def visit(node):
        if node in path:
            return path[path.index(node):] + [node]
        if node in done:
            return None
        path.append(node)
        for successor in sorted(graph[node]):
            cycle = visit(successor)
            if cycle:
                return cycle
        path.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        cycle = visit(node)
        if cycle:
            return cycle
    return None


def test_the_modules_of_the_package_import_each_other_without_a_cycle():
    graph = {name: imported_modules(name, path) for name, path in MODULES.items()}
    assert {"inceptionsk.persistence", "inceptionsk._version"} <= graph["inceptionsk"]
    assert "inceptionsk.cli" in graph["inceptionsk.__main__"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_function_level_import_back(tmp_path):
    """The check itself: persistence once imported the package's version inside a function,
    and the package imports persistence."""
    source = "import os\n\ndef version():\n    from . import __version__\n    return __version__\n"
    path = tmp_path / "persistence.py"
    path.write_text(source)
    edges = imported_modules("inceptionsk.persistence", path)
    assert edges == {"inceptionsk"}
    graph = {"inceptionsk": {"inceptionsk.persistence"}, "inceptionsk.persistence": edges}
    assert find_cycle(graph) == ["inceptionsk", "inceptionsk.persistence", "inceptionsk"]
