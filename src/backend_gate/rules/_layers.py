"""The layers of a backend (controllers -> services -> repositories -> models), shared by the
`layout` rules: the default spellings, the `layers` option, and how a path or a module name maps
to a layer. Nothing here imports the checked code: layers come from folder and file names.

A layer is a package (folder) named after one of its aliases, anywhere in the path; the
outermost match wins (`app/services/api/client.py` is in the services layer, not
controllers). Outside layer folders, a feature folder may hold its own layers as modules
(`orders/endpoints.py`, `orders/service.py`, `orders/repository.py`): `FEATURE_MODULES`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Iterator, Mapping, Sequence

from backend_gate.config import Option

DEFAULT_LAYERS: tuple[str, ...] = (
    "controllers = controllers | routes | routers | api | views | handlers | endpoints",
    "services = services | use_cases",
    "repositories = repositories | repos | crud | dal",
    "models = models | schemas | domain | entities | dto",
)

# Module names that make a per-feature layer (`<feature>/service.py`), by layer name.
FEATURE_MODULES: dict[str, str] = {
    **dict.fromkeys(("endpoints", "router", "routes", "views", "api"), "controllers"),
    **dict.fromkeys(("service", "services"), "services"),
    **dict.fromkeys(("repository", "repositories", "crud", "dal"), "repositories"),
}

# layer packages that make their parent folder a feature folder with a module of another
# layer: a `services/` or `repositories/` package is a deliberate layer; an `api/` or `views/`
# package alone is not (a lone `crud.py` beside `api/` stays a module, as in FastAPI's template)
_FEATURE_LAYERS = frozenset({"services", "repositories"})

LAYERS_OPTION = Option(
    "layers", list, list(DEFAULT_LAYERS),
    "The layers, top to bottom, as `name = alias | alias`; imports may only flow downward.",
    item_type=str,
)


@lru_cache(maxsize=16)
def parse_layers(spec: tuple[str, ...]) -> tuple[tuple[str, frozenset[str]], ...]:
    """`("controllers = controllers | routes", ...)` -> `(("controllers", {...}), ...)`."""
    layers = []
    for entry in spec:
        name, _, aliases = entry.partition("=")
        words = {a.strip() for a in (aliases or name).split("|") if a.strip()}
        layers.append((name.strip(), frozenset(words | {name.strip()})))
    return tuple(layers)


def layers_of(options: object) -> tuple[tuple[str, frozenset[str]], ...]:
    spec = getattr(options, "get", lambda *_: None)("layers", None) or DEFAULT_LAYERS
    return parse_layers(tuple(spec))


def layer_index(parts: Sequence[str], layers: tuple[tuple[str, frozenset[str]], ...]) -> int | None:
    """The index (0 = top) of the outermost part of a module path named like a layer."""
    for part in parts:
        for index, (_, aliases) in enumerate(layers):
            if part in aliases:
                return index
    return None


def folder_layer(path: str, layers: tuple[tuple[str, frozenset[str]], ...]) -> int | None:
    """The layer of a file, from its folders only: a lone `api.py` or `models.py` module is
    common in libraries and tools, so only packages (folders) make layers."""
    return layer_index(path.replace("\\", "/").split("/")[:-1], layers)


def feature_layer(path: str, layers: tuple[tuple[str, frozenset[str]], ...]) -> int | None:
    """The layer a module's own name gives it (`orders/repository.py`: repositories), when a
    layer of that name is configured."""
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    name = FEATURE_MODULES.get(stem)
    names = [n for n, _ in layers]
    return names.index(name) if name in names else None


def feature_folders(paths: Iterable[str],
                    layers: tuple[tuple[str, frozenset[str]], ...]) -> frozenset[str]:
    """Folders outside layer folders that hold per-feature modules of two layers or more
    (`orders/endpoints.py` and `orders/service.py`), a `services/` or `repositories/` package
    counting as a module of its layer. A lone `crud.py` or `api.py` beside none
    (a package's public API, netbox's `tables/services.py`) does not make a feature folder."""
    seen: dict[str, set[int]] = {}
    for path in paths:
        path = path.replace("\\", "/")
        layer = feature_layer(path, layers)
        if layer is not None and folder_layer(path, layers) is None:
            seen.setdefault(path.rpartition("/")[0], set()).add(layer)
        else:
            for folder, index in _layer_package(path, layers):
                seen.setdefault(folder, set()).add(index)
    return frozenset(folder for folder, found in seen.items() if len(found) > 1)


def _layer_package(path: str, layers: tuple[tuple[str, frozenset[str]], ...]
                   ) -> Iterator[tuple[str, int]]:
    """The folder that holds a file's outermost layer package, with that layer, when it is a
    services or repositories package (flaskbb's `user/services/` beside `user/views.py`)."""
    parts = path.split("/")[:-1]
    for position, part in enumerate(parts):
        for index, (name, aliases) in enumerate(layers):
            if part in aliases:
                if name in _FEATURE_LAYERS:
                    yield "/".join(parts[:position]), index
                return


def layer_of(path: str, layers: tuple[tuple[str, frozenset[str]], ...],
             features: frozenset[str] | None = None) -> int | None:
    """A file's layer: its folders first, else its own name as a per-feature module, in one
    of `features` (None: any folder, for a rule that sees one file and checks more)."""
    found = folder_layer(path, layers)
    if found is not None:
        return found
    if features is not None and path.replace("\\", "/").rpartition("/")[0] not in features:
        return None
    return feature_layer(path, layers)


def path_parts(path: str) -> list[str]:
    """`src/app/views.py` -> `["src", "app", "views"]` (`__init__` dropped)."""
    parts = path.replace("\\", "/").split("/")
    parts[-1] = parts[-1].rsplit(".", 1)[0]
    return parts[:-1] if parts[-1] == "__init__" else parts


def module_names(paths: Iterable[str]) -> dict[str, str]:
    """Path -> dotted module name, without importing anything. A file inside a package is named
    from the top of its unbroken chain of `__init__.py` folders (`src/pkg/a.py` -> `pkg.a`,
    `backend/app/a.py` -> `app.a` when only `app/` is a package); a file outside any package is
    named from its path, minus a leading `src/`."""
    paths = [p.replace("\\", "/") for p in paths if p.endswith(".py")]
    packages = {p.rsplit("/", 1)[0] for p in paths if p.endswith("/__init__.py")}
    names = {path: _module_name(path, packages) for path in paths}
    return {path: name for path, name in names.items() if name}


def _module_name(path: str, packages: set[str]) -> str:
    folders = path.split("/")[:-1]
    top = len(folders)
    while top > 0 and "/".join(folders[:top]) in packages:
        top -= 1
    if top == len(folders):  # not in a package: a namespace package, named from its path
        top = 1 if folders[:1] == ["src"] else 0
    return ".".join(path_parts("/".join(path.split("/")[top:])))


def resolve(name: str, modules: Mapping[str, str] | set[str]) -> str | None:
    """The longest prefix of a dotted name that is one of the project's own modules."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def absolute(importer: str, is_package: bool, module: str, level: int) -> str:
    """The absolute module a (possibly relative) import names, from the importer's name."""
    if not level:
        return module
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, module] if module else base)


def own_edges(
    facts: dict[str, dict[str, list]] | object, paths: Iterable[str]
) -> Iterator[tuple[str, str, str, tuple, str]]:
    """Every import of one of the project's own modules:
    (path, importer, imported, fact, imported path)."""
    names = module_names(paths)
    modules = {name: path for path, name in sorted(names.items(), reverse=True)}
    for path, importer in sorted(names.items()):
        is_package = path.endswith("__init__.py")
        for fact in facts.get(path, {}).get("imports", ()):  # type: ignore[attr-defined]
            for target in _targets(importer, is_package, fact, modules):
                yield path, importer, target, fact, modules[target]


def _targets(importer: str, is_package: bool, fact: tuple, modules: Mapping[str, str]) -> list[str]:
    """The project's own modules one import fact names (`from pkg import a, b`: two)."""
    base = absolute(importer, is_package, fact[0], fact[2])
    targets = [f"{base}.{n}" if base else n for n in fact[1] if n != "*"] or [base]
    resolved = dict.fromkeys(resolve(t, modules) for t in targets)
    return [t for t in resolved if t and t != importer]
