"""Every byte of a claim, a name or a URL may be hostile: each output context escapes it here, once.

A leaf module, like ``ledger.errors``: the renderers, the CLI and the export service all write
output, so all of them import it, and it imports nothing of the ledger. One function per
context, used by every writer of that context:

- ``terminal``: control characters (C0 but newline and tab, DEL, C1) and the bidirectional
  overrides are shown as ``\\x1b``-style escapes, never sent raw; the tool's own colour is added
  after escaping, by ``styled``, and marked with ``Terminal`` so it is not escaped again.
  ``log_line`` is the same for a log record, with line breaks shown too: one record, one line.
- ``csv_cell`` / ``csv_uncell``: a text cell a spreadsheet would run as a formula gets a ``'``
  in front (``--raw`` skips it), and import takes it off again, so an export read back is the
  original text.
- ``markdown``: HTML and Markdown syntax in stored text is inert text, so no tag and no link
  comes from it.
- ``html``: HTML text and attribute values.
- ``json_text``: strict JSON (no NaN or Infinity: a figure that cannot be computed is null),
  with the characters a terminal or a script block would act on written as ``\\uXXXX``;
  ``json_script`` for JSON-LD inside a ``<script>`` block.
- ``html_link``: a link only to an http(s) address; any other URL is shown as text.
- ``ical_text`` / ``ical_uri``: RFC 5545 TEXT and URI values on one content line.
"""

from __future__ import annotations

import csv
import html as _html
import json
import math
import re
from typing import IO, Any
from urllib.parse import quote, urlsplit

import click

# C0 controls, DEL and C1 controls, plus the Unicode bidi controls that reorder what a reader sees.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# --- terminal ------------------------------------------------------------------------------------


class Terminal(str):
    """Text already made safe for a terminal (with the tool's own styling): printed as it is."""


def terminal(value: object) -> str:
    """Stored text for a terminal: ESC, BEL, CR and the rest are shown as ``\\x1b``, ``\\x07``...

    Newlines and tabs stay (they move the cursor, they do not command the terminal). Backslashes
    stay too, so the function can run twice without harm: the display is for reading, and
    ``--json`` gives the exact text.
    """
    if isinstance(value, Terminal):
        return value
    text = "" if value is None else str(value)
    # Every character _CONTROLS names is unprintable (Cc, Cf), so printable text has none: a C-speed
    # test that spares the regex for nearly every cell of a long listing.
    return text if text.isprintable() else _CONTROLS.sub(_visible, text)


def log_line(value: object) -> str:
    """A log record's text as one line: what ``terminal`` shows, with line breaks shown as ``\\n``
    too, so a message quoting a server's answer or a stored name can neither command the
    terminal nor start a forged record of its own."""
    return terminal(value).replace("\n", "\\n")


def styled(value: object, **style) -> Terminal:
    """``value`` escaped, then styled by the tool (click.style keywords: bold=True, fg="red"; a
    false one is no style, so ``bold=app.color`` is plain text without colour)."""
    text, style = terminal(value), {k: v for k, v in style.items() if v}
    return Terminal(click.style(text, **style) if style else text)


# --- CSV -----------------------------------------------------------------------------------------

# What makes Excel, LibreOffice and Google Sheets read a cell as a formula (OWASP's list). A run
# of quotes in front is counted, so a text that itself starts with "'=" keeps its quote.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: a text cell starting with = + - @, a tab or a CR
    (after any quotes) gets one ``'`` in front. Numbers are left alone, so -3 stays a number."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def csv_uncell(text: str) -> str:
    """The inverse of ``csv_cell`` for a cell read back: ``csv_uncell(csv_cell(s)) == s``."""
    return text[1:] if text[:1] == "'" and _NEUTRALISED.match(text) else text  # most cells start otherwise


class CsvWriter:
    """The one CSV writer: rows end in ``\n``, text cells go through ``csv_cell`` unless ``raw``,
    and a row holding a bare CR is quoted whole, because the csv module quotes only the line
    terminator's characters and any reader takes a bare CR for the end of the row."""

    def __init__(self, handle: IO[str], *, raw: bool = False):
        self._plain = csv.writer(handle, lineterminator="\n")
        self._quoted = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
        self._raw = raw

    def writerow(self, cells) -> None:
        cells = [cell if self._raw else csv_cell(cell) for cell in cells]
        has_cr = any(isinstance(cell, str) and "\r" in cell for cell in cells)
        (self._quoted if has_cr else self._plain).writerow(cells)


# --- Markdown and HTML ---------------------------------------------------------------------------

# Inline syntax only: cells and headings are one line, so block syntax (#, -, 1.) cannot start.
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]|~])")


def markdown(value: object) -> str:
    """Stored text inline in Markdown: HTML escaped, Markdown punctuation backslash-escaped (so no
    emphasis, code, link or image comes from it), control characters and line breaks as spaces."""
    text = _CONTROLS.sub(" ", "" if value is None else str(value))
    text = " ".join(text.split())
    return _MARKDOWN_SYNTAX.sub(r"\\\1", _html.escape(text, quote=False))


def html(value: object) -> str:
    """Stored text in HTML text or a quoted attribute; control characters (invalid in HTML) dropped."""
    return _html.escape(_CONTROLS.sub("", "" if value is None else str(value)), quote=True)


def html_link(url: str | None, text: object = None) -> str:
    """A link to ``url`` if it is a web address (http or https, a host, no space or control
    character), else ``text`` (by default the URL itself) as plain text: a stored
    ``javascript:`` or ``data:`` URL is never made clickable."""
    label = html(url if text is None else text)
    if not url or _CONTROLS.search(url) or any(c.isspace() for c in url):
        return label
    try:
        parts = urlsplit(url)
    except ValueError:
        return label
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return label
    return f'<a href="{html(url)}" rel="nofollow noopener">{label}</a>'


# --- JSON ----------------------------------------------------------------------------------------

# Valid JSON may carry these raw; a terminal (C1, DEL), a script block (U+2028/9, "</") or a
# reader's eye (bidi) would act on them, so they are written as \uXXXX, which decodes the same.
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f\u2028\u2029{_BIDI}]|</")


def _json_escape(match: re.Match) -> str:
    char = match.group()
    return "<\\/" if char == "</" else f"\\u{ord(char):04x}"


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def json_text(value: Any, *, indent: int | None = None) -> str:
    """The one JSON writer: strict JSON a parser accepts, a non-finite figure written as null."""
    try:
        text = json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False, default=str)
    except ValueError:  # NaN or Infinity somewhere: an undefined figure
        text = json.dumps(_finite(value), indent=indent, ensure_ascii=False, allow_nan=False, default=str)
    if text.isascii():  # the usual case: of the unsafe, only DEL and "</" can be there, found at C speed
        return text.replace("\x7f", "\\u007f").replace("</", "<\\/")
    return _JSON_UNSAFE.sub(_json_escape, text)


def json_script(value: Any) -> str:
    """JSON for an HTML ``<script>`` block (JSON-LD): ``json_text`` with every ``<``, ``>`` and
    ``&`` written as ``\\u003c``..., so no stored text can close the block or open a comment."""
    text = json_text(value, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- iCalendar -----------------------------------------------------------------------------------

_ICAL_SPECIAL = re.compile(r"([\\;,])")
# RFC 3986 reserved and unreserved characters, and "%" so an existing escape is kept.
_URI_SAFE = "!#$%&'()*+,/:;=?@[]~-._"


def ical_text(value: object) -> str:
    """An RFC 5545 TEXT value (3.3.11): line breaks (CRLF, LF or a bare CR) as ``\\n``, ``\\ ; ,``
    backslash-escaped, every other control character removed, so a value stays on its line."""
    text = re.sub(r"\r\n?", "\n", "" if value is None else str(value)).replace("\t", " ")
    text = _ICAL_SPECIAL.sub(r"\\\1", _CONTROLS.sub("", text))
    return text.replace("\n", "\\n")


def ical_uri(value: str) -> str | None:
    """An RFC 5545 URI value: an http(s) URL percent-encoded (spaces, CR/LF, quotes, non-ASCII),
    or None when it is not one, so a calendar app is never handed another scheme to open."""
    url = quote(value.strip(), safe=_URI_SAFE)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None
