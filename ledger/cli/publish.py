"""`claims publish`: the ledger as a static site a newsroom can put on the web."""

from __future__ import annotations

from pathlib import Path

import click

from ledger.cli.app import App, cli, pass_app
from ledger.cli.options import PathType


@cli.command()
@click.option("--out", required=True, type=PathType(file_okay=False, path_type=Path), metavar="DIR", help="The folder to write the site to (made if missing).")
@click.option("--speaker", "speakers", multiple=True, metavar="NAME", help="Only this speaker (repeatable) [default: everyone with claims].")
@click.option("--tag", help="Only claims with this tag.")
@click.option("--base-url", "base_url", metavar="URL", help="Where the site will live: canonical links and a sitemap.xml [default: [publish] base_url].")
@click.option("--title", help="The site's title [default: [publish] title, else 'Prediction track records'].")
@click.option("--publisher", help="Who publishes it, the ClaimReview author [default: [publish] publisher, else the user name].")
@pass_app
def publish(app: App, out: Path, speakers, tag, base_url, title, publisher) -> None:
    """Write a static site: a leaderboard, a page per speaker and per claim, ClaimReview markup.

    Open DIR/index.html from disk or put DIR on any static host; republishing an unchanged
    ledger rewrites no file, and a withdrawn claim's page is removed. See docs/publish.md.
    """
    from ledger.config import publish_settings
    from ledger.services.site_files import publish_site

    settings = publish_settings(app.config)
    done = publish_site(
        app.ledger, out, speakers=tuple(speakers), tag=tag, as_of=app.today,
        base_url=base_url if base_url is not None else settings["base_url"],
        title=title or settings["title"] or "Prediction track records",
        publisher=publisher or settings["publisher"] or app.actor(),
    )
    removed = f", {done['removed']} removed" if done["removed"] else ""
    app.echo(f"Published {done['pages']} pages to {done['out']} ({done['written']} written, {done['unchanged']} unchanged{removed}).")
    if done["kept"]:
        kept = len(done["kept"])
        app.echo(f"Kept {kept} page{'s' if kept != 1 else ''} the site no longer has, changed since published "
                 f"(delete them if they should go): {', '.join(done['kept'])}")
    app.echo(f"Open {done['index']}")
