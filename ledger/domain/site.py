"""The published site's addresses: stable paths for every page, and the base URL they hang from.

``claims/ID.html`` and ``speakers/SLUG.html`` never change for a claim or a speaker (the slug is
stored, ledger.domain.slugs), so republishing never breaks a link. Pages link to each other by
relative paths, so the folder works opened from disk and from any static host.
"""

from __future__ import annotations

from ledger.domain.text import about
from ledger.domain.urls import web_address

INDEX = "index.html"
ABOUT = "about.html"
SITEMAP = "sitemap.xml"


def claim_path(claim_id: int) -> str:
    return f"claims/{claim_id}.html"


def speaker_path(slug: str) -> str:
    return f"speakers/{slug}.html"


def root_of(path: str) -> str:
    """The relative path from the page at ``path`` back to the site's root: "" or "../"."""
    return "../" * path.count("/")


def check_base_url(url: str | None) -> str | None:
    """``--base-url``: a web address, kept without its trailing slash, so ``{base}/{path}`` is a page."""
    if url is None:
        return None
    with about("base_url"):
        return web_address(url, "--base-url").rstrip("/")


def absolute(base_url: str | None, path: str) -> str | None:
    return f"{base_url}/{path}" if base_url else None
