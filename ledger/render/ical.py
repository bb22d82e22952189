"""Unresolved claims' deadlines as an iCalendar file (RFC 5545) for any calendar app.

One all-day event per claim on its deadline, with an alarm the day before. The UID is fixed per
claim and ledger, and SEQUENCE is the claim's version, so importing the file again updates the
events instead of duplicating them. Written with the standard library: the format needs only
escaping (``ledger.escape``: every stored value is TEXT-escaped, the source URL
percent-encoded and given as URL only if it is http(s)) and line folding, not a dependency.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone

from ledger import __version__
from ledger.escape import ical_text, ical_uri


def calendar(claims: Iterable[dict], identity: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//claims//claims {__version__}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Claim deadlines",
    ]
    for c in claims:
        lines += _event(c, identity, stamp)
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _event(c: dict, identity: str, stamp: str) -> list[str]:
    deadline = date.fromisoformat(c["deadline"])
    description = [f"{c['speaker']}: {c['text']}"]
    if c.get("quote"):
        description.append(f"\u201c{c['quote']}\u201d")
    description.append(f"Deadline as said: {c['deadline_text']}")
    if c.get("source"):
        description.append(f"Source: {c['source']}")
    description.append(f"Close it: {c['resolve']}")
    event = [
        "BEGIN:VEVENT",
        "UID:" + ical_text(f"claim-{c['id']}@{identity}"),
        f"DTSTAMP:{stamp}",
        f"SEQUENCE:{c.get('version', 0)}",
        f"DTSTART;VALUE=DATE:{deadline:%Y%m%d}",
        f"DTEND;VALUE=DATE:{deadline + timedelta(days=1):%Y%m%d}",
        "SUMMARY:" + ical_text(f"Deadline: {c['speaker']}: {c['text']}"),
        "DESCRIPTION:" + ical_text("\n".join(description)),
        "TRANSP:TRANSPARENT",
    ]
    url = ical_uri(c["source"]) if c.get("source") else None
    if url:
        event.append(f"URL:{url}")
    event += [
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER:-P1D",
        "DESCRIPTION:" + ical_text(f"Claim #{c['id']} reaches its deadline tomorrow"),
        "END:VALARM",
        "END:VEVENT",
    ]
    return event


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next, after a space, never splitting a character."""
    out, current, size = [], [], 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += width
    out.append("".join(current))
    return "\r\n".join(out)
