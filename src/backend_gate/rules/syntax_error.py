"""BG001 syntax-error: a file that cannot be read, decoded or parsed."""

from __future__ import annotations

from backend_gate.rules._base import DeclaredRule, Invalid, Valid


class SyntaxErrorRule(DeclaredRule):
    """
    ## What it does
    Reports a file that cannot be checked: it does not parse as Python 3 (a syntax error,
    Python 2 code), cannot be decoded (invalid UTF-8, an unknown coding cookie) or holds NUL
    bytes. Exactly one finding per file, at the error's line and column; every other file is
    still checked, and the wrapped tools' own complaints about the file are dropped. The
    message names the Python that judged it: the one running the gate.

    A file written for a newer Python than the one running the gate (type parameters and
    `type` aliases of 3.12, f-strings that nest their own quotes, `except A, B:` of 3.14) is
    not a syntax error: the gate's own rules read it through libcst's parser. The wrapped
    tools that read the running Python's `ast` (bandit, radon) name such a file under their
    check, which then cannot pass: run the gate on the project's Python (for pre-commit,
    `language_version`). A file the gate's rules cannot walk (nested deeper than the
    interpreter's stack) gets this finding too, and the wrapped tools still run on it.

    ## Why is this bad?
    No rule can see into a file that does not parse, so a gate that skipped it silently would
    pass code it never read.

    ## Example
    ```python
    print "hello"
    ```

    ## Use instead
    ```python
    print("hello")
    ```

    ## Options
    None.

    ## References
    - [Python's source encoding rules (PEP 263)](https://peps.python.org/pep-0263/)
    """

    CODE = "BG001"
    NAME = "syntax-error"
    CHECK = "gate"
    MESSAGE = "the file does not parse; no other check ran on it"
    VALID = (
        Valid("x = 1\n"),
        Valid("# -*- coding: latin-1 -*-\nname = 'caf\\xe9'\n"),
        Valid("match command:\n    case 'go':\n        pass\n"),
    )
    INVALID = (
        Invalid('print "hello"\n', line=1, column=1),
        Invalid("def f(:\n    pass\n", line=1, column=7),
        Invalid("x = 1\nif x\n    y = 2\n", line=2, column=5),
    )
