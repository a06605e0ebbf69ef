"""BG402 upward-import: a lower layer importing a higher one, or a controller skipping services."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from backend_gate.rules._base import Invalid, PlacedReport, ProjectRule, Valid
from backend_gate.rules._imports import ImportFacts
from backend_gate.rules._layers import (LAYERS_OPTION, feature_folders, layer_of, layers_of,
                                        own_edges)


# modules a helper may import and still hold no layer's behaviour (types, sentinels, constants)
_DEFINITIONS_ONLY = frozenset({"__future__", "typing", "typing_extensions", "enum", "abc",
                               "dataclasses", "collections.abc"})


def _plain_helper(path: str, facts: Mapping[str, Mapping[str, list[Any]]]) -> bool:
    """A private module of a layer (`repos/_utils.py`) that imports nothing but definitions'
    modules: sentinels, types and constants, with no way to reach a database or a service."""
    name = path.rsplit("/", 1)[-1]
    if not name.startswith("_") or name == "__init__.py":
        return False
    imports = facts.get(path, {}).get("imports", ())
    return all(fact[0] in _DEFINITIONS_ONLY and not fact[2] for fact in imports)


class UpwardImport(ProjectRule):
    """
    ## What it does
    Flags imports between the project's own modules that go against the layer order
    (controllers → services → repositories → models by default): a lower layer importing a
    higher one (a repository importing a service or a controller), and a controller importing a
    repository directly instead of going through a service, within a feature folder or across
    features (`users/endpoints.py` importing `orders/repository.py`). Layers come from folder
    and module names (see `missing-layer`); imports of third-party packages are never judged here, so
    `from django.views import View` in a repository is not a controller import. Imports inside
    functions count (they are still a dependency); `if TYPE_CHECKING:` imports do not, nor do
    imports of a layer's private module that imports nothing but `typing`, `enum`, `abc`,
    `dataclasses` (`repos/_utils.py` holding a sentinel): it has no way to reach a database or
    a service, so importing it skips no layer.

    ## Why is this bad?
    The layers exist so that each one can change without touching the ones above it. An upward
    import ties the data layer to HTTP concerns, and a controller that talks to a repository
    skips the business rules of the service layer.

    ## Example
    ```python
    # app/repositories/user_repository.py
    from app.services.user_service import hash_password
    ```

    ## Use instead
    Move the shared code down (into the repository or the models), or pass it in from the
    service:
    ```python
    # app/repositories/user_repository.py
    from app.models.user import User
    ```

    ## Options
    - `layers`: the layers, top to bottom, as `name = alias | alias`.

    ## References
    - [import-linter layers contract](https://import-linter.readthedocs.io/en/stable/contract_types.html)
    """

    CODE = "BG402"
    NAME = "upward-import"
    CHECK = "layout"
    MESSAGE = "a {importer_layer} module imports `{target}` from the {target_layer} layer: {advice}"
    OPTIONS = (LAYERS_OPTION,)
    FACTS = ("imports",)
    COLLECTORS = (ImportFacts,)
    EXAMPLES_ARE_DOCS = True  # a layering problem needs two files; tests/rules/test_layout.py
    VALID = (
        Valid("from app.services.user_service import UserService\n",
              path="app/controllers/users.py"),
        Valid("from app.models.user import User\n", path="app/repositories/users.py"),
        Valid("from django.views import View\n", path="app/repositories/users.py"),
        Valid("if TYPE_CHECKING:\n    from app.services.users import UserService\n",
              path="app/repositories/users.py"),
    )
    INVALID = (
        Invalid("from app.services.users import hash_password\n", line=1, column=1,
                path="app/repositories/users.py"),
        Invalid("from app.repositories.users import UserRepository\n", line=1, column=1,
                path="app/controllers/users.py"),
    )

    def check_project(
        self, facts: Mapping[str, Mapping[str, list[Any]]], paths: Iterable[str]
    ) -> Iterable[PlacedReport]:
        layers = layers_of(self.options)
        paths = list(paths)
        features = feature_folders(paths, layers)
        for path, importer, target, fact, target_path in own_edges(facts, paths):
            if fact[5] or _plain_helper(target_path, facts):
                continue
            advice = self._advice(layers, features, (path, target_path), target)
            if advice:
                line, column = fact[3], fact[4]
                yield PlacedReport(path, line, column, line, column, advice)

    def _advice(self, layers: Any, features: frozenset[str], paths: tuple[str, str],
                target: str) -> str | None:
        source, sink = (layer_of(p, layers, features) for p in paths)
        if source is None or sink is None or source == sink:
            return None
        return self._message([name for name, _ in layers], source, sink, target)

    def _message(self, names: list[str], source: int, sink: int, target: str) -> str | None:
        if sink < source:
            advice = (f"imports must flow down ({' → '.join(names)}); move the shared code "
                      f"down or pass it in from the {names[sink]} layer")
        elif source == 0 and sink == 2 and len(names) > 3:
            advice = (f"go through the {names[1]} layer instead, with a {names[1]} function "
                      f"that uses the {names[sink]} layer")
        else:
            return None
        return self.MESSAGE.format(importer_layer=names[source], target=target,
                                   target_layer=names[sink], advice=advice)
