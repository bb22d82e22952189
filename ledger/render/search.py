"""Search results for a terminal: each claim with the words looked for picked out in colour."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ledger.escape import Terminal, styled, terminal


def highlighted(text: str, words: Sequence[str], *, color: bool) -> Terminal:
    """``text`` escaped, with each word that starts with a searched word in bold yellow (the
    backends stem, so "robotaxi" finds "robotaxis"); plain text without colour."""
    if not color or not words:
        return Terminal(terminal(text))
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + r")\w*", re.I)
    out, last = [], 0
    for match in pattern.finditer(text):
        out += [terminal(text[last : match.start()]), styled(match.group(), bold=True, fg="yellow")]
        last = match.end()
    out.append(terminal(text[last:]))
    return Terminal("".join(out))


def results(view: dict, *, color: bool) -> Terminal:
    lines = []
    for c in view["claims"]:
        head = f"#{c['id']}  {c['speaker']}  said {c['said']}, deadline {c['deadline']}  {c['status']}"
        head += f" ({c['outcome']})" if c["outcome"] else ""
        lines.append(styled(head, bold=color))
        lines.append("    " + highlighted(c["text"], view["words"], color=color))
        if c["quote"]:
            lines.append("    \u201c" + highlighted(c["quote"], view["words"], color=color) + "\u201d")
    return Terminal("\n".join(lines))
