"""`claims speaker ...` and `claims source ...`."""

from __future__ import annotations

from pathlib import Path

import click

from ledger.cli.app import App, cli, pass_app
from ledger.cli.options import DATE, PathType, json_option
from ledger.errors import InvalidInput


@cli.group()
def speaker() -> None:
    """People whose predictions are tracked."""


@speaker.command("add")
@click.argument("name")
@click.option("--alias", "aliases", multiple=True, help="Another name to find the speaker by (repeatable).")
@click.option("--new-speaker", is_flag=True, help="Add it even if the name looks like an existing speaker's.")
@json_option
@pass_app
def speaker_add(app: App, name: str, aliases: tuple[str, ...], new_speaker: bool, as_json: bool) -> None:
    """Add a speaker, e.g. claims speaker add "Elon Musk" --alias Musk."""
    from ledger.services.people import add_speaker

    view = add_speaker(app.ledger, name, aliases, app.actor(), lookalike_ok=new_speaker)
    if as_json:
        return app.json(view)
    extra = f" (aka {', '.join(view['aliases'])})" if view["aliases"] else ""
    app.echo(f"Added speaker #{view['id']}: {view['name']}{extra}")


@speaker.command("alias")
@click.argument("name")
@click.argument("aliases", nargs=-1, required=True)
@pass_app
def speaker_alias(app: App, name: str, aliases: tuple[str, ...]) -> None:
    """Give a speaker more names to be found by."""
    from ledger.services.people import add_alias

    view = add_alias(app.ledger, name, aliases, app.actor())
    app.echo(f"Speaker #{view['id']} {view['name']} is also: {', '.join(view['aliases'])}")


@speaker.command("list")
@json_option
@pass_app
def speaker_list(app: App, as_json: bool) -> None:
    """List speakers with their number of claims."""
    from ledger.render.table import table
    from ledger.services.people import list_speakers

    views = list_speakers(app.ledger)
    if as_json:
        return app.json(views)
    app.echo(table(["ID", "NAME", "ALIASES", "CLAIMS"], [(v["id"], v["name"], ", ".join(v["aliases"]), v["claims"]) for v in views], color=app.color))


@cli.group()
def source() -> None:
    """Where claims were made: articles, videos, transcripts."""


@source.command("add")
@click.argument("url", required=False)
@click.option("--title", help="The article's title.")
@click.option("--publisher", help="Who published it.")
@click.option("--published", type=DATE, help="Publication date; claims from this source default to it.")
@click.option("--file", "text_file", type=PathType(dir_okay=False, path_type=Path), help="Keep the article's text (stored with its SHA-256).")
@json_option
@pass_app
def source_add(app: App, url, title, publisher, published, text_file: Path | None, as_json: bool) -> None:
    """Add a source by URL, with its title, publisher, date and optionally its text."""
    from ledger.services.people import add_source

    text = None
    if text_file is not None:
        try:
            text = text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"cannot read {text_file}: {getattr(exc, 'strerror', None) or exc}") from None
    view = add_source(app.ledger, url=url, title=title, publisher=publisher, published=published, text=text, actor=app.actor())
    if as_json:
        return app.json(view)
    app.echo(f"Added source #{view['id']}: {view['url'] or view['title']}")
