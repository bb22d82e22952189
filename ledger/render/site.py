"""The published site's pages, from Jinja2 templates shipped in the package (autoescape on).

Stored text reaches a page only as a template value, which Jinja2 escapes, or through a function
of ledger.escape (``html_link`` for addresses: only http(s) becomes a link; ``json_script`` for
the ClaimReview block); the charts and the track-record table are the report's own renderers,
which escape with ledger.escape too. Pages link to each other relatively and load nothing: no
script, style sheet, font or image from anywhere.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from ledger import __version__
from ledger.domain.claimreview import claim_review
from ledger.domain.restatements import years
from ledger.domain.scoring import POLICIES
from ledger.domain.site import ABOUT, INDEX, SITEMAP, absolute, claim_path, root_of, speaker_path
from ledger.escape import html, html_link, json_script
from ledger.render import report as text
from ledger.render import track
from ledger.render.charts import speaker_charts
from ledger.render.html import STYLE
from ledger.services.publish import ClaimPage, Site

JUDGED = ("true", "true, late", "false", "partial", "ambiguous", "awaiting deadline")

SITE_STYLE = STYLE + """
nav { font-size: .9rem; margin-bottom: 1rem; } footer { margin-top: 3rem; border-top: 1px solid #e4e7eb; }
blockquote.words { font-size: 1.2rem; border-left: 4px solid #1b6ac9; margin: 1rem 0; padding: .2rem 1rem; }
table.track-record td, table.history td { white-space: normal; text-align: left; vertical-align: top; }
table.history code { font-size: .75rem; word-break: break-all; }
"""


@cache
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    from markupsafe import Markup

    # Every value a template prints goes through ledger.escape.html (which also drops the control
    # characters HTML cannot hold); a fragment already escaped is Markup and is left as it is.
    # The templates are the package's own and do not change while a site is written: no reload check.
    return Environment(
        loader=PackageLoader("ledger.render", "templates"), autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined, keep_trailing_newline=True, auto_reload=False,
        finalize=lambda value: value if isinstance(value, Markup) else Markup(html(value)),
    )


@cache
def build_key() -> str:
    """What every page depends on besides its data: the release, the style and the templates' text."""
    env = _environment()
    return digest([__version__, SITE_STYLE, *(env.loader.get_source(env, t)[0] for t in sorted(env.list_templates()))])


def digest(data) -> str:
    """A key of JSON-able ``data``: equal data, equal keys."""
    encoded = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(encoded.encode("utf-8"), digest_size=16).hexdigest()


def _markup(value: str):
    """A fragment ledger.escape (or a renderer using it) already escaped."""
    from markupsafe import Markup

    return Markup(value)


@dataclass(frozen=True)
class SitePage:
    """A page of the site before it is rendered: its path, the key of what it shows (a digest of
    exactly the data the page is made from, the site's options and the templates: the same key
    always renders the same bytes) and how to render it, so a page whose key is unchanged need not
    be rendered at all."""

    path: str
    key: str
    render: Callable[[], str]


def pages(site: Site, *, title: str, publisher: str, base_url: str | None) -> Iterator[SitePage]:
    """Every page of the site, in a stable order."""
    head = f"{site.head[0]}:{site.head[1]}" if site.head else "0:" + "0" * 64
    common = {"site_title": title, "publisher": publisher, "version": __version__, "style": _markup(SITE_STYLE)}
    env = _environment()
    # What every page shows besides its own data, digested once: the style sheet alone is
    # kilobytes, and a site of 100,000 claims digested it again for each page.
    options = digest([build_key(), common, base_url])

    def page(template: str, path: str, shows, values: Callable[[], dict]) -> SitePage:
        """``shows``: everything ``values`` is made from, besides the options in ``common``."""
        def render() -> str:
            given = values()
            return env.get_template(template).render(
                **common, root=root_of(path), canonical=absolute(base_url, path),
                claim_review=given.pop("claim_review", None), **given)

        return SitePage(path, digest([options, template, path, shows]), render)

    def shown_as_is(template: str, path: str, **values) -> SitePage:
        return page(template, path, values, lambda: dict(values))

    yield shown_as_is("index.html", INDEX, page_title="Track records", filters=text.filters_text(site.header),
                      groups=_groups(site), min_resolved=site.leaderboard["filters"]["min_resolved"],
                      leaderboard_notes=text.leaderboard_notes(site.leaderboard), tags=site.tags,
                      speakers=[{"name": s["speaker"], "href": speaker_path(s["slug"]), "claims": s["claims"],
                                 "rate": text.rate_text(s)} for s in site.speakers])
    slugs = {s["speaker_id"]: s["slug"] for s in site.speakers}
    for chunk in site.chunks():
        for s in chunk.speakers:
            path = speaker_path(s["slug"])
            mine = {**site.header, "filters": {**site.header["filters"], "speakers": [s["speaker"]]}}
            # The charts and the track record are drawn only if the page is rendered: they are made from s.
            yield page("speaker.html", path, [mine, s], lambda s=s, mine=mine, root=root_of(path): dict(
                page_title=s["speaker"], name=s["speaker"], filters=text.filters_text(mine), facts=text.facts(s),
                charts=[_markup(c) for c in speaker_charts(s)],
                track_record=_markup(track.html_table(s["track_record"], link=lambda r: f"{root}{claim_path(r['id'])}")),
                chains=[_chain(c) for c in s["chains"]]))
        for claim_id, claim in sorted(chunk.claims.items()):
            path = claim_path(claim_id)
            shows = [claim.row, claim.text, claim.quote, claim.source, claim.resolved_on, claim.history,
                     slugs[claim.row["speaker_id"]], site.has_claim(claim.row["restates"])]
            yield page("claim.html", path, shows, lambda claim=claim, path=path, claim_id=claim_id: dict(
                page_title=f"Claim #{claim_id}: {claim.row['speaker']}",
                **_claim(claim, root_of(path), slugs, site, publisher=publisher, url=absolute(base_url, path) or path)))
    yield shown_as_is("about.html", ABOUT, page_title="About and method", policy=text.policy_text(site.header),
                      policies=[text.policy_text({**site.header, "policy": p, "half_life_days": 365}) for p in POLICIES],
                      notes=text.notes(site.header), prior=text.prior_text(site.header),
                      fitted_on=f"The prior is fitted on {site.header['prior']['fitted_on']}.",
                      head=head, verify=f"claims verify --head {head}")
    if base_url:
        urls = [absolute(base_url, p) for p in (INDEX, ABOUT, *_pages_of(site))]
        yield SitePage(SITEMAP, digest([options, SITEMAP, urls]), lambda: env.get_template("sitemap.xml").render(urls=urls))


def paths(site: Site, *, base_url: str | None) -> Iterator[str]:
    """The path of every page ``pages`` makes, without making them."""
    yield from (INDEX, *_pages_of(site), ABOUT)
    if base_url:
        yield SITEMAP


def _pages_of(site: Site) -> Iterator[str]:
    yield from (speaker_path(s["slug"]) for s in site.speakers)
    yield from map(claim_path, site.shown_ids)


def _groups(site: Site) -> list[dict]:
    slugs = {s["speaker_id"]: s["slug"] for s in site.speakers}
    return [
        {"title": title, "headers": [text.heading(h) for h in text.LEADERBOARD_HEADERS[group]],
         "rows": [{"cells": text.leaderboard_row(r), "href": speaker_path(slugs[r["speaker_id"]])} for r in rows
                  if r["speaker_id"] in slugs]}
        for group, title, rows in text.leaderboard_groups(site.leaderboard)
    ]


def _chain(view: dict) -> dict:
    moved = {c["id"]: c["moved_days"] for c in view["claims"]}
    delivered = (f"Delivered {view['delivered']}, {years(view['slip_to_delivery_days'])} after the first deadline."
                 if view["delivered"] else "Not delivered.")
    return {
        "title": f"Claim #{view['first']} and its {view['restatements']} restatement{'s' if view['restatements'] != 1 else ''}",
        "claims": [{**c, "moved": None if moved[c["id"]] is None else f"{moved[c['id']]:+d} days"} for c in view["claims"]],
        "summary": f"Said {len(view['claims'])} times; the deadline moved later {view['moved_later']} times, "
                   f"{years(view['slip_days'])} from the first deadline to the latest. {delivered}",
    }


def review_of(page: ClaimPage, publisher: str, url: str) -> dict | None:
    """The ClaimReview of a claim's page, if the claim has a verdict."""
    row = page.row
    if row["outcome"] is None or row["status"] not in JUDGED:
        return None
    source = page.source["url"] if page.source else None
    return claim_review(claim=page.text, speaker=row["speaker"], said=row["said"], source_url=source,
                        outcome=row["outcome"], resolved_on=page.resolved_on or row["occurred"] or row["said"],
                        publisher=publisher, url=url)


def _claim(page: ClaimPage, root: str, slugs: dict, site: Site, *, publisher: str, url: str) -> dict:
    row = page.row
    review = review_of(page, publisher, url)
    restates = row["restates"]
    return {
        "c": row, "text": page.text, "quote": page.quote, "late": track.late_text(row["days_late"]),
        "speaker_href": f"{root}{speaker_path(slugs[row['speaker_id']])}",
        "evidence": [_markup(html_link(e)) for e in row["evidence"]],
        "restates_href": f"{root}{claim_path(restates)}" if site.has_claim(restates) else None,
        "source": page.source, "source_link": _markup(html_link(page.source["url"])) if page.source and page.source["url"]
        else "none recorded", "history": page.history,
        "claim_review": _markup(json_script(review)) if review else None,
    }


__all__ = ["SitePage", "build_key", "digest", "pages", "paths", "review_of"]
