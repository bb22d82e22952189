"""Plain terminal tables: aligned columns, a bold header when colour is on, long cells cut."""

from __future__ import annotations

from collections.abc import Sequence

import click


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, color: bool = False, max_width: int = 60) -> str:
    cells = [[_cell(v, max_width) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    head = "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()
    lines = [click.style(head, bold=True) if color else head]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def fields(pairs: Sequence[tuple[str, object]], *, color: bool = False) -> str:
    """A record as 'label  value' lines, for `show`-style commands."""
    width = max(len(k) for k, _ in pairs)
    out = []
    for key, value in pairs:
        label = key.ljust(width)
        out.append(f"{click.style(label, bold=True) if color else label}  {'' if value is None else value}")
    return "\n".join(out)


def _cell(value: object, max_width: int) -> str:
    text = "" if value is None else " ".join(str(value).split())
    return text if len(text) <= max_width else text[: max_width - 1] + "…"
