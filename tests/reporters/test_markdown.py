"""The Markdown summary: verdict, checks table, capped findings; text from code cannot add markup
(checked by rendering it with a CommonMark parser with GFM tables)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from backend_gate.model import Report
from backend_gate.reporters import markdown

HOSTILE = ("a|b `code` <img src=x onerror=alert(1)> &amp; [x](http://e.test) ![i](http://e.test)"
           " *em* __strong__ ~~s~~ \\| @someone\n| new | row |\n# heading\n<!-- hide")
MARKUP = {"link_open", "image", "html_inline", "html_block", "em_open",
          "strong_open", "s_open", "heading_open", "fence", "code_block"}


def _tokens(text: str) -> list[Any]:
    markdown_it = pytest.importorskip("markdown_it")
    parser = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    flat = []
    for token in parser.parse(text):
        flat.append(token)
        flat.extend(token.children or ())
    return flat


def _hostile_report(report: Report) -> Report:
    finding = replace(report.findings[0], message=HOSTILE, path="app/[evil](x)|`p`.py")
    check = replace(report.checks[0], summary=HOSTILE)
    return replace(report, findings=(finding,), checks=(check,))


def test_hostile_text_renders_as_plain_text(report: Report) -> None:
    tokens = _tokens(markdown.render(_hostile_report(report)))
    types = [t.type for t in tokens]
    assert types.count("heading_open") == 2  # the verdict and "Findings", nothing injected
    assert not MARKUP - {"heading_open"} & set(types), sorted(MARKUP & set(types))
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == 4  # header + 1 check, header + 1 finding: no injected row
    # the message's one code span (in the finding and in the summary) stays a code span; the
    # path's backticks do not make one
    assert [t.content for t in tokens if t.type == "code_inline"] == ["code", "code"]
    text = "".join(t.content for t in tokens if t.type == "text")
    assert "<img src=x onerror=alert(1)>" in text and "&amp;" in text
    assert "@someone" not in text and "@\u200bsomeone" in text


def test_verdict_checks_and_findings(report: Report) -> None:
    text = markdown.render(report)
    assert text.startswith("## backend-gate: ❌ FAIL\n")
    assert "| lint | ⚠️ error | 2 | ruff crashed on app/x\\|y.py exit 2 |" in text
    assert "pay.py" not in text  # suppressed and baselined findings are only counted
    assert "7 files checked, 6 findings (4 failing), 2 suppressed or baselined" in text


def test_code_spans_in_messages_render_as_code(report: Report) -> None:
    """Issue 18: messages quote names in backticks; they render as code, not as raw backticks."""
    spans = replace(report.findings[1], message="`a|b` and `x`, `back\\slash` and a lone ` tick")
    tokens = _tokens(markdown.render(replace(report, findings=(spans,))))
    assert [t.content for t in tokens if t.type == "code_inline"] == ["a|b", "x"]
    text = "".join(t.content for t in tokens if t.type == "text")
    # a backslash inside, or a lone backtick: plain text
    assert "`back\\slash` and a lone ` tick" in text
    # two header rows, a row per check, one finding row: the pipe stayed inside its cell
    assert len([t for t in tokens if t.type == "tr_open"]) == 2 + len(report.checks) + 1
    rendered = _tokens(markdown.render(report))
    assert ["tick", "os", "os", "TODO"] == [t.content for t in rendered if t.type == "code_inline"]


def test_counts_are_pluralised(report: Report) -> None:
    one = replace(report, files=1, findings=report.findings[1:2])
    assert "1 file checked, 1 finding (1 failing)." in markdown.render(one)


def test_findings_are_capped_with_a_count_of_the_rest(report: Report) -> None:
    many = replace(report, findings=report.findings[:1] * 60)
    text = markdown.render(many, limit=50)
    assert text.count("| error | bandit:B608") == 50
    assert "…and 10 more findings not shown here." in text
    assert "more findings" not in markdown.render(report)


@pytest.mark.parametrize("raw, escaped", [
    ("a|b", "a\\|b"), ("<b>", "&lt;b&gt;"), ("x & y", "x &amp; y"), ("[l](u)", "\\[l\\](u)"),
    ("`c`", "\\`c\\`"), ("*e* _u_", "\\*e\\* \\_u\\_"), ("one\ntwo\r\nthree", "one two three"),
    ("back\\slash", "back\\\\slash"),
])
def test_escape(raw: str, escaped: str) -> None:
    assert markdown.escape(raw) == escaped
