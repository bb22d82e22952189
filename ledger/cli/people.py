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


@speaker.command("merge")
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="INTO")
@json_option
@pass_app
def speaker_merge(app: App, source: str, target: str, as_json: bool) -> None:
    """Make two speakers one: FROM's claims and aliases move to INTO, and FROM's name becomes an
    alias of INTO, e.g. claims speaker merge "Musk" "Elon Musk"."""
    from ledger.services.speakers import merge_speakers

    view = merge_speakers(app.ledger, source, target, app.actor())
    if as_json:
        return app.json(view)
    s, moved = view["speaker"], view["moved"]
    app.echo(f"Merged speaker #{view['merged']['id']} {view['merged']['name']} into #{s['id']} {s['name']}: "
             f"{len(moved)} claim{'s' if len(moved) != 1 else ''} moved; aliases {', '.join(s['aliases'])}")
    for a, b in view["duplicates"]:
        app.note(f"note: claims #{a} and #{b} look like duplicates (same date said and text); `claims withdraw` one if so")


@speaker.command("rename")
@click.argument("current", metavar="OLD")
@click.argument("name", metavar="NEW")
@json_option
@pass_app
def speaker_rename(app: App, current: str, name: str, as_json: bool) -> None:
    """Give a speaker a new name (one of its aliases, or a new spelling)."""
    from ledger.services.speakers import rename_speaker

    view = rename_speaker(app.ledger, current, name, app.actor())
    if as_json:
        return app.json(view)
    app.echo(f"Speaker #{view['id']} is now {view['name']}")


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
    view = add_source(app.ledger, url=url, title=title, publisher=publisher, published=published, text=text, actor=app.actor(), today=app.today)
    if as_json:
        return app.json(view)
    app.echo(f"Added source #{view['id']}: {view['url'] or view['title']}")


@source.command("list")
@json_option
@pass_app
def source_list(app: App, as_json: bool) -> None:
    """List sources with their number of claims."""
    from ledger.render.table import table
    from ledger.services.sources import list_sources

    views = list_sources(app.ledger)
    if as_json:
        return app.json(views)
    if not views:
        return app.note("No sources yet: claims source add URL --title ... --published DATE")
    rows = [(v["id"], v["url"] or "", v["title"] or "", v["published"] or "", v["claims"]) for v in views]
    app.echo(table(["ID", "URL", "TITLE", "PUBLISHED", "CLAIMS"], rows, color=app.color, max_width=50))


@source.command("show")
@click.argument("ref", metavar="URL|ID")
@json_option
@pass_app
def source_show(app: App, ref: str, as_json: bool) -> None:
    """Everything known about one source, and its claims."""
    from ledger.services.sources import show_source

    _print_source(app, show_source(app.ledger, ref), as_json)


@source.command("edit")
@click.argument("ref", metavar="URL|ID")
@click.option("--url", help="Its new URL.")
@click.option("--title", help="Its title (\"\" clears it).")
@click.option("--publisher", help="Who published it (\"\" clears it).")
@click.option("--published", type=DATE, help="Publication date (claims keep the dates they were said).")
@click.option("--file", "text_file", type=PathType(dir_okay=False, path_type=Path), help="Replace its stored text.")
@json_option
@pass_app
def source_edit(app: App, ref: str, url, title, publisher, published, text_file: Path | None, as_json: bool) -> None:
    """Correct a source's URL, title, publisher, date or stored text; journaled like every change."""
    from ledger.services.sources import edit_source

    text = _read(text_file) if text_file is not None else None
    view = edit_source(app.ledger, ref, actor=app.actor(), today=app.today, url=url, title=title, publisher=publisher,
                       published=published, text=text)
    _print_source(app, view, as_json)


def _print_source(app: App, v: dict, as_json: bool) -> None:
    from ledger.render.table import fields

    if as_json:
        return app.json(v)
    pairs = [
        ("Source", f"#{v['id']} {v['url'] or ''}".rstrip()), ("Title", v["title"]), ("Publisher", v["publisher"]),
        ("Published", v["published"]),
        ("Text", f"{v['text_length']:,} characters, SHA-256 {v['text_sha256']}" if v["text_length"] is not None else None),
        ("Claims", ", ".join(f"#{i}" for i in v["claims"]) or "none"),
    ]
    app.echo(fields([(k, val) for k, val in pairs if val], color=app.color))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
