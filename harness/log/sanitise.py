"""The one output sanitiser: suite- and server-controlled text made safe to show in a terminal, a CI log or
Markdown (docs/security.md).

Model answers, error messages from an API, suite and case names are untrusted. Shown raw they could clear the
terminal and paint "ALL PASSED" (escape sequences), plant a link (OSC 8), reorder what a reader sees (bidi
overrides), or, in a GitHub Actions or Azure Pipelines log, become a workflow command (a line starting with
``::`` or ``##[``). :func:`safe_text` removes every escape sequence and control character (keeping tabs and
line breaks), and defuses a line that would start a workflow command by putting a zero-width space before it:
the text reads the same, and no CI runner takes it as a command. The harness writes workflow commands only on
purpose, never through this function. The result is plain text: print it without markup interpretation.
"""

from __future__ import annotations

import re

#: ESC-introduced sequences: CSI (colours, cursor, clear), OSC (titles, hyperlinks) up to BEL or ST, DCS/SOS/
#: PM/APC strings, and two-character escapes.
_ESCAPES = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[ -~]?)"
    r"|\x9b[0-?]*[ -/]*[@-~]?|\x9d[^\x07\x1b\x9c]*[\x07\x9c]?"
)
#: Control characters other than tab and line feed (C0, DEL, C1), and the bidirectional overrides and isolates.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Other line breaks a log viewer may honour.
_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x85\x0b\x0c]")
#: What CI runners read as a command at the start of a line (after blanks): GitHub Actions ``::name ...::``,
#: its older ``##[name]``, Azure Pipelines ``##vso[...]``.
_COMMAND = re.compile(r"^(\s*)(::|##\[|##vso\[)", re.MULTILINE)
ZERO_WIDTH_SPACE = "\u200b"


def safe_text(value: object, *, one_line: bool = False) -> str:
    """``value`` as text that shows what it says and does nothing else (see the module docstring).
    With ``one_line``, line breaks become spaces (a table cell, a single status line)."""
    text = _BREAKS.sub("\n", str(value))
    text = _CONTROL.sub("", _ESCAPES.sub("", text))
    if one_line:
        text = text.replace("\n", " ")
    return _COMMAND.sub(lambda m: m.group(1) + ZERO_WIDTH_SPACE + m.group(2), text)
