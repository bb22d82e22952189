"""Writing the published site into a folder, rendering only what changed.

The folder keeps a manifest (``MANIFEST``) of the pages the tool wrote there: for each, the key of
what it shows (ledger.render.site) and the SHA-256 of the file written; and the key of the whole
site (the journal head, the day, the options, the release), so that when that is unchanged and
every file is as written nothing but the head is read from the ledger. Otherwise the ledger is
read and a page is rendered only if its key changed, or its file is missing or no longer holds
what was written; a rendered page is written (whole, atomically, all of them made durable by one
sync: ledger.files.atomic_files) only if it differs from the file, so republishing an unchanged
ledger rewrites no file. A page listed in the manifest that the site no longer has (a withdrawn
claim's, the sitemap once ``--base-url`` is dropped) is removed if it still holds what was
written; no other file in the folder is ever touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import date
from pathlib import Path

from ledger.domain.site import INDEX, check_base_url
from ledger.domain.text import about, one_line
from ledger.errors import InvalidInput
from ledger.files import atomic_files, write_if_changed
from ledger.store.engine import Ledger

MANIFEST = ".claims-site.json"
FORMAT = 1
# The only paths the tool writes; a manifest naming anything else (edited by hand) is not obeyed.
_PAGE_PATH = re.compile(r"(index\.html|about\.html|sitemap\.xml|claims/[0-9]+\.html|speakers/[a-z0-9-]+\.html)")


def publish_site(ledger: Ledger, out: Path, *, speakers: tuple[str, ...] = (), tag: str | None = None,
                 as_of: date | None = None, base_url: str | None = None, title: str, publisher: str,
                 chunk_claims: int | None = None) -> dict:
    """Write the site into ``out``; ``chunk_claims``: about how many claims' pages are made at once."""
    from ledger.render.site import build_key, digest, pages, paths
    from ledger.services.publish import CHUNK_CLAIMS, journal_head, open_site

    base = check_base_url(base_url)
    with about("title"):
        title = one_line(title, "source_title") or ""
    with about("publisher"):
        publisher = one_line(publisher, "source_publisher") or ""
    if not title or not publisher:
        raise InvalidInput("the site needs a title and a publisher that are not blank")
    folder = Path(out).expanduser()
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"{folder} is not a folder; give the folder to write the site to")
    # The whole site's key: the ledger (its journal head moves with every change), the day and the options.
    whole = digest([build_key(), journal_head(ledger), as_of, sorted(speakers), tag, base, title, publisher])
    last, before = _read_manifest(folder)
    if last == whole and all(_sha256_of(folder / path) == sha for path, (_, sha) in before.items()):
        return _done(folder, len(before), 0, 0)  # nothing to read beyond the head: every page is as written
    after, written = {}, 0
    with open_site(ledger, speakers, tag, as_of, chunk_claims=chunk_claims or CHUNK_CLAIMS) as read, atomic_files() as batch:
        folder.mkdir(parents=True, exist_ok=True)  # once the options are known good: bad input writes nothing
        new = {path: ["", ""] for path in paths(read, base_url=base) if path not in before}
        if new:
            # Listed before they are written, so a run cut short still leaves them the tool's to remove.
            _write_manifest(folder, "", {**before, **new})
        del new
        # Pages come a chunk of speakers at a time; each is rendered and written as it comes.
        for page in pages(read, title=title, publisher=publisher, base_url=base):
            target = folder / page.path
            listed = before.get(page.path)
            if listed and listed[0] == page.key and _sha256_of(target) == listed[1]:
                after[page.path] = listed
                continue
            text = page.render()
            written += batch.write_if_changed(target, text)
            after[page.path] = [page.key, hashlib.sha256(text.encode("utf-8")).hexdigest()]
    gone = {path: _remove(folder / path, before[path][1]) for path in sorted(before.keys() - after.keys())}
    _write_manifest(folder, whole, after)
    return _done(folder, len(after), written, sum(gone.values()), [path for path, done in gone.items() if not done])


def _done(folder: Path, pages: int, written: int, removed: int = 0, kept: list[str] = ()) -> dict:
    return {"out": str(folder), "pages": pages, "written": written, "unchanged": pages - written, "removed": removed,
            "kept": list(kept), "index": str(folder / INDEX)}


def _read_manifest(folder: Path) -> tuple[str, dict[str, list[str]]]:
    """The whole site's key and {path: [key, sha256]} of the pages written last time; empty if
    there is no usable manifest (every page is then rendered and compared with its file)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return "", {}
        listed = {path: [str(key), str(sha)] for path, (key, sha) in data["pages"].items() if _PAGE_PATH.fullmatch(path)}
        return str(data.get("site", "")), listed
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return "", {}


def _write_manifest(folder: Path, whole: str, listed: dict[str, list[str]]) -> None:
    text = json.dumps({"format": FORMAT, "site": whole, "pages": dict(sorted(listed.items()))}, separators=(",", ":"))
    write_if_changed(folder / MANIFEST, text.replace('],"', '],\n"') + "\n")


def _sha256_of(path: Path) -> str | None:
    """The SHA-256 of the regular file at ``path``, or None (missing, or a link: never followed)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _remove(path: Path, written: str) -> bool:
    """Remove a page the site no longer has if it still holds exactly what was written (a file
    changed since, or put there in its place, is someone else's: kept); whether it is gone."""
    found = _sha256_of(path)
    if found is None:
        return not path.is_symlink()  # already gone (a link in its place is not the tool's)
    if found != written:
        return False
    try:
        path.unlink()
        return True
    except OSError as exc:
        raise InvalidInput(f"cannot remove {path}: {exc.strerror or exc}") from None
