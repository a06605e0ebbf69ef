"""Planted violations for `attack.py`: known findings written in varied syntax.

A `Plant` is a block of module-level code that a rule must report, written the ways source
text can differ from what it means: escapes in string literals, backslash continuations,
comments inside brackets, keywords glued to numbers, deep nesting; `program` puts a few in a
module with filler and an odd encoding; `mutate` puts one in a real file.
"""

from __future__ import annotations

import ast
import random
import re
import string
import unicodedata
from dataclasses import dataclass, field


@dataclass
class Plant:
    rule: str
    lines: list[str]  # module-level code, no trailing newlines
    secrets: tuple[str, ...] = ()  # values that must never appear unmasked in any output
    settings: bool = False  # the file must be a settings module
    nestable: bool = True  # may be indented (no string literal continued on a new line)


@dataclass
class Placed:
    rule: str
    first: int  # 1-based lines of the plant in the final file
    last: int
    secrets: tuple[str, ...] = ()


@dataclass
class Program:
    name: str
    data: bytes
    placed: list[Placed] = field(default_factory=list)
    encoding: str = "utf-8"


def _token(rng: random.Random, size: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    while True:  # mixed case and a digit: shaped like a real key, never like a word
        value = "".join(rng.choice(alphabet) for _ in range(size))
        if any(c.isdigit() for c in value) and any(c.isupper() for c in value):
            return value


def escaped(rng: random.Random, value: str, rate: float = 0.3) -> str:
    """`value` as the inside of a double-quoted literal, some characters written as escapes."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif rng.random() >= rate:
            out.append(ch)
        else:
            out.append(_escape(rng, ch))
    return "".join(out)


def _escape(rng: random.Random, ch: str) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"\\x{ord(ch):02x}"
    if kind == 1:
        return f"\\u{ord(ch):04x}"
    if kind == 2:
        return f"\\{ord(ch):03o}"
    return "\\N{" + unicodedata.name(ch) + "}"


def _cont(rng: random.Random) -> str:
    """Space between two tokens: plain, a backslash continuation, or a wide gap."""
    return rng.choice([" ", " \\\n        ", "  ", "\t"])


def sql(rng: random.Random, n: int) -> Plant:
    built = rng.choice([
        'f"SELECT * FROM users WHERE id = {uid}"',
        '"SELECT * FROM users WHERE id = " + uid',
        '"SELECT * FROM users WHERE id = %s" % uid',
        '"SELECT * FROM users WHERE id = {}".format(uid)',
        '"SELECT\\x20* FROM users WHERE name = \'" + uid + "\'"',
    ])
    call = rng.choice([
        f"cursor.execute({built})",
        f"cursor . execute{_cont(rng).rstrip(' ') or ''}({built})",
        f"cursor.execute(  # run it: now\n        {built})",
        f"cursor.execute \\\n        ({built})",
    ])
    body = [f"def load_{n}(cursor, uid):", f"    return {call}"]
    if rng.random() < 0.5:
        body = [f"def load_{n}(cursor, uid):", *rng.choice(_SQL_CARRIERS)(built)]
    return Plant("BG301", body)


# Ways built SQL text travels from where it is built to the execute call: each one a path the
# rule's trace must follow (a name, `:=`, a loop, an element or a slice, a text transform, an
# unpacking, a grown collection).
_SQL_CARRIERS = [
    lambda built: [f"    query = {built}", "    return cursor.execute(query)"],
    lambda built: [f"    if (query := {built}):", "        return cursor.execute(query)"],
    lambda built: [f"    for query in [{built}]:", "        cursor.execute(query)"],
    lambda built: [f"    queries = [{built}]", "    return cursor.execute(queries[0])"],
    lambda built: [f"    query = {built} + ' '", "    return cursor.execute(query[:-1])"],
    lambda built: ["    import textwrap", f"    return cursor.execute(textwrap.dedent({built}))"],
    lambda built: [f"    query = {built}", "    return cursor.execute(query.strip())"],
    lambda built: [f"    parts = [{built}]", "    return cursor.execute(' '.join([*parts]))"],
    lambda built: ['    parts = {"SELECT 1"}', f"    parts |= {{{built}}}",
                   "    return cursor.execute(' UNION '.join(parts))"],
    lambda built: ["    query = 'SELECT * FROM users WHERE id = {u}'",
                   "    return cursor.execute(query.format_map({'u': uid}))"],
]


def secret(rng: random.Random, n: int) -> Plant:
    value = _token(rng, 18)
    lit = escaped(rng, value, rate=rng.choice([0, 0.2, 0.5]))
    shape = rng.randrange(4)
    if shape == 0:
        lines = [f'DB_PASSWORD = "{lit}"']
    elif shape == 1:
        key = rng.choice([escaped(rng, "password", rate=0.4), 'pass" "word', "pass\\\nword"])
        lines = [f'settings_{n} = {{"{key}": "{lit}"}}']
    elif shape == 2:
        lines = [f"def connect_{n}(host):", f'    return connect(host=host,{_cont(rng)}password="{lit}")']
    else:
        lines = ['api_key = \\', f'    "{lit}"']
    return Plant("BG201", lines, secrets=(value,), nestable="\\\n" not in "\n".join(lines))


_CREDENTIALS = (
    lambda rng: "AKIA" + _token(rng, 16, string.ascii_uppercase + string.digits),
    lambda rng: "sk_live_" + _token(rng, 24),
    lambda rng: "ghp_" + _token(rng, 36),
    lambda rng: f"postgresql://app:{_token(rng, 12)}@db.internal/app",
)


def credential(rng: random.Random, n: int) -> Plant:
    value = rng.choice(_CREDENTIALS)(rng)
    lit = escaped(rng, value, rate=rng.choice([0, 0.15, 0.4]))
    lines = rng.choice([[f'value_{n} = "{lit}"'], [f'client_{n} = make_client("{lit}")'],
                        [f"value_{n} = (", f'    "{lit}"', ")"]])
    secrets = (value,) if "postgresql" not in value else (value.split(":")[2].split("@")[0],)
    return Plant("BG202", lines, secrets=secrets)


def bare_except(rng: random.Random, n: int) -> Plant:
    clause = rng.choice(["except:", "except :", "except\\\n    :", "except \\\n    :"])
    return Plant("BG501", [f"def run_{n}(job):", "    try:", "        job()", f"    {clause}",
                           "        return None"])


def print_call(rng: random.Random, n: int) -> Plant:
    call = rng.choice(["print(x)", "(print)(x)", "print \\\n        (x)", "print(  # why: debug\n        x)",
                       "print  (x)", "(print  # why\n    )(x)", "y = x; print(y)", "print(f'{x!r:>10}')"])
    if rng.random() < 0.15:
        return Plant("BG504", [f"show_{n} = lambda x: print(x)"])
    return Plant("BG504", [f"def show_{n}(x):", f"    {call}"])


_DECISIONS = (  # (statement, decision points radon counts)
    ("x = 1if a else 2", 1), ("x = a or 1or b", 2), ("x = [1for _ in b if 0x1for a]", 3),
    ("x = (1.if a else 0b1if b else 2)", 2), ("x = a and 1and b", 2), ("assert a", 1),
    ("if a: x = 1", 1), ("for _ in b: x = 1", 1), ("while a: break", 1),
    ("x = [.5for _ in b if 1jor a]", 3), ("x = {k: v for k, v in b if 1_0or k}", 3),
)


def complex_function(rng: random.Random, n: int) -> Plant:
    lines, score = [f"def decide_{n}(a, b):"], 1
    while score <= 12:
        statement, points = rng.choice(_DECISIONS)
        lines.append("    " + statement)
        score += points
    lines.append("    return a")
    return Plant("BG601", lines)


def exception_text(rng: random.Random, n: int) -> Plant:
    clause = rng.choice(["except Exception as exc:", "except Exception as \\\nexc:",
                         "except (\n        RuntimeError,  # note: any failure\n    ) as exc:",
                         "except ERRORS[1:] as exc:", "except(RuntimeError)as exc:"])
    leak = rng.choice(["str(exc)", "repr(exc)", 'f"failed: {exc}"', '"failed: %s" % exc'])
    return Plant("BG503", [f"def view_{n}():", "    try:", "        return work()", f"    {clause}",
                           f'        return JSONResponse({{"error": {leak}}})'])


def todo(rng: random.Random, n: int) -> Plant:
    tag = rng.choice(["TODO", "FIXME", "XXX", "HACK", "ToDo", "FixMe", "todo"])
    return Plant("BG101", rng.choice([[f"# {tag}: finish this"], [f"x_{n} = 1  # {tag}: finish this"],
                                      [f"def later_{n}():", f'    """{tag}: finish this."""', "    return 1"]]))


def debug(rng: random.Random, n: int) -> Plant:
    return Plant("BG203", [rng.choice(["DEBUG = True", "DEBUG = \\\n    True", "DEBUG=True"])],
                 settings=True, nestable=False)


def swallowed(rng: random.Random, n: int) -> Plant:
    caught = rng.choice(["Exception", "BaseException", "(ValueError, Exception)",
                         "(\n        KeyError,  # note: x\n        Exception,\n    )"])
    body = rng.choice(["pass", "...", "return None", "return 0"])
    return Plant("BG502", [f"def quiet_{n}(job):", "    try:", "        return job()",
                           f"    except {caught}:", f"        {body}"])


def secret_log(rng: random.Random, n: int) -> Plant:
    logger = rng.choice(["logger", "LOG", "log", "self_log", "logging"])
    return Plant("BG505", [f"def login_{n}(user, password):",
                           f'    {logger}.info("login %s %s", user, password)'])


PLANTS = (sql, secret, credential, bare_except, print_call, complex_function, exception_text,
          todo, debug, swallowed, secret_log)


# --- generated programs -------------------------------------------------------------------

_WRAPPERS = ("if _ready:", "for _i in range(1):", "with _guard():", "class _Holder{k}:",
             "while _ready:", "try:")
_FILLER = (
    lambda k, rng: [f"def helper_{k}(value):", "    return value * 2"],
    lambda k, rng: [f"class Model{k}:", '    name = "x"', "", "    def get(self):",
                    "        return self.name"],
    lambda k, rng: [f"LIMIT_{k} = 10  # a note: nothing to see"],
    lambda k, rng: [f"def donn\u00e9es_{k}():", '    return "caf\u00e9"'],
    lambda k, rng: [f"total_{k} = " + " + ".join(["1"] * rng.randint(2, CHAIN[0]))],
    lambda k, rng: [f'URL_{k} = "https://example.com/a\\x2fb"', f'PATTERN_{k} = r"\\d+\\s*"'],
)
CHAIN = [120]  # the longest `1 + 1 + ...` filler (attack.py --chain)
ENCODINGS = ("utf-8", "utf-8-bom", "latin-1", "crlf", "cr", "tabs", "formfeed")


def _nest(rng: random.Random, lines: list[str], depth: int, k: int) -> list[str]:
    """`lines` inside `depth` blocks, each closed so that it is valid Python."""
    for level in range(depth):
        head = rng.choice(_WRAPPERS).format(k=f"{k}_{level}")
        body = ["    " + line if line else "" for line in lines]
        lines = [head, *body, "    pass"]
        if head == "try:":
            lines += ["finally:", "    pass"]
    return lines


def program(rng: random.Random, k: int, max_depth: int) -> Program:
    """A module with one to three planted violations among filler, in one of `ENCODINGS`."""
    plants = [rng.choice(PLANTS)(rng, k * 10 + i) for i in range(rng.randint(1, 3))]
    encoding = rng.choice(ENCODINGS)
    lines: list[str] = ["# -*- coding: latin-1 -*-"] if encoding == "latin-1" else []
    lines += ["_ready = True", ""]
    spans: list[tuple[Plant, int, int]] = []
    for i, plant in enumerate(plants):
        lines += _FILLER[rng.randrange(len(_FILLER))](k * 10 + i, rng) + [""]
        physical = _dressed(rng, "\n".join(plant.lines).split("\n"))
        depth = rng.randint(0, max_depth) if plant.nestable and rng.random() < 0.4 else 0
        block = _nest(rng, physical, depth, k * 10 + i)
        start = len(lines) + 1 + depth  # the plant's own lines sit under its blocks
        spans.append((plant, start, start + len(physical) - 1))
        lines += block + [""]
    text = "\n".join(lines) + "\n"
    name = f"gen_{k:05d}" + ("_settings" if any(p.settings for p, _, _ in spans) else "") + ".py"
    placed = [Placed(p.rule, first, last, p.secrets) for p, first, last in spans]
    return Program(name, _encode(text, encoding), placed, encoding)


def _dressed(rng: random.Random, lines: list[str]) -> list[str]:
    """A function plant made async, decorated, or both, now and then."""
    if not lines[0].startswith("def "):
        return lines
    if rng.random() < 0.2:
        lines = ["async " + lines[0], *lines[1:]]
    if rng.random() < 0.2:
        lines = ['@router.get("/items/{item_id}")', *lines]
    return lines


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "latin-1":
        return text.encode("latin-1")
    if encoding == "tabs":
        text = "\n".join(_tabs(line) for line in text.split("\n"))
    elif encoding == "formfeed":
        text = text.replace("\n\n", "\n\x0c\n")
    elif encoding == "crlf":
        text = text.replace("\n", "\r\n")
    elif encoding == "cr":
        text = text.replace("\n", "\r")
    data = text.encode("utf-8")
    return b"\xef\xbb\xbf" + data if encoding == "utf-8-bom" else data


def _tabs(line: str) -> str:
    stripped = line.lstrip(" ")
    indent = len(line) - len(stripped)
    return "\t" * (indent // 4) + " " * (indent % 4) + stripped


# --- mutants of real code -----------------------------------------------------------------

MUTATIONS = (sql, secret, credential, bare_except, print_call, complex_function, exception_text,
             todo, swallowed, secret_log)


# BG504 leaves command-line programs alone (a main block, argparse, click/typer, a management
# command), modules that bind their own `print`, prompts and logging handlers' `emit`
_MAY_PRINT = re.compile(r"__main__|ArgumentParser|click|typer|Command\b|\bprint\s*=|def print\b"
                        r"|import[^\n]*\bprint\b|\binput\(|\bemit\b")


def _positions(tree: ast.Module, rows: list[str]) -> list[tuple[int, str]]:
    """(line, indentation) before which a block of statements can go: module statements and
    statements in the bodies of top-level functions and of methods of top-level classes."""
    bodies: list[list[ast.stmt]] = [tree.body]
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            bodies.append(node.body)
        elif isinstance(node, ast.ClassDef):
            bodies += [n.body for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    found = []
    for body in bodies:
        for statement in body:
            first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
            row = rows[first - 1] if first <= len(rows) else ""
            indent = row[: len(row) - len(row.lstrip(" \t"))]
            previous = rows[first - 2] if first >= 2 else ""
            if previous.rstrip().endswith("\\") or "backend-gate:" in previous:
                continue
            if len(indent.encode()) == statement.col_offset:
                found.append((first, indent))
    return found


def mutate(rng: random.Random, text: str, k: int) -> tuple[str, Placed] | None:
    """`text` with one planted violation at a random statement position, or None."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None
    rows = text.split("\n")
    positions = _positions(tree, rows)
    for _ in range(8):
        if not positions:
            return None
        line, indent = rng.choice(positions)
        plant = rng.choice(MUTATIONS)(rng, 900000 + k)
        if (indent and not plant.nestable) or (plant.rule == "BG504" and _MAY_PRINT.search(text)):
            continue
        block = [indent + row if row else row for row in "\n".join(plant.lines).split("\n")]
        mutated = "\n".join(rows[: line - 1] + block + rows[line - 1:])
        try:
            compile(mutated, "<mutant>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            continue
        return mutated, Placed(plant.rule, line, line + len(block) - 1, plant.secrets)
    return None
