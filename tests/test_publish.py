"""`claims publish` and `claims export --format claimreview`: the static site's pages, stable
addresses, rewrite-only-what-changed, ClaimReview JSON-LD, and escaping of hostile stored text on
every page, on SQLite and PostgreSQL. Pages are read with the standard library's HTML parser."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import hostile
from ledger.domain.claimreview import RATINGS

REVIEW_KEYS = {"@context", "@type", "claimReviewed", "itemReviewed", "reviewRating", "author", "datePublished", "url"}


class Page(HTMLParser):
    """What a browser would make of a page: its links, scripts, attributes and text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self.attributes: list[tuple[str, str]] = []
        self.text: list[str] = []
        self._script: dict | None = None
        self._style = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.attributes += [(k, v or "") for k, v in attrs.items()]
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if tag == "script":
            self._script = attrs
            self.scripts.append((attrs, ""))
        self._style = tag == "style"
        for name in ("src", "srcset"):
            assert name not in attrs or tag == "use", f"<{tag} {name}> would fetch something"

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None
        self._style = False

    def handle_data(self, data):
        if self._script is not None:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        elif not self._style:
            self.text.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())

    def json_ld(self) -> list[dict]:
        return [json.loads(body) for attrs, body in self.scripts if attrs.get("type") == "application/ld+json"]


def read(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def _add(cli, text, said, deadline, *extra, speaker="Elon Musk"):
    result = cli("add", text, "--speaker", speaker, "--said", said, "--deadline", deadline, *extra, "--json")
    assert result.status == 0, result.err
    return result.json["id"]


@pytest.fixture
def ledger_to_publish(cli):
    """Two speakers; Musk's promise said twice (restated), one resolved with evidence, one open."""
    assert cli("speaker", "add", "Elon Musk").status == 0
    assert cli("speaker", "add", "Ada Forecaster").status == 0
    assert cli("source", "add", "https://example.org/waic", "--title", "WAIC 2023", "--published", "2023-07-06").status == 0
    first = _add(cli, "Full self-driving this year", "2023-07-06", "2023-12-31", "--source", "https://example.org/waic",
                 "--quote", "later this year", "--tag", "autonomy")
    again = _add(cli, "Full self-driving next year", "2024-06-13", "2025-12-31", "--restates", first, "--tag", "autonomy")
    open_ = _add(cli, "Mars in 2031", "2025-01-01", "2031-12-31", "--tag", "space")
    ada = _add(cli, "Rain tomorrow", "2024-01-01", "2024-01-02", "--probability", "0.7", speaker="Ada Forecaster")
    assert cli("resolve", first, "--outcome", "false", "--reviewer", "Rita", "--evidence", "https://example.org/proof").status == 0
    assert cli("resolve", ada, "--outcome", "true", "--reviewer", "Rita").status == 0
    return {"first": first, "again": again, "open": open_, "ada": ada}


def publish(cli, out: Path, *args):
    result = cli("publish", "--out", out, "--publisher", "Example News", *args)
    assert result.status == 0, result.err
    return result


def test_the_site_has_an_index_a_page_per_speaker_and_claim_and_an_about_page(cli, ledger_to_publish, tmp_path):
    out = tmp_path / "site"
    result = publish(cli, out)
    ids = ledger_to_publish
    assert "Published 8 pages" in result.out and f"Open {out / 'index.html'}" in result.out
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == sorted(
        [".claims-site.json", "index.html", "about.html", "speakers/elon-musk.html", "speakers/ada-forecaster.html",
         *(f"claims/{i}.html" for i in ids.values())])  # the manifest: what the tool wrote, for republishing
    index = read(out / "index.html")
    assert "speakers/elon-musk.html" in index.links and "speakers/ada-forecaster.html" in index.links
    assert "autonomy (2)" in index.words and "Leaderboard" in index.words and "shrunk hit rate" in index.words
    speaker = read(out / "speakers" / "elon-musk.html")
    assert f"../claims/{ids['first']}.html" in speaker.links and "../index.html" in speaker.links
    page = (out / "speakers" / "elon-musk.html").read_text(encoding="utf-8")
    assert [m for m in re.findall(r'aria-label="([^"]+)"', page)] == [
        "Calibration: Elon Musk", "Hit rate over time: Elon Musk", "Lateness: Elon Musk"]
    assert "Track record" in speaker.words and "Full self-driving next year" in speaker.words
    assert "Showing Elon Musk; tag any;" in speaker.words  # the page states what it shows
    assert f"Claim #{ids['first']} and its 1 restatement" in speaker.words
    claim = read(out / "claims" / f"{ids['first']}.html")
    assert "later this year" in claim.words and "https://example.org/waic" in claim.links
    assert "https://example.org/proof" in claim.links and "../speakers/elon-musk.html" in claim.links
    sha = cli("show", ids["first"], "--json").json["source"]["text_sha256"]
    assert sha is None or sha in claim.words


def test_a_claim_page_lists_its_journal_history_with_hashes_and_the_about_page_the_head(cli, ledger, ledger_to_publish, tmp_path):
    from sqlalchemy import text

    out = tmp_path / "site"
    publish(cli, out)
    first = ledger_to_publish["first"]
    with ledger.engine.connect() as conn:
        entries = conn.execute(text(
            "SELECT seq, hash FROM journal WHERE (entity = 'claim' AND entity_id = :c) OR (entity = 'resolution' AND "
            "entity_id IN (SELECT id FROM resolutions WHERE claim_id = :c)) ORDER BY seq"), {"c": first}).all()
    words = read(out / "claims" / f"{first}.html").words
    assert len(entries) >= 3  # added, resolved (the resolution and the claim)
    for seq, digest in entries:
        assert f"#{seq} " in words and digest in words
    head = cli("verify", "--json").json["head"]
    about = read(out / "about.html").words
    assert f"{head['seq']}:{head['hash']}" in about and f"claims verify --head {head['seq']}:{head['hash']}" in about
    assert "How the prior is fitted" in about and "strict (only a true outcome by the deadline is a hit)" in about


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_republishing_an_unchanged_ledger_rewrites_no_file_and_a_changed_claim_its_page(cli, ledger_to_publish, tmp_path):
    out = tmp_path / "site"
    publish(cli, out)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    inodes = {p: p.stat().st_ino for p in stamps}
    contents = {p: p.read_bytes() for p in stamps}
    again = publish(cli, out)
    assert "(0 written, 8 unchanged)" in again.out
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps and {p: p.stat().st_ino for p in stamps} == inodes
    assert cli("resolve", ledger_to_publish["again"], "--outcome", "true", "--occurred", "2025-06-01", "--reviewer", "Rita").status == 0
    publish(cli, out)
    changed = {p.relative_to(out).as_posix() for p in stamps if p.read_bytes() != contents[p]}
    assert f"claims/{ledger_to_publish['again']}.html" in changed
    assert f"claims/{ledger_to_publish['ada']}.html" not in changed and f"claims/{ledger_to_publish['open']}.html" not in changed
    assert "speakers/elon-musk.html" in changed and "speakers/ada-forecaster.html" not in changed
    assert {p.relative_to(out).as_posix() for p in stamps if p.stat().st_mtime_ns != stamps[p]} == changed
    fresh = tmp_path / "fresh"  # pages skipped or rendered again, the bytes a first publish writes
    publish(cli, fresh)
    assert _files(out) == _files(fresh)


def test_a_withdrawn_claim_leaves_the_site_and_nothing_the_tool_did_not_write_is_touched(cli, ledger_to_publish, tmp_path):
    out = tmp_path / "site"
    ids = ledger_to_publish
    publish(cli, out, "--base-url", "https://example.org/t")
    mine = {"notes.txt": b"the newsroom's own file", "claims/999999.html": b"<p>a page written by hand</p>",
            "speakers/by-hand.html": b"kept"}
    for path, data in mine.items():
        (out / path).write_bytes(data)
    assert cli("withdraw", ids["open"], "--reason", "logged by mistake", "--by", "Rita").status == 0
    result = publish(cli, out)  # and without --base-url now: the sitemap the tool wrote goes too
    assert "2 removed" in result.out
    assert not (out / "claims" / f"{ids['open']}.html").exists() and not (out / "sitemap.xml").exists()
    for path, data in mine.items():
        assert (out / path).read_bytes() == data
    for page in out.rglob("*.html"):
        assert f"claims/{ids['open']}.html" not in read(page).links, page
    assert "Mars in 2031" not in read(out / "speakers" / "elon-musk.html").words
    # A manifest edited to name other files does not make the tool remove them.
    manifest = out / ".claims-site.json"
    listed = json.loads(manifest.read_text(encoding="utf-8"))
    outside = tmp_path / "outside.html"
    outside.write_text("not the site's")
    for path in ("notes.txt", "../outside.html", "claims/999999.html", "speakers/by-hand.html"):
        listed["pages"][path] = ["key", "0" * 64]
    manifest.write_text(json.dumps(listed), encoding="utf-8")
    again = publish(cli, out)
    assert outside.read_text() == "not the site's"
    for path, data in mine.items():
        assert (out / path).read_bytes() == data
    assert "Kept 2 pages" in again.out and "claims/999999.html, speakers/by-hand.html" in again.out
    # The site left is the one a first publish into an empty folder writes.
    fresh = tmp_path / "fresh"
    publish(cli, fresh)
    assert {p: d for p, d in _files(out).items() if p not in mine} == _files(fresh)


def test_a_page_the_site_no_longer_has_is_kept_if_it_was_changed_since_it_was_published(cli, ledger_to_publish, tmp_path):
    out = tmp_path / "site"
    publish(cli, out)
    page = out / "claims" / f"{ledger_to_publish['open']}.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- corrected by the desk -->", encoding="utf-8")
    assert cli("withdraw", ledger_to_publish["open"], "--reason", "logged by mistake", "--by", "Rita").status == 0
    result = publish(cli, out)
    assert page.read_text(encoding="utf-8").endswith("<!-- corrected by the desk -->")
    assert f"Kept 1 page the site no longer has, changed since published (delete them if they should go): claims/{ledger_to_publish['open']}.html" in result.out
    assert "removed" not in result.out
    page.unlink()  # and it is not the tool's any more: it is not kept again
    assert "Kept" not in publish(cli, out).out


def test_a_page_changed_or_deleted_behind_the_tools_back_is_written_again(cli, ledger_to_publish, tmp_path):
    out = tmp_path / "site"
    ids = ledger_to_publish
    publish(cli, out)
    original = _files(out)
    tampered, deleted = out / "claims" / f"{ids['first']}.html", out / "speakers" / "ada-forecaster.html"
    tampered.write_text(tampered.read_text(encoding="utf-8").replace("Full self-driving", "Nothing"), encoding="utf-8")
    deleted.unlink()
    others = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*.html") if p != tampered}
    result = publish(cli, out)
    assert "(2 written, 6 unchanged)" in result.out
    assert _files(out) == original
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in others} == others


def test_a_renamed_speaker_keeps_the_address_of_their_page(cli, ledger_to_publish, tmp_path):
    out = tmp_path / "site"
    publish(cli, out)
    assert cli("speaker", "rename", "Elon Musk", "Elon R. Musk").status == 0
    publish(cli, out)
    assert "Elon R. Musk" in read(out / "speakers" / "elon-musk.html").words
    assert not (out / "speakers" / "elon-r-musk.html").exists()
    assert cli("speaker", "add", "Elon Musk", "--new-speaker").status == 0  # a new speaker: a slug of its own
    _add(cli, "Another", "2024-01-01", "2025-01-01")
    publish(cli, out)
    assert (out / "speakers" / "elon-musk-2.html").exists()


def test_base_url_gives_canonical_links_and_a_sitemap(cli, ledger_to_publish, tmp_path):
    out = tmp_path / "site"
    publish(cli, out, "--base-url", "https://example.org/tracker/")
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert "https://example.org/tracker/index.html" in locs and len(locs) == 8
    page = (out / "claims" / f"{ledger_to_publish['first']}.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="https://example.org/tracker/claims/{ledger_to_publish["first"]}.html">' in page
    plain = tmp_path / "plain"
    publish(cli, plain)
    assert not (plain / "sitemap.xml").exists() and "canonical" not in (plain / "index.html").read_text(encoding="utf-8")


def test_only_resolved_claims_carry_a_claim_review_with_every_field(cli, ledger_to_publish, tmp_path):
    out = tmp_path / "site"
    publish(cli, out, "--base-url", "https://example.org/t")
    ids = ledger_to_publish
    (review,) = read(out / "claims" / f"{ids['first']}.html").json_ld()
    assert set(review) == REVIEW_KEYS
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "Full self-driving this year"
    assert review["itemReviewed"] == {"@type": "Claim", "author": {"@type": "Person", "name": "Elon Musk"},
                                      "datePublished": "2023-07-06",
                                      "appearance": {"@type": "CreativeWork", "url": "https://example.org/waic"}}
    assert review["reviewRating"] == {"@type": "Rating", "ratingValue": 1, "bestRating": 3, "worstRating": 1, "alternateName": "false"}
    assert review["author"] == {"@type": "Organization", "name": "Example News"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", review["datePublished"])
    assert review["url"] == f"https://example.org/t/claims/{ids['first']}.html"
    assert read(out / "claims" / f"{ids['open']}.html").json_ld() == []
    assert read(out / "claims" / f"{ids['again']}.html").json_ld() == []
    # The export writes the same objects, as one array.
    exported = cli("export", "--format", "claimreview", "--publisher", "Example News", "--base-url", "https://example.org/t")
    assert exported.status == 0, exported.err
    embedded = [read(out / "claims" / f"{i}.html").json_ld() for i in (ids["first"], ids["ada"])]
    assert json.loads(exported.out) == [r for rs in embedded for r in rs]
    only = cli("export", "--format", "claimreview", "--speaker", "Ada Forecaster", "--out", tmp_path / "r.jsonld")
    assert only.status == 0 and [r["claimReviewed"] for r in json.loads((tmp_path / "r.jsonld").read_text())] == ["Rain tomorrow"]


def test_the_rating_scale_is_the_documented_one():
    assert RATINGS == {"true": (3, "true"), "partial": (2, "partly true"), "false": (1, "false"),
                       "ambiguous": (-1, "cannot be judged")}


@pytest.mark.parametrize("args, words", [
    (("--base-url", "javascript:alert(1)"), "--base-url must be a web address"),
    (("--speaker", "Nobody"), "unknown speaker"),
    (("--title", "  "), "title and a publisher"),
])
def test_bad_options_are_one_line_errors_that_write_nothing(cli, ledger_to_publish, tmp_path, args, words):
    out = tmp_path / "site"
    result = cli("publish", "--out", out, *args)
    assert result.status in (2, 3) and result.err.count("\n") == 1 and words in result.err, result.err
    assert not out.exists()


def test_out_must_be_a_folder(cli, ledger_to_publish, tmp_path):
    (tmp_path / "file").write_text("x")
    result = cli("publish", "--out", tmp_path / "file")
    assert result.status == 2 and result.err.count("\n") == 1


# --- escaping --------------------------------------------------------------------------------------

SITE_HOSTILE = ["<script>alert(1)</script>", "</script><script>alert(2)</script>", "\"quoted\" and 'single'",
                "fish & chips &amp; more", "line one\nline two", "javascript:alert(3)", "<!--<script>x</script>"]


@pytest.fixture
def hostile_site(cli, db_url, tmp_path):
    ids = hostile.fill(cli, db_url, tmp_path, SITE_HOSTILE, resolve=True)
    from sqlalchemy import text

    from ledger.store.engine import open_ledger

    opened = open_ledger(db_url)
    with opened.write() as s:  # evidence links that are not web addresses, as another tool could store them
        s.execute(text("UPDATE resolutions SET evidence = :e"), {"e": json.dumps(["javascript:alert(4)", "data:text/html,x"])})
    opened.dispose()
    out = tmp_path / "site"
    result = cli("publish", "--out", out, "--publisher", "<b>News</b> & Co", "--title", "</title><script>t</script>")
    assert result.status == 0, result.err
    return out, ids


def test_hostile_text_is_text_on_every_page_of_the_site(hostile_site):
    """One hostile site (21 charts to draw) checked three ways: every page, each claim page, the
    speaker pages and the index."""
    out, ids = hostile_site
    every_page_keeps_it_text(out)
    claim_pages_read_it_as_written(out, ids)
    speaker_pages_and_the_index_read_it_as_written(out)


def every_page_keeps_it_text(out):
    for path in out.rglob("*.html"):
        page = read(path)
        # Only http(s) links leave the site; every other link is a relative path inside it.
        for href in page.links:
            assert re.match(r"https?://", href) or not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", href), (path, href)
        # No script but the JSON-LD block, no event handler attribute.
        assert all(attrs.get("type") == "application/ld+json" for attrs, _ in page.scripts), path
        assert not [k for k, _ in page.attributes if k.startswith("on")], path
        assert "</title><script>t</script>" in page.words or path.name != "index.html"


def claim_pages_read_it_as_written(out, ids):
    for claim_id, text in zip(ids, SITE_HOSTILE):
        page = read(out / "claims" / f"{claim_id}.html")
        shown = " ".join(text.split())
        assert shown in page.words  # the claim text, the quote, the speaker, the tag...
        assert "javascript:alert(4)" in page.words and not any("javascript" in link for link in page.links)
        (review,) = page.json_ld()
        assert review["claimReviewed"] == text and review["itemReviewed"]["author"]["name"] == text
        assert review["author"]["name"] == "<b>News</b> & Co"
        raw = (out / "claims" / f"{claim_id}.html").read_text(encoding="utf-8")
        assert raw.count("</script>") == 1  # the JSON-LD block's own end: no stored text closes it or opens another
        body = raw.split('<script type="application/ld+json">')[1].split("</script>")[0]
        assert "<" not in body and ">" not in body


def speaker_pages_and_the_index_read_it_as_written(out):
    index = read(out / "index.html")
    for text in SITE_HOSTILE:
        assert " ".join(text.split()) in index.words  # the speaker's name, linked to their page
    speakers = [read(p) for p in (out / "speakers").glob("*.html")]
    assert len(speakers) == len(SITE_HOSTILE)
    assert all(re.fullmatch(r"speaker-\d+\.html", p.name) for p in (out / "speakers").glob("*.html"))
    for text in SITE_HOSTILE:
        assert any(" ".join(text.split()) in s.words for s in speakers)


def test_a_site_made_a_few_speakers_at_a_time_is_the_site_made_at_once(cli, ledger, ledger_to_publish, tmp_path):
    from datetime import date

    from ledger.services.site_files import publish_site

    assert cli("speaker", "add", "Cy Pundit").status == 0
    cy = [_add(cli, f"Prediction {n}", "2024-02-01", "2024-03-01", "--tag", "econ", speaker="Cy Pundit") for n in range(3)]
    assert cli("resolve", cy[0], "--outcome", "partial", "--reviewer", "Rita").status == 0
    assert cli("edit", cy[1], "--text", "Prediction one, corrected", "--reason", "typo").status == 0
    assert cli("link", cy[2], "--restates", cy[0], "--reason", "the same forecast again").status == 0
    assert cli("withdraw", ledger_to_publish["open"], "--reason", "logged twice").status == 0

    def files(chunk_claims: int) -> dict[str, bytes]:
        out = tmp_path / f"site-{chunk_claims}"
        publish_site(ledger, out, as_of=date(2026, 6, 1), title="Track records", publisher="Example News",
                     base_url="https://example.org/site",
                     chunk_claims=chunk_claims)
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    whole, chunked = files(1_000_000), files(1)  # one chunk; one speaker per chunk (three)
    assert len(whole) == 2 + 3 + 6 + 2  # index, about; three speakers, six claims; sitemap, manifest
    assert whole.keys() == chunked.keys()
    assert [path for path in whole if whole[path] != chunked[path]] == []
    # What each chunk reads through the indexes: an edit's and a link's journal entries, a verdict.
    assert b"change.recorded" in whole[f"claims/{cy[1]}.html"] and b"restatement.changed" in whole[f"claims/{cy[2]}.html"]
    assert b"resolution.recorded" in whole[f"claims/{cy[0]}.html"] and b"claims/%d.html" % cy[0] in whole["sitemap.xml"]
