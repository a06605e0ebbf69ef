"""BG401 missing-layer: a required layer (controllers, services, repositories) is not there."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from backend_gate.config import Option
from backend_gate.model import Severity
from backend_gate.rules._base import Invalid, PlacedReport, ProjectRule, Valid
from backend_gate.rules._layers import (DEFAULT_LAYERS, LAYERS_OPTION, feature_folders,
                                        layer_of, layers_of)

_REQUIRED = ("controllers", "services", "repositories")


def _is_test(path: str) -> bool:
    """`tests/controllers/` mirrors the layers; it does not make one."""
    parts = path.replace("\\", "/").split("/")
    return bool({"tests", "test"} & set(parts[:-1])) or parts[-1].startswith("test_")


def _missing(names: list[str], found: set[int | None], required: list[str]) -> list[str]:
    return [n for n in required if n in names and names.index(n) not in found]


def _sources(paths: Iterable[str]) -> list[str]:
    return sorted(p for p in paths if p.endswith(".py") and not _is_test(p))


def _found(paths: list[str], layers: Any) -> set[int | None]:
    """The layers present, as folders or as modules of feature folders."""
    features = feature_folders(paths, layers)
    return {layer_of(p, layers, features) for p in paths} - {None}


class MissingLayer(ProjectRule):
    """
    ## What it does
    Checks that a project that uses layers has each required one. A layer is a package
    (folder) named after one of its aliases anywhere under the checked paths (`app/routers/`,
    `src/shop/repositories/`), so flat and src layouts are both found, or a per-feature module
    (`orders/endpoints.py`, `router`, `routes`, `views`, `api`; `orders/service.py`,
    `services`; `orders/repository.py`, `repositories`, `crud`, `dal`) in a feature folder:
    one that holds such modules of two layers or more (a `services/` or `repositories/`
    package in it counts as one: `user/views.py` beside `user/services/`), so a lone `crud.py`
    or `api.py` is not a layer. A project uses layers
    when it has one between the top and the bottom (a services or repositories layer, by
    default) or when its configuration declares its own `layers`; such a project that lacks a
    required layer gets an error naming it. A project without them (a library, a small tool,
    a Django project of apps with models and views, a Flask project of blueprints) gets one
    `info` finding that says how to declare layers, so it passes: a folder merely named `api`
    or `views` does not make a project layered. Test files (under a `tests/` or `test/`
    folder, or named `test_*.py`) do not count as layers.

    ## Why is this bad?
    The standard's backend structure keeps HTTP handling, business rules and data access apart.
    A missing repositories layer usually means SQL or ORM calls live in services or controllers.

    ## Example
    ```text
    app/controllers/users.py
    app/services/users.py      # runs the queries itself
    ```

    ## Use instead
    ```text
    app/controllers/users.py
    app/services/users.py
    app/repositories/users.py
    ```

    ## Options
    - `layers`: the layers, top to bottom, as `name = alias | alias`.
    - `required`: the layer names that must exist.

    ## References
    - [Architecture Patterns with Python: the Repository pattern](https://www.cosmicpython.com/book/chapter_02_repository.html)
    """

    CODE = "BG401"
    NAME = "missing-layer"
    CHECK = "layout"
    MESSAGE = "the project has no {missing} layer (found {found}): add {folders}"
    OPTIONS = (
        LAYERS_OPTION,
        Option("required", list, list(_REQUIRED), "Layer names that must exist.", item_type=str),
    )
    EXAMPLES_ARE_DOCS = True  # a layout is a tree of files; tests/rules/test_layout.py covers it
    VALID = (
        Valid("x = 1\n", path="app/controllers/users.py",
              options={"required": ["controllers"]}),
        Valid("x = 1\n", path="app/routers/users.py", options={"required": ["controllers"]}),
        Valid("x = 1\n", path="src/shop/views/orders.py", options={"required": ["controllers"]}),
    )
    INVALID = (
        Invalid("x = 1\n", line=1, column=1, path="app/controllers/users.py"),
        Invalid("x = 1\n", line=1, column=1, path="app/services/users.py",
                message_contains="repositories"),
    )

    def check_project(
        self, facts: Mapping[str, Mapping[str, list[Any]]], paths: Iterable[str]
    ) -> Iterable[PlacedReport]:
        layers = layers_of(self.options)
        paths = _sources(paths)
        found = _found(paths, layers)
        names = [name for name, _ in layers]
        missing = _missing(names, found, self.options.get("required", _REQUIRED))
        if not missing or not paths:
            return
        if found and self._uses_layers(found, len(names)):
            yield self._some_missing(paths[0], names, found, missing)
        else:
            yield self._not_layered(paths[0], layers, [names[i] for i in sorted(found)])

    def _uses_layers(self, found: set[int | None], count: int) -> bool:
        """A layer between the top and the bottom, or layers the configuration declares."""
        declared = tuple(self.options.get("layers", DEFAULT_LAYERS)) != DEFAULT_LAYERS
        return declared or any(i is not None and 0 < i < count - 1 for i in found)

    def _some_missing(self, anchor: str, names: list[str], found: set[int | None],
                      missing: list[str]) -> PlacedReport:
        folders = ", ".join(f"a `{n}/` package" for n in missing)
        have = ", ".join(names[i] for i in sorted(i for i in found if i is not None))
        message = self.MESSAGE.format(missing=" and ".join(missing), found=have, folders=folders)
        return PlacedReport(anchor, 1, 1, 1, 1, message)

    @staticmethod
    def _not_layered(anchor: str, layers: Any, found: list[str]) -> PlacedReport:
        expected = "; ".join(f"{name} ({' | '.join(sorted(aliases))})" for name, aliases in layers)
        have = f" (only {', '.join(found)})" if found else ""
        message = (f"no layers found{have}, so the layer rules have little to check: a backend "
                   f"is expected to keep its code in layers, top to bottom: {expected}, as "
                   "folders or as per-feature modules (`orders/service.py`). A project "
                   "organised another way (Django apps, Flask blueprints, a library) can declare "
                   "its own: `layers = [\"name = folder | module\", ...]` and `required` in "
                   "`[tool.backend-gate.missing-layer]`, the same `layers` in `upward-import`, "
                   "`controller-imports-database` and `god-class`; or ignore this")
        return PlacedReport(anchor, 1, 1, 1, 1, message, severity=Severity.INFO)
