"""No import circle in the package: every ``import`` and ``from … import`` of every module (at the top or
inside a function, where a circle hides best) read with ``ast``, and the module graph searched for
strongly connected components (docs/design.md, "Layout")."""

import ast
from pathlib import Path

from conftest import ROOT


def module_name(path: Path, root: Path) -> str:
    """``pipeline/align/comparable.py`` → ``pipeline.align.comparable``; a package is its ``__init__``."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(tree: ast.AST, package: str) -> set[tuple[str, str | None]]:
    """Every import of a module as (module, name): ``import X`` gives (X, None), ``from X import Y``
    gives (X, Y), Y being a submodule or a name in X; relative imports resolved against ``package``."""
    names: set[tuple[str, str | None]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update((alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - (node.level - 1)] + ([node.module] if node.module else []))
            names.update((base, alias.name) for alias in node.names)
    return names


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the package's modules it imports. ``from pipeline.align import x`` points at the module
    ``pipeline.align.x`` when there is one, else at the package ``pipeline.align`` itself (its
    ``__init__``), which is what Python runs for it."""
    paths = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    graph = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for module, member in imported_names(ast.parse(path.read_text(encoding="utf-8")), package):
            submodule = f"{module}.{member}" if member else module
            if submodule in paths:
                targets.add(submodule)
            elif module in paths:
                targets.add(module)
        targets.discard(name)
        graph[name] = targets
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The graph's strongly connected components of more than one module (Tarjan, iterative): each is a
    set of modules that import each other, directly or through others."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def write_package(root: Path, modules: dict[str, str]) -> Path:
    for name, source in modules.items():
        path = root / (name.replace(".", "/") + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root / "pkg"


def test_the_package_has_no_import_circle():
    graph = import_graph(ROOT / "pipeline")
    assert "pipeline.align.comparable" in graph and "pipeline.align.anchors" in graph["pipeline.align.comparable"]
    assert import_cycles(graph) == []


def test_a_circle_through_an_import_inside_a_function_is_found(tmp_path):
    # The shape of the circle issue 24 removed: a imports b at the top, b imports a inside a function.
    root = write_package(
        tmp_path,
        {
            "pkg.__init__": "",
            "pkg.a": "from pkg.b import helper\n",
            "pkg.b": "def helper():\n    from pkg.a import thing\n    return thing\n",
            "pkg.c": "import pkg.a\n",
        },
    )
    assert import_cycles(import_graph(root)) == [["pkg.a", "pkg.b"]]


def test_longer_and_relative_circles_are_found_and_a_chain_is_not(tmp_path):
    root = write_package(
        tmp_path,
        {
            "pkg.__init__": "",
            "pkg.sub.__init__": "",
            "pkg.sub.x": "from . import y\n",
            "pkg.sub.y": "from pkg.sub.z import value\n",
            "pkg.sub.z": "from ..sub import x\nvalue = 1\n",
            "pkg.chain1": "from pkg import chain2\n",
            "pkg.chain2": "import pkg.sub.z\n",
        },
    )
    assert import_cycles(import_graph(root)) == [["pkg.sub.x", "pkg.sub.y", "pkg.sub.z"]]
