"""A web page read as an article with trafilatura: its main text, title, author, date and site
name. Optional (`pip install 'claims[extract]'`); only `claims extract` imports it."""

from __future__ import annotations

import re
from datetime import date

from ledger.domain.extract.article import MIN_PAGE_WORDS, Article, decode
from ledger.errors import InvalidInput

_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", re.I)


def read_page(data: bytes, name: str, *, url: str | None = None, charset: str | None = None,
              encoding: str | None = None) -> Article:
    """The article in a page: read in ``encoding`` (the user's) when given, else in the charset
    the server or the page declares, else as `decode` reads undeclared text."""
    try:
        import trafilatura
    except ImportError:
        raise InvalidInput(f"{name} is a web page; reading one needs trafilatura: pip install 'claims[extract]'") from None
    declared = charset or (m[1].decode("ascii") if (m := _META_CHARSET.search(data[:4096])) else None)
    html, read_as, guessed = decode(data, name, encoding or declared, given=encoding is not None)
    found = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                        include_tables=False, favor_precision=True)
    if found is None:
        raise InvalidInput(f"{name} holds no article text (trafilatura found none)")
    values = found if isinstance(found, dict) else found.as_dict()
    text = (values.get("text") or "").strip()
    if len(text.split()) < MIN_PAGE_WORDS:
        raise InvalidInput(f"{name} holds no article: its main text is {len(text.split())} words "
                           "(a menu or a list of links, not a story)")
    title = (values.get("title") or "").strip() or None
    return Article(
        text=f"{title}\n\n{text}" if title and not text.startswith(title) else text,
        published=_date(values.get("date")), url=url or values.get("url") or None, title=title,
        publisher=(values.get("sitename") or "").strip() or None, author=(values.get("author") or "").strip() or None,
        html=html, encoding=read_as, guessed=guessed,
    )


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
