"""BG102 stub-function: a function whose body is only `pass`, `...` or `raise NotImplementedError`."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from backend_gate.config import Option
from backend_gate.rules._base import Invalid, PlacedReport, ProjectRule, Valid
from backend_gate.rules._classes import BaseIndex, ClassFacts
from backend_gate.rules._stubs import _BASE_CLASSES, MESSAGE, StubCandidates


class StubFunction(ProjectRule):
    """
    ## What it does
    Flags a function whose body (after an optional docstring) is only `pass`, `...` or
    `raise NotImplementedError`: code shipped as if it were done. Interfaces and hooks are left
    alone:
    - abstract methods (`@abstractmethod`, `@abc.abstractproperty`, ...), `@overload`
      signatures, `.pyi` stubs, methods of `Protocol` classes;
    - (by default, `allow-in-abc`) every method of a class that derives from `ABC` or uses
      `metaclass=ABCMeta`: in an ABC a non-abstract `pass` method is a deliberate no-op hook;
    - methods of classes named like base classes (`BaseRepository`, `AbstractView`,
      `AuditMixin`, `StorageInterface`; option `base-class-names`): the pre-`abc` way of
      declaring an interface, common in Django, Flask-AppBuilder and fastapi-users;
    - a stub whose docstring or `NotImplementedError` message says it is meant to be
      overridden, a hook, an interface, a base class or a type stub, or computed elsewhere
      ("Override this", "subclasses must implement", "Computed directly in get_seats_cte"),
      or that the operation is not supported or cannot apply ("Backfilling is not
      supported", "Token users have no DB representation", "rows cannot be saved",
      "read-only") without saying the work is pending ("yet", "TODO", "later", "until":
      "not supported yet" is a stub). "implement this" alone is work left to do;
    - methods of a class whose docstring says the class is an interface, hooks or meant to
      be overridden ("Interface for payment providers", "Hook called when ...", "Subclasses
      override ...", "Base class for ..."); the word in passing ("Synchronises users with
      the LDAP interface", "price overrides") is not enough;
    - methods of a class that a class anywhere in the project derives from (the base's stubs
      are what the subclasses fill in). Bases are resolved through the imports
      (`from dispatch.plugins.base import Plugin` names `dispatch.plugins.base.Plugin`); a
      base that cannot be resolved (a re-export, a `*` import) counts by its class name, and
      one imported from a third-party package counts for none of the project's classes. The
      whole project is read also when a run names only some files (the pre-commit hook), so
      a file gets the same result either way. Subclasses in test files do not count: a test
      double does not make a class a base;
    - stand-ins whose signature is what counts, with a body of only `pass` / `...`: a route
      (`@router.post("/token")`) kept for the schema it generates, and a function used only
      as what a decorator wraps (`with_signature(sig)(_endpoint)`);
    - functions under `if TYPE_CHECKING:` (declarations for the type checker), and dunder
      methods and functions named as no-ops (`noop`, `dummy`, `ignore`, `DO_NOTHING`) whose
      body is only `pass` / `...` (`def __init__(self, app): pass`);
    - a stub whose body holds a comment: the comment explains why it is empty. A tool's
      directive alone (`# pragma: no cover`, `# noqa`, `# type: ignore`, `# pylint: ...`,
      `# nosec`) explains nothing;
    - the callback of a command group (`@click.group()`), which is empty by design;
    - test files (fakes and no-op doubles are deliberate there).

    ## Why is this bad?
    The standard asks for production-ready code. A stub compiles, passes review at a glance and
    fails (or silently does nothing) the first time a caller relies on it.

    ## Example
    ```python
    class RefundService:
        def refund(self, order_id: int) -> None:
            raise NotImplementedError
    ```

    ## Use instead
    Implement the function, or declare it as an interface so the type checker and the runtime
    enforce it:
    ```python
    class RefundGateway(abc.ABC):
        @abc.abstractmethod
        def refund(self, order_id: int) -> None: ...
    ```

    ## Options
    - `allow-in-abc`: leave alone every method of a class deriving from `ABC` / using `ABCMeta`.
    - `base-class-names`: regexes; methods of a class whose name matches one are left alone.
    - `allow-empty-overrides`: leave alone a `pass` / `...` method of a class that derives from
      another class: an override that deliberately does nothing (`DummyCache.clear`). A
      `raise NotImplementedError` there is still flagged.

    ## References
    - [PEP 544: Protocols](https://peps.python.org/pep-0544/)
    - [abc: Abstract Base Classes](https://docs.python.org/3/library/abc.html)
    """

    CODE = "BG102"
    NAME = "stub-function"
    CHECK = "todo"
    MESSAGE = MESSAGE
    OPTIONS = (
        Option("allow-in-abc", bool, True, "Leave alone methods of ABC classes (hooks)."),
        Option("base-class-names", list, list(_BASE_CLASSES),
               "Regexes of class names whose methods are interface hooks.", item_type=str),
        Option("allow-empty-overrides", bool, True,
               "Leave alone `pass` / `...` methods of a class that derives from another."),
    )
    VALID = (
        Valid("import abc\nclass Repo(abc.ABC):\n    @abc.abstractmethod\n"
              "    def get(self, key: str) -> str:\n        raise NotImplementedError\n"),
        Valid("from typing import Protocol\nclass Sender(Protocol):\n"
              "    def send(self, to: str) -> None: ...\n"),
        Valid("from typing import overload\n@overload\ndef load(key: int) -> int: ...\n"
              "@overload\ndef load(key: str) -> str: ...\ndef load(key):\n    return key\n"),
        Valid("def load(key: int) -> int: ...\n", path="app/services/loader.pyi"),
        Valid("from abc import ABC\nclass Hooks(ABC):\n    def on_saved(self, user):\n"
              "        pass\n"),
        Valid("def noop_handler(event):\n    return None\n"),
        Valid('def ready():\n    """Readiness probe: nothing to check yet."""\n    return True\n'),
        Valid("class BaseRepository:\n    def get(self, key):\n        raise NotImplementedError\n"),
        Valid('class Upload:\n    def on_store(self, obj):\n'
              '        """Override this to post-process the stored file."""\n        pass\n'),
        Valid("class Exporter:\n    def rows(self):\n"
              "        raise NotImplementedError('subclasses must implement rows()')\n"),
        Valid("import click\n@click.group()\ndef cli():\n    pass\n"),
        Valid("class FakeMailer:\n    def send(self, to):\n        pass\n",
              path="tests/test_signup.py"),
        Valid("class Store:\n    def put(self, row):\n        raise NotImplementedError\n\n"
              "class SqlStore(Store):\n    def put(self, row):\n        self.rows.append(row)\n"),
        Valid("import typing\nclass Store:\n    if typing.TYPE_CHECKING:\n"
              "        def put(self, row): ...\n"),
        Valid("class Plugin:\n    def __init__(self, app):\n        pass\n"),
        Valid("class DummyCache(BaseCache):\n    def clear(self):\n        pass\n"),
        Valid("def harden_runtime(password):\n    # too complex to harden: nothing to do\n"
              "    pass\n"),
        Valid("class Backfill:\n    def backfill(self):\n"
              "        raise NotImplementedError('Backfilling is not supported')\n"),
        Valid("@router.post('/login/access-token')\ndef login_access_token(form): ...\n"),
        Valid('class PaymentProvider:\n    """Interface for payment providers."""\n\n'
              "    def refund(self, order_id):\n        raise NotImplementedError\n"),
    )
    INVALID = (
        Invalid("class RefundService:\n    def refund(self, order_id):\n"
                "        raise NotImplementedError\n", line=2, column=9,
                message_contains="`refund`"),
        Invalid('def charge(order):\n    """Charge the card."""\n    pass\n', line=1, column=5),
        Invalid("async def sync_stock() -> None: ...\n", line=1, column=11),
        Invalid("def build():\n    raise NotImplementedError('later')\n", line=1, column=5),
        Invalid("from abc import ABC\nclass Hooks(ABC):\n    def on_saved(self, user):\n"
                "        pass\n", line=3, column=9,
                options={"allow-in-abc": False, "allow-empty-overrides": False}),
        Invalid("class BaseRepository:\n    def get(self, key):\n        raise NotImplementedError\n",
                line=2, column=9, options={"base-class-names": []}),
        Invalid("class DummyCache(BaseCache):\n    def clear(self):\n        pass\n",
                line=2, column=9, options={"allow-empty-overrides": False}),
        Invalid("class RefundService(Service):\n    def refund(self, order_id):\n"
                "        raise NotImplementedError\n", line=2, column=9),
        Invalid("def schedule_placeholder():\n    pass\n", line=1, column=5),
        Invalid("def refund(order_id):\n"
                "    raise NotImplementedError('Partial refunds are not supported yet')\n",
                line=1, column=5),
        Invalid("def refund(order_id):\n    raise NotImplementedError  # pragma: no cover\n",
                line=1, column=5),
        Invalid('class SyncService:\n    """Synchronises users with the LDAP interface."""\n\n'
                "    def sync(self):\n        raise NotImplementedError\n", line=4, column=9),
    )
    FACTS = ("stubs", "classes")
    COLLECTORS = (StubCandidates, ClassFacts)

    def check_project(
        self, facts: Mapping[str, Mapping[str, list[Any]]], paths: Iterable[str]
    ) -> Iterable[PlacedReport]:
        """The stubs of the files, less those of a class that a class anywhere in the project
        derives from: the base's stubs are what the subclasses fill in."""
        paths = list(paths)
        index = BaseIndex(facts, paths)
        for path in paths:
            for owner, line, column, end_line, end_column, message in facts.get(
                    path, {}).get("stubs", ()):
                if not owner or not index.is_base(path, owner):
                    yield PlacedReport(path, line, column, end_line, end_column, message)
