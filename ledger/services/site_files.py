"""Writing the published site into a folder: each page compared with the file already there and
written (whole, atomically) only if it differs, so republishing an unchanged ledger rewrites
nothing and a changed claim rewrites its own page and the pages that show it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ledger.domain.site import INDEX, check_base_url
from ledger.domain.text import about, one_line
from ledger.errors import InvalidInput
from ledger.files import write_if_changed
from ledger.store.engine import Ledger


def publish_site(ledger: Ledger, out: Path, *, speakers: tuple[str, ...] = (), tag: str | None = None,
                 as_of: date | None = None, base_url: str | None = None, title: str, publisher: str) -> dict:
    from ledger.render.site import pages
    from ledger.services.publish import site

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
    content = list(pages(site(ledger, speakers, tag, as_of), title=title, publisher=publisher, base_url=base))
    folder.mkdir(parents=True, exist_ok=True)
    written = sum(write_if_changed(folder / path, text) for path, text in content)
    return {"out": str(folder), "pages": len(content), "written": written, "unchanged": len(content) - written,
            "index": str(folder / INDEX)}
