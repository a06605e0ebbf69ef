"""BG404 import-cycle: the project's own modules importing each other in a loop."""

from __future__ import annotations

from collections import deque
from typing import Any, Iterable, Iterator, Mapping

from backend_gate.rules._base import Invalid, PlacedReport, ProjectRule, Valid
from backend_gate.rules._imports import ImportFacts
from backend_gate.rules._layers import own_edges

Edge = tuple[str, int, int]  # (path, line, column) of the import


class _Tarjan:
    """Strongly connected components, iteratively (a deep import chain must not recurse)."""

    def __init__(self, graph: Mapping[str, Mapping[str, Edge]]) -> None:
        self.graph = graph
        self.index: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.stack: list[str] = []
        self.on_stack: set[str] = set()
        self.found: list[list[str]] = []

    def _push(self, node: str, work: list[tuple[str, Iterator[str]]]) -> None:
        self.index[node] = self.low[node] = len(self.index)
        self.stack.append(node)
        self.on_stack.add(node)
        work.append((node, iter(sorted(self.graph.get(node, {})))))

    def _finish(self, node: str, work: list[tuple[str, Iterator[str]]]) -> None:
        work.pop()
        if work:
            parent = work[-1][0]
            self.low[parent] = min(self.low[parent], self.low[node])
        if self.low[node] == self.index[node]:
            self.found.append(_pop_component(node, self.stack, self.on_stack))

    def run(self, root: str) -> None:
        work: list[tuple[str, Iterator[str]]] = []
        self._push(root, work)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                self._finish(node, work)
            elif child not in self.index:
                self._push(child, work)
            elif child in self.on_stack:
                self.low[node] = min(self.low[node], self.index[child])


def _components(graph: Mapping[str, Mapping[str, Edge]]) -> list[list[str]]:
    """Strongly connected components with more than one module."""
    tarjan = _Tarjan(graph)
    for root in sorted(graph):
        if root not in tarjan.index:
            tarjan.run(root)
    return [c for c in tarjan.found if len(c) > 1]


def _pop_component(node: str, stack: list[str], on_stack: set[str]) -> list[str]:
    component = []
    while True:
        member = stack.pop()
        on_stack.discard(member)
        component.append(member)
        if member == node:
            return sorted(component)


def _shortest_cycle(start: str, graph: Mapping[str, Mapping[str, Edge]],
                    members: set[str]) -> list[str]:
    """The shortest loop from `start` back to itself inside one component (BFS)."""
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph.get(node, {})):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [*reversed(path), start]
            if child in members and child not in parent:
                parent[child] = node
                queue.append(child)
    return [start, start]


def _causes(loop: list[Edge], component: list[str],
            graph: Mapping[str, Mapping[str, Edge]]) -> tuple[tuple[str, int], ...]:
    """The imports of the loop shown, then every other import inside the group: each lies on
    some cycle of the group, so a change to any of them is a change to the finding's cause."""
    members = set(component)
    group = [graph[a][b] for a in component for b in sorted(graph.get(a, {})) if b in members]
    return tuple(dict.fromkeys((path, line) for path, line, _ in (*loop, *group)))


def _without_registration(edges: list[tuple[str, str, str, tuple, str]],
                          facts: Mapping[str, Mapping[str, list[Any]]]
                          ) -> list[tuple[str, str, str, tuple, str]]:
    """The edges less a package's imports of its own modules made after it bound every name
    those modules take back from it (the registration idiom, and a models package that
    re-exports its modules in order)."""
    bound = _bindings(facts, edges)
    takes: dict[tuple[str, str], set[str]] = {}  # (submodule, package) -> names taken
    for _, importer, target, fact, _ in edges:
        if target in bound and importer.startswith(target + "."):
            names = set(fact[1]) if fact[1] else {"*"}
            takes.setdefault((importer, target), set()).update(names)
    return [e for e in edges if not _ordered(e, bound, takes)]


def _bindings(facts: Mapping[str, Mapping[str, list[Any]]],
              edges: list[tuple[str, str, str, tuple, str]]) -> dict[str, dict[str, int]]:
    """Package module -> the names its `__init__` binds at module level (the objects it
    registers routes on, the names it imports) -> the first line that binds each."""
    bound: dict[str, dict[str, int]] = {}
    packages = {path: importer for path, importer, *_ in edges if path.endswith("__init__.py")}
    for path, package in packages.items():
        names = bound.setdefault(package, {})
        for name, line, *_ in facts.get(path, {}).get("registrars", ()):
            names.setdefault(name, line)
        for fact in facts.get(path, {}).get("imports", ()):
            if not (fact[5] or fact[6]):
                for name in fact[1]:
                    names.setdefault(name, fact[3])
    return bound


def _ordered(edge: tuple[str, str, str, tuple, str], bound: dict[str, dict[str, int]],
             takes: dict[tuple[str, str], set[str]]) -> bool:
    """A package's import of its own module, below the line binding each name the module
    takes back from the package: the order is fixed by construction."""
    _, importer, target, fact, _ = edge
    names = takes.get((target, importer))
    if not names or not target.startswith(importer + "."):
        return False
    lines = bound[importer]
    return all(lines.get(name, fact[3]) < fact[3] for name in names)


class ImportCycle(ProjectRule):
    """
    ## What it does
    Flags import cycles between the project's own modules, resolved from absolute and relative
    imports by file name (nothing is imported). Each group of modules that import each other is
    reported once, with the shortest loop through its first module (`a → b → c → a`), at that
    module's import; the message counts the other modules of the group when it is bigger.
    Imports under `if TYPE_CHECKING:` do not count (they never run), nor do imports inside a
    function (deferred until the call: the usual, deliberate way to break a cycle at import
    time), nor Flask's and Flask-RESTX's registration idiom: a package `__init__` that defines
    a `Blueprint`, `Namespace`, `APIRouter` or `Api` and imports its own route modules below
    that line, when those modules import nothing from the package but that object; and a
    package (a Django `models` package) that re-exports its modules one by one, when each takes
    back from the package only names bound above the line that imports it. The names exist
    before the modules run, so the order is fixed by construction; a module that takes a name
    the package binds later, or a helper defined below, is still a cycle. Module names follow
    packages: `src/pkg/a.py` and `pkg/a.py` are both `pkg.a`.
    Every import inside the group is a cause of the finding: a run on some files (a pre-commit
    hook, `--diff-base`) reports the cycle when one of them, or one of its changed lines, is
    in the group.

    ## Why is this bad?
    A cycle makes the import order matter (a half-initialised module raises `ImportError` or
    `AttributeError` depending on which file is imported first), and it means the modules
    cannot be understood, tested or changed separately: they are one module in several files.

    ## Example
    ```python
    # app/services/orders.py
    from app.services.billing import charge
    # app/services/billing.py
    from app.services.orders import Order
    ```

    ## Use instead
    Move what both need into a third module both import, or import for annotations only:
    ```python
    # app/services/billing.py
    from typing import TYPE_CHECKING
    if TYPE_CHECKING:
        from app.services.orders import Order
    ```

    ## Options
    None.

    ## References
    - [Python import system: circular imports](https://docs.python.org/3/faq/programming.html#what-are-the-best-practices-for-using-import-in-a-module)
    """

    CODE = "BG404"
    NAME = "import-cycle"
    CHECK = "layout"
    MESSAGE = ("import cycle {loop}{extra}: move what these modules share into a module they "
               "both import")
    FACTS = ("imports", "registrars")
    COLLECTORS = (ImportFacts,)
    EXAMPLES_ARE_DOCS = True  # a cycle needs two files; tests/rules/test_layout.py covers it
    VALID = (
        Valid("from app.models.user import User\n"),
        Valid("if TYPE_CHECKING:\n    from app.services.example import Example\n"),
        Valid("def load():\n    from app.services import example\n"),
    )
    INVALID = (
        Invalid("from app.services.b import f\n", line=1, column=1, path="app/services/a.py"),
        Invalid("from . import b\n", line=1, column=1, path="app/services/a.py"),
    )

    def check_project(
        self, facts: Mapping[str, Mapping[str, list[Any]]], paths: Iterable[str]
    ) -> Iterable[PlacedReport]:
        graph: dict[str, dict[str, Edge]] = {}
        own = [e for e in own_edges(facts, paths) if not e[3][5] and not e[3][6]]
        for path, importer, target, fact, _ in _without_registration(own, facts):
            graph.setdefault(importer, {}).setdefault(target, (path, fact[3], fact[4]))
        for component in _components(graph):
            loop = _shortest_cycle(component[0], graph, set(component))
            edges = [graph[a][b] for a, b in zip(loop, loop[1:])]
            others = len(component) - (len(loop) - 1)
            plural = "s" if others > 1 else ""
            extra = f" (and {others} more module{plural} in the same cycle group)" if others else ""
            path, line, column = edges[0]
            message = self.MESSAGE.format(loop=" → ".join(loop), extra=extra)
            yield PlacedReport(path, line, column, line, column, message,
                               cause_lines=_causes(edges, component, graph))
