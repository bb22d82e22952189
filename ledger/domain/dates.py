"""Strict calendar dates as people write them: ``2023-12-31``, ``31 Dec 2023``, ``December 31, 2023``.

dateutil does the reading, but never fuzzily and never by filling in missing parts from today:
a text that is not one whole, real date is refused.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil import parser as _parser

from ledger.domain.text import LIMITS
from ledger.errors import InvalidDate

ACCEPTED = "2023-12-31, 31 Dec 2023, December 31, 2023"

_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})$")
# dateutil fills missing fields from `default`; two different defaults reveal a partial date.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))


def parse_date(text: str) -> date:
    """Return the one date ``text`` names, or raise InvalidDate with the accepted forms."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidDate(f"empty date; use a form like {ACCEPTED}")
    if len(raw) > LIMITS["date"]:
        raise InvalidDate(f"a date is at most {LIMITS['date']} characters; use a form like {ACCEPTED}")
    if not raw[0].isalnum() or not raw[0].isascii():
        # "-2023-01-01" is no date: dateutil would drop the sign and read 2023.
        raise InvalidDate(f"{raw!r} does not start with a day, a month or a year; use a form like {ACCEPTED}")
    iso = _ISO.match(raw)
    if iso:
        year, month, day = map(int, iso.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise InvalidDate(f"{raw!r} is not a real date (e.g. {ACCEPTED})") from None
    numeric = _NUMERIC.match(raw)
    if numeric and len(numeric[3]) != 4:
        raise _two_digit_year(raw)
    if numeric and numeric[1] != numeric[2] and max(int(numeric[1]), int(numeric[2])) <= 12:
        # 03/04/2024 is March in New York and April in London: refuse rather than guess.
        raise InvalidDate(f"{raw!r} is ambiguous (day/month or month/day?); write it as {ACCEPTED}")
    try:
        a, b = (_parser.parse(raw, default=d, fuzzy=False, dayfirst=False) for d in _DEFAULTS)
    except (ValueError, OverflowError):
        raise InvalidDate(f"cannot read {raw!r} as a date; use a form like {ACCEPTED}") from None
    if a != b or a.time() != datetime.min.time() or a.tzinfo is not None:
        raise InvalidDate(f"{raw!r} is not one whole date; use a form like {ACCEPTED}")
    if not _YEAR.search(raw):
        raise _two_digit_year(raw)
    return a.date()


def _two_digit_year(raw: str) -> InvalidDate:
    # "31/12/23", "Dec 5 99": which century is meant is a guess; refuse rather than guess.
    return InvalidDate(f"the date {raw!r} has no four-digit year; write the year in full, e.g. {ACCEPTED}")


def try_parse_date(text: str) -> date | None:
    """The date ``text`` names, or None when it is not one whole, real date."""
    try:
        return parse_date(text)
    except InvalidDate:
        return None
