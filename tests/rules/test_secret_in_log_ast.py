"""BG505 decides on Python's ast since its libcst visitor (and the ast pre-filter beside it) was
removed (STYLE-NOTES 25: one decision per rule). The places and cause lines below are what the
libcst version reported on the same snippets: columns in characters, f-string fields of every
kind, parameters from their `*`, bindings after the call, class bodies skipped. Compared when
ported: 168 snippets (298 runs, most in the default and a wide configuration) and the 4,326
BG505 findings of the real-world projects, the standard library and site-packages (the wide
configuration: most identifiers count as secrets), cause lines included, all identical but
for `DIFFERENT` below."""

from __future__ import annotations

import pytest

from backend_gate.api import check_source

Place = tuple[int, int, int, int, str, str, tuple[int, ...]]  # span, name, call, cause lines

CASES: dict[str, list[Place]] = {
    # columns count characters, not UTF-8 bytes
    'x = "é"; logger.info("%s", pass_word, password)\n':
        [(1, 28, 1, 37, "pass_word", "logger.info", ()),
         (1, 39, 1, 47, "password", "logger.info", ())],
    # a triple-quoted f-string over three lines: a field, an attribute, a subscript
    'logger.info(f"""line\n  more {password}\n and {user.token} {d["password"]}""")\n':
        [(2, 9, 2, 17, "password", "logger.info", ()),
         (3, 7, 3, 17, "token", "logger.info", ()),
         (3, 20, 3, 33, "password", "logger.info", ())],
    "logger.info(f'{d[\"password\"]} {x}')\n":  # the other quote inside the field
        [(1, 16, 1, 29, "password", "logger.info", ())],
    'logger.info("é" f"ü {password}"\n    f"b {token}")\n':  # implicit concatenation
        [(1, 22, 1, 30, "password", "logger.info", ()),
         (2, 10, 2, 15, "token", "logger.info", ())],
    # `=`, a conversion and a format spec; a field inside a format spec is not walked
    'logger.info(f"{password=} {x:{api_key}} {token!r:>10}")\n':
        [(1, 16, 1, 24, "password", "logger.info", ()),
         (1, 42, 1, 47, "token", "logger.info", ())],
    'logger.info("login %(pw)s" % {"pw": password, "user": user}, "{}".format(api_key))\n':
        [(1, 37, 1, 45, "password", "logger.info", ()),
         (1, 74, 1, 81, "api_key", "logger.info", ())],
    'self.logger.error("bad", extra={"pw": data["password"], **more, "k": {"t": token}})\n':
        [(1, 39, 1, 55, "password", "self.logger.error", ()),
         (1, 76, 1, 81, "token", "self.logger.error", ())],
    'self.log.error("%s", password)\napp.logger.debug("%s", token)\n'
    'logging.warning("x" + str(reset_token))\nlogging.getLogger(__name__).info(api_key)\n':
        [(1, 22, 1, 30, "password", "self.log.error", ()),
         (2, 24, 2, 29, "token", "app.logger.debug", ()),
         (3, 27, 3, 38, "reset_token", "logging.warning", ()),
         (4, 34, 4, 41, "api_key", "the logger", ())],
    # bound after the call, in a loop: every line of the assignment is a cause
    "def f():\n    for x in y:\n        logger.info(token)\n        token = get(\n"
    "            x\n        )\n":
        [(3, 21, 3, 26, "token", "logger.info", (4, 5, 6))],
    # parameters: the name's line (not its default's); a star parameter from its `*`
    "def f(\n    api_key=(\n        1\n    ),\n    *\n    password,\n    **\n  # c\n"
    "    token,\n):\n    logger.info(password, token, api_key)\n":
        [(11, 17, 11, 25, "password", "logger.info", (5, 6)),
         (11, 27, 11, 32, "token", "logger.info", (7, 8, 9)),
         (11, 34, 11, 41, "api_key", "logger.info", (2,))],
    "a, (b, *token) = x\n[password, c] = y\nlogger.info(token, password)\n":  # tuple targets
        [(3, 13, 3, 18, "token", "logger.info", (1,)),
         (3, 20, 3, 28, "password", "logger.info", (2,))],
    # a class body binds nothing for the methods in it
    "def outer():\n    token = 1\n    class A:\n        token = 2\n        def m(self):\n"
    "            logger.info(token)\n":
        [(6, 25, 6, 30, "token", "logger.info", (2,))],
    "def outer():\n    def inner():\n        logger.info(token)\n    token = 3\n":
        [(3, 21, 3, 26, "token", "logger.info", (4,))],
    # an augmented assignment binds; a lambda's parameter binds in the scope it is written in
    "def f():\n    token = (1 +\n             2)\n    if x:\n        token += 3\n"
    "    g = lambda password=1: logger.info(\n        token, password)\n":
        [(7, 9, 7, 14, "token", "logger.info", (2, 3, 5)),
         (7, 16, 7, 24, "password", "logger.info", (6,))],
    "logger.info(user . password, (cfg).secret, (\n    api_key\n))\n":
        [(1, 13, 1, 28, "password", "logger.info", ()),
         (1, 30, 1, 42, "secret", "logger.info", ()),
         (2, 5, 2, 12, "api_key", "logger.info", ())],
    # newer syntax (PEP 701 quotes, 3.14's `except A, B:`): on an older Python the gate reads
    # a rewritten ast whose columns moved on these lines; places come from the source text
    'logger.info(f"user {user["name"]}: {password} {d["api_key"]} {self.secret}")\n':
        [(1, 37, 1, 45, "password", "logger.info", ()),
         (1, 48, 1, 60, "api_key", "logger.info", ()),
         (1, 63, 1, 74, "secret", "logger.info", ())],
    'try:\n    run()\nexcept A, B: logger.info("%s %s", password, user.token)\n':
        [(3, 35, 3, 43, "password", "logger.info", ()),
         (3, 45, 3, 55, "token", "logger.info", ())],
}

# Where the ast version decides or places differently, on purpose: a one-element tuple key is
# no string key (libcst read `cfg["password",]` as one, when something else in the file let
# its pre-filter through); a name is the one Python reads (NFKC: fullwidth letters); a
# t-string's fields are logged (its Template's repr holds their values; libcst's walk did not
# enter one); a 1,500-term chain is placed exactly (libcst's placing ran out of stack and fell
# back to the whole statement, and to its lines as causes).
DIFFERENT: dict[str, list[Place]] = {
    'logger.info(t"{password}")\n': [(1, 16, 1, 24, "password", "logger.info", ())],
    'logger.info(cfg["password",], token)\n': [(1, 31, 1, 36, "token", "logger.info", ())],
    "ｐａｓｓｗｏｒｄ = 1\nlogger.info(ｐａｓｓｗｏｒｄ)\n":
        [(2, 13, 2, 21, "password", "logger.info", (1,))],
    "def f(password):\n    logger.info(" + " + ".join(["x"] * 1500) + " + password)\n":
        [(2, 6017, 2, 6025, "password", "logger.info", (1,))],
}


@pytest.mark.parametrize("code", [*CASES, *DIFFERENT])
def test_secret_in_log_is_placed_as_the_libcst_version_placed_it(code: str) -> None:
    report = check_source(code, "app/services/mod.py", {"select": ["BG505"]})
    found = sorted(
        (f.line, f.column, f.end_line, f.end_column, f.message.split("`")[1],
         f.message.split("`")[3], tuple(line for _, line in f.cause_lines))
        for f in report.findings if f.rule == "BG505")
    assert found == {**CASES, **DIFFERENT}[code]
