"""BG504 decides on Python's ast since its libcst visitor was removed (issue 19: one decision
per rule). The places below are what the libcst version reported on the same snippets, in the
default and the strict configuration (compared when ported, with 31 such cases and the 49
BG504 findings of the real-world projects)."""

from __future__ import annotations

import pytest

from backend_gate.api import check_source

STRICT = {"print-call": {"allow-in-main": False, "allow-cli-modules": False}}

CASES = {
    "if __name__ == '__main__':\n    print('x')\nelse:\n    print('y')\n":
        ([], [(2, 5), (4, 5)]),  # both branches of a main guard count as guarded
    "import click\n\n@app.get('/x')\ndef f():\n    print(1)\n\n@click.command()\ndef g():\n"
    "    print(2)\n": ([(5, 5)], [(5, 5), (9, 5)]),  # a route in a CLI module still may not
    "import logging\nclass H(logging.Handler):\n    def emit(self, r):\n        print(r)\n"
    "    def other(self):\n        print(2)\n": ([(6, 9)], [(6, 9)]),
    "@deco(print('x'))\ndef f():\n    pass\n": ([(1, 7)], [(1, 7)]),
    # a method called `print` binds it in the class only: the module's print is the built-in
    "class A:\n    def print(self):\n        pass\nprint('x')\n": ([(4, 1)], [(4, 1)]),
    "a, print = 1, 2\nprint('x')\n": ([(2, 1)], [(2, 1)]),  # not a plain rebinding
    "from rich import print\nprint('x')\n": ([(2, 1)], [(2, 1)]),
    "def f():\n    x = 'é'; print(x)\n": ([(2, 14)], [(2, 14)]),  # columns in characters
    "def f():\n    (print)('x')\n": ([(2, 6)], [(2, 6)]),
    "def outer():\n    def inner():\n        return input()\n    print(1)\n": ([(4, 5)], [(4, 5)]),
    "from invoke import task\n@task\ndef t(c):\n    print(1)\n": ([], [(4, 5)]),
    "x = " + "+".join(["1"] * 2000) + "\nprint(x)\n": ([(2, 1)], [(2, 1)]),  # deep chain
}


@pytest.mark.parametrize("code", list(CASES))
def test_print_is_judged_as_the_libcst_version_judged_it(code: str) -> None:
    default, strict = CASES[code]
    for table, expected in (({}, default), (STRICT, strict)):
        report = check_source(code, "app/services/mod.py", {"select": ["BG504"], **table})
        found = [(f.line, f.column) for f in report.findings if f.rule == "BG504"]
        assert found == expected, (table, found)


# (code, the lines reported): a binding of `print` shadows the built-in where Python's lookup
# finds it (the body itself, enclosing functions, the module), never across a class body
SHADOWING = [
    # probe 504-1: a method called `print` left every print of the module unreported
    ("class Invoice:\n    def print(self):\n        return render_pdf(self)\n\n"
     "def create(order):\n    print('created', order.id)\n", [6]),
    # probe 504-2: a local `print = ...` is that function's own
    ("def create(order):\n    print = logger.info\n    print('created')\n\n"
     "def other():\n    print('other')\n", [6]),
    ("def create(order):\n    from x import log as print\n    print('created')\n\n"
     "def other():\n    print('other')\n", [6]),
    ("def create(order):\n    def print(*a):\n        pass\n    print('created')\n\n"
     "def other():\n    print('other')\n", [7]),
    # a nested function sees its enclosing function's binding, even one made after it
    ("def outer():\n    def inner():\n        print('inner')\n    print = logger.info\n"
     "    inner()\n", []),
    # a class body's binding is not seen by its methods, but is by the class body itself
    ("class Report:\n    print = staticmethod(logger.info)\n    print('loaded')\n\n"
     "    def render(self):\n        print('rendering')\n", [6]),
    # a module-level binding, wherever it stands, shadows the built-in in the whole module
    ("def create(order):\n    print('created')\n\nprint = logger.info\n", []),
    ("def create(order):\n    print('created')\n\ndef print(*a):\n    pass\n", []),
    ("import mylog as print\n\nclass A:\n    def m(self):\n        print('m')\n", []),
]


@pytest.mark.parametrize(("code", "lines"), SHADOWING)
def test_a_binding_shadows_print_only_where_python_would_find_it(code: str, lines: list) -> None:
    report = check_source(code, "app/services/orders.py", {"select": ["BG504"]})
    assert [f.line for f in report.findings if f.rule == "BG504"] == lines
