"""Plain terminal tables: aligned columns, a bold header when colour is on, long cells cut.

Every cell and value goes through ``escape.terminal`` before it is measured, so stored text can
neither command the terminal nor break the alignment; the result is marked ``Terminal``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.escape import Terminal, styled, terminal


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, color: bool = False, max_width: int = 60) -> Terminal:
    cells = [[_cell(v, max_width) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    head = "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()
    lines = [styled(head, bold=color)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return Terminal("\n".join(lines))


def fields(pairs: Sequence[tuple[str, object]], *, color: bool = False) -> Terminal:
    """A record as 'label  value' lines, for `show`-style commands."""
    width = max(len(k) for k, _ in pairs)
    return Terminal("\n".join(f"{styled(key.ljust(width), bold=color)}  {terminal(value)}" for key, value in pairs))


def _cell(value: object, max_width: int) -> str:
    text = terminal(" ".join(str(value).split()) if value is not None else "")
    return text if len(text) <= max_width else text[: max_width - 1] + "…"
