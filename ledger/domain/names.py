"""Names that look alike: "Мusk" with a Cyrillic М is not "Musk" to the ledger's key, but it is to
a reader, so a new speaker whose name resembles an existing one is never created unnoticed.

Two names resemble each other when their *skeletons* agree after NFKC and case folding. The
skeleton maps each character to a prototype of its class in Unicode's confusables data (UTS #39,
as shipped by the ``confusable-homoglyphs`` package): the plain ASCII letter where there is one, so
Cyrillic "М", fullwidth "Ｍ" and Roman numeral "Ⅿ" are all "M", and "0" is "O". Mapping before and
after case folding are both compared, since some lookalikes exist in one case only (Cyrillic "М"
looks like "M", its small "м" does not look like "m").
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from typing import Generic, TypeVar

from ledger.domain.text import name_key

T = TypeVar("T")


def _preference(char: str) -> tuple[bool, bool, bool, int]:
    # Prototypes: ASCII first, letters before digits and signs, small letters before capitals
    # (so that "l", "I" and "1" meet at "l" and case folding cannot split them apart again).
    return (not char.isascii(), not char.isalpha(), not char.islower(), ord(char))


@cache
def _prototypes() -> dict[str, str]:
    data = json.loads(files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8"))
    nearest = {
        char: min([char, *(h["c"] for h in glyphs if len(h["c"]) == 1)], key=_preference)
        for char, glyphs in data.items()
        if len(char) == 1
    }

    def prototype(char: str) -> str:
        while (better := nearest.get(char, char)) != char and _preference(better) < _preference(char):
            char = better
        return char

    return {char: p for char in nearest if (p := prototype(char)) != char}


def _map(text: str) -> str:
    table = _prototypes()
    return "".join(table.get(c, c) for c in text)


def skeletons(name: str) -> tuple[str, str]:
    """The two skeletons of ``name``: mapped then folded, and folded then mapped."""
    text = " ".join(unicodedata.normalize("NFKC", name).split())
    return _map(text).casefold(), _map(text.casefold())


class Lookalikes(Generic[T]):
    """Names seen so far, each with a value (who it is), found by key or by skeleton."""

    def __init__(self, names: Iterable[tuple[str, T]] = ()):
        self._keys: set[str] = set()
        self._skeletons: dict[tuple[int, str], T] = {}
        for name, value in names:
            self.add(name, value)

    def add(self, name: str, value: T) -> None:
        key = name_key(name)
        if key in self._keys:  # a big import names the same speakers over and over
            return
        self._keys.add(key)
        for kind, skeleton in enumerate(skeletons(name)):
            self._skeletons.setdefault((kind, skeleton), value)

    def resembling(self, name: str) -> T | None:
        """The value of a name seen that looks like ``name`` without being it; None if there is none
        (or if ``name`` is itself one of the names seen)."""
        if name_key(name) in self._keys:
            return None
        for kind, skeleton in enumerate(skeletons(name)):
            if (found := self._skeletons.get((kind, skeleton))) is not None:
                return found
        return None
