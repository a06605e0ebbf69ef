"""What no output may show: known credential shapes and terminal control sequences.

`clean_message` is applied to every finding's message and every check's summary when they are
made (`model.Finding`, `model.CheckResult`), whatever rule or tool wrote them, so the cache, the
last-run file and all seven formats get the same text. A wrapped tool quotes literals raw (ruff's
F601 duplicate dict key, B033 duplicate set item): a Stripe key in such a literal is masked here.
`printable` is what the text, GitHub and Markdown reporters apply to any text they show (paths,
messages, summaries), so a terminal never receives an escape sequence from the checked code.

This module imports nothing from the package: it sits below `model`.
"""

from __future__ import annotations

import re

# Known credential formats, matched anywhere in a text (BG202 reports them in string literals).
CREDENTIAL_FORMATS: tuple[tuple[str, str], ...] = (
    ("an AWS access key id", r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b"),
    ("a Stripe live key", r"\b[rs]k_live_[0-9a-zA-Z]{20,}"),
    ("a GitHub token", r"\b(?:gh[pousr]_[0-9A-Za-z]{36}|github_pat_[0-9A-Za-z_]{60,})"),
    ("a GitLab token", r"\bglpat-[0-9A-Za-z_-]{20,}"),
    ("a Slack token", r"\bxox[baprs]-[0-9A-Za-z-]{10,}"),
    ("a private key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    ("a JWT", r"\beyJ[0-9A-Za-z_-]{8,}\.eyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{16,}"),
    ("a Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
    ("a SendGrid key", r"\bSG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43}\b"),
)
# A literal every match of the CREDENTIAL_FORMATS pattern at the same index contains: a text
# without any of them is not searched.
FORMAT_ANCHORS: tuple[tuple[str, ...], ...] = (
    ("AKIA", "ASIA", "AGPA", "AIDA", "AROA"), ("k_live_",),
    ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), ("glpat-",), ("xox",),
    ("PRIVATE KEY",), ("eyJ",), ("AIza",), ("SG.",),
)
# scheme://user:password@host -- the password is neither empty nor a template.
DSN_WITH_PASSWORD = re.compile(
    r"\b(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<user>[^\s:/@\[\]]*):(?P<password>[^\s@/\[\]]+)@"
    r"(?P<host>[^\s/:?#]+)"
)
_ANY_ANCHOR = re.compile("|".join(
    re.escape(anchor) for anchors in (*FORMAT_ANCHORS, ("://",)) for anchor in anchors))
# The shown prefix of a long secret says which kind of key it is (`sk_l`, `AKIA`, `ghp_`); a
# short secret shows nothing, and the stars never tell the length.
LONG_SECRET = 16
SHOWN_PREFIX = 4
STARS = "****"

# Terminal sequences, removed whole (an OSC 8 hyperlink's target goes with it): OSC, DCS, SOS,
# What a one-line message or a path shown to the user escapes (`\\x1b`, `\\u202e`): the C0 and C1
# controls, DEL, the line and paragraph separators and the bidirectional controls. One pattern
# for the wrapped tools' error lines (containment) and for file names (discovery).
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# PM and APC strings up to their terminator, CSI sequences, other two-character ESC sequences;
# then every remaining C0 control but tab and newline, DEL, the C1 controls, and the Unicode
# bidirectional controls that reorder what a reader sees.
_SEQUENCE = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x9c|\x1b\\)?"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|\x1b[ -~]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def mask(value: str) -> str:
    """`sk_live_51Hx...7dc` -> `sk_l****`; fewer than 16 characters -> `****`."""
    return f"{value[:SHOWN_PREFIX]}{STARS}" if len(value) >= LONG_SECRET else STARS


def mask_credentials(text: str) -> str:
    """`text` with every known credential format and every URL password masked."""
    if _ANY_ANCHOR.search(text) is None:  # most messages: one search
        return text
    for anchors, (_, pattern) in zip(FORMAT_ANCHORS, CREDENTIAL_FORMATS):
        if any(anchor in text for anchor in anchors):
            text = re.sub(pattern, lambda match: mask(match.group(0)), text)
    if "://" in text:
        text = DSN_WITH_PASSWORD.sub(_masked_password, text)
    return text


def _masked_password(match: re.Match[str]) -> str:
    start, end = match.span("password")
    whole = match.group(0)
    return whole[:start - match.start()] + mask(match.group("password")) + whole[end - match.start():]


def strip_controls(text: str) -> str:
    """`text` without terminal escape sequences or control characters (tab and newline stay;
    a carriage return becomes a newline)."""
    if text.isprintable():
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SEQUENCE.sub("", text)


def clean_message(text: str) -> str:
    """What a finding's message or a check's summary may say: controls removed, then
    credentials masked (in that order, so a key split by an escape sequence is still found)."""
    return mask_credentials(strip_controls(text))


def printable(text: str) -> str:
    """Text for a terminal, a workflow command or a Markdown table: `clean_message`, on one
    line."""
    return " ".join(clean_message(text).splitlines())
