"""Plain terminal tables: aligned columns, a bold header when colour is on, long cells cut.

Every cell and value goes through ``escape.terminal`` before it is measured, so stored text can
neither command the terminal nor break the alignment; the result is marked ``Terminal``.
"""

from __future__ import annotations

import tempfile
import textwrap
from collections.abc import Iterable, Iterator, Sequence

from ledger.escape import Terminal, styled, terminal


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], *, color: bool = False, max_width: int = 60) -> Terminal:
    return Terminal("\n".join(table_lines(headers, rows, color=color, max_width=max_width)))


SPOOL_IN_MEMORY = 1 << 20  # characters of cells kept in memory before they go to a temporary file


def table_lines(headers: Sequence[str], rows: Iterable[Sequence[object]], *, color: bool = False, max_width: int = 60) -> Iterator[Terminal]:
    """``table``'s lines, one at a time, in memory that stays flat however many rows there are:
    the columns' widths need every row, so the cells are spooled (to a temporary file past
    ``SPOOL_IN_MEMORY``) while they are measured, then read back and aligned. A cell holds no
    tab or newline (``_cell`` folds whitespace), so a tab-separated line holds one row."""
    widths = [len(h) for h in headers]
    with tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY, mode="w+", encoding="utf-8", newline="\n") as spool:
        for row in rows:
            cells = [_cell(v, max_width) for v in row]
            widths = [max(w, len(c)) for w, c in zip(widths, cells)]
            spool.write("\t".join(cells) + "\n")
        yield Terminal(styled("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip(), bold=color))
        spool.seek(0)
        for line in spool:
            yield Terminal("  ".join(c.ljust(w) for c, w in zip(line[:-1].split("\t"), widths)).rstrip())


def fields(pairs: Sequence[tuple[str, object]], *, color: bool = False, width: int | None = None) -> Terminal:
    """A record as 'label  value' lines, for `show`-style commands; with ``width``, long values
    wrap onto lines indented under the first."""
    label = max(len(k) for k, _ in pairs)

    def value(v: object) -> str:
        text = terminal(v)
        if width is None or width - label - 2 < 20:
            return text
        return textwrap.fill(text, width - label - 2, subsequent_indent=" " * (label + 2), break_on_hyphens=False)

    return Terminal("\n".join(f"{styled(key.ljust(label), bold=color)}  {value(v)}" for key, v in pairs))


def _cell(value: object, max_width: int) -> str:
    if type(value) is int:  # an id: nothing to fold or escape, and a listing has one a row
        return str(value)
    text = terminal(" ".join(str(value).split()) if value is not None else "")
    return text if len(text) <= max_width else text[: max_width - 1] + "…"


def fitted(headers: Sequence[str], rows: Sequence[Sequence[object]], *, drops: Sequence[str], width: int = 80,
           wrap: str | None = None, color: bool = False) -> tuple[Terminal, list[str]]:
    """A table within ``width`` columns: the columns named in ``drops`` are left out, in that order,
    until it fits; then the ``wrap`` column's text is wrapped onto as many lines as it needs in
    the room left. Returns the table and the headers left out, for a note that says so."""
    keep = list(range(len(headers)))
    dropped: list[str] = []

    def size(columns: list[int]) -> int:
        return sum(max([len(headers[i])] + [len(_cell(row[i], 60)) for row in rows]) for i in columns) + 2 * (len(columns) - 1)

    for name in drops:
        if size(keep) <= width:
            break
        keep.remove(headers.index(name))
        dropped.append(name)
    chosen = [headers[i] for i in keep]
    kept = [[row[i] for i in keep] for row in rows]
    if wrap is None or wrap not in chosen:
        return table(chosen, kept, color=color), dropped
    at = chosen.index(wrap)
    room = max(12, width - size([i for i in keep if headers[i] != wrap]) - 2)
    lines: list[list[object]] = []
    for row in kept:
        text = terminal(" ".join(str(row[at]).split()) if row[at] is not None else "")
        parts = textwrap.wrap(text, room, break_long_words=True, break_on_hyphens=False) or [""]
        lines.append([*row[:at], parts[0], *row[at + 1:]])
        lines += [[""] * at + [part] + [""] * (len(row) - at - 1) for part in parts[1:]]
    return table(chosen, lines, color=color, max_width=max(room, 60)), dropped


def wrapped(text: object, width: int = 80) -> Terminal:
    """Prose for a terminal, escaped and wrapped to ``width`` columns."""
    return Terminal(textwrap.fill(terminal(text), width, break_on_hyphens=False))
