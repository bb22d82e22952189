"""Speakers' slugs: the stable part of a published page's address, ``speakers/SLUG.html``.

A slug is made once, when the speaker is added, from the name: letters and digits folded to
lower-case ASCII where they have an ASCII form, everything else a hyphen ("Zoë Ångström" is
``zoe-angstrom``). It is then stored and never recomputed, so renaming a speaker keeps every link
to their page; a slug another speaker already has gets ``-2``, ``-3``... A name with no ASCII
letter or digit at all ("马斯克") gets ``speaker``, made unique the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

MAX_SLUG = 80  # leaves room for "-N" within the column's 200 characters, and keeps URLs short
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def base_slug(name: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    slug = _NOT_SLUG.sub("-", ascii_).strip("-")[:MAX_SLUG].strip("-")
    return slug or "speaker"


def unique_slug(name: str, taken: Container[str]) -> str:
    """The slug for a new speaker called ``name``, given the slugs already ``taken``."""
    base = base_slug(name)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def is_slug(text: str) -> bool:
    """Whether ``text`` is a slug as this module makes them: safe as a file name and in a URL."""
    return bool(_SLUG.match(text)) and len(text) <= MAX_SLUG + 12
