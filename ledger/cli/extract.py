"""`claims extract`: from an article (a text file, a saved page, stdin or a URL) to candidate
claims, listed, reviewed one at a time on a terminal, or accepted by number."""

from __future__ import annotations

import re

import click

from ledger.cli.app import App, cli, pass_app
from ledger.cli.options import DATE, json_option
from ledger.errors import InvalidInput


def _numbers(text: str) -> list[int]:
    try:
        numbers = [int(part) for part in re.split(r"[,\s]+", text.strip()) if part]
    except ValueError:
        raise InvalidInput(f"--accept {text!r} is not a list of candidate numbers, e.g. --accept 1,3") from None
    if not numbers:
        raise InvalidInput("--accept needs candidate numbers, e.g. --accept 1,3")
    return numbers


def _overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        written, sep, name = pair.partition("=")
        if not sep or not written.strip() or not name.strip():
            raise InvalidInput(f"--speaker {pair!r} is not AS_WRITTEN=NAME, e.g. --speaker \"Musk=Elon Musk\"")
        found[written.strip()] = name.strip()
    return found


@cli.command()
@click.argument("source", metavar="FILE|-|URL")
@click.option("--published", type=DATE, help="When the article was published [default: the page's date].")
@click.option("--url", help="The article's address, for its source [default: the URL read].")
@click.option("--title", help="The article's title [default: the page's title, else the first line].")
@click.option("--publisher", help="Who published it [default: the page's site name].")
@click.option("--encoding", metavar="NAME",
              help="How the file's bytes are written, e.g. cp1252 or latin-1 [default: UTF-8, else Windows-1252; a page's charset].")
@click.option("--accept", metavar="N,N", help="Log these candidates (numbers from the list) with their source.")
@click.option("--speaker", "speakers", multiple=True, metavar="AS_WRITTEN=NAME",
              help='The speaker a name in the text means, e.g. "Musk=Elon Musk" (repeatable).')
@click.option("--horizon", help="For a vague deadline ('soon'): assume this horizon when accepting, e.g. 1y.")
@click.option("--logged-by", metavar="NAME", help="Who logs them [default: user.name from the config, else the OS user].")
@json_option
@pass_app
def extract(app: App, source, published, url, title, publisher, encoding, accept, speakers, horizon, logged_by,
            as_json) -> None:
    """Propose the predictions in an article as claims: speaker, words, deadline and hedge.

    Nothing is written unless candidates are accepted: with --accept, or one at a time when
    run on a terminal (accept, edit or skip each)."""
    from dataclasses import replace

    from ledger.cli.extract_input import read_article
    from ledger.cli.extract_review import list_candidates, review
    from ledger.domain.extract.article import looks_english
    from ledger.services.extract import accept as accept_candidates
    from ledger.services.extract import propose

    overrides = _overrides(speakers)
    chosen = _numbers(accept) if accept is not None else None
    article = read_article(app, source, encoding)
    if article.guessed:
        app.note(f"extract: {'standard input' if source == '-' else source} is not UTF-8; read as Windows-1252 "
                 "(give --encoding if it is another)")
    article = replace(article, url=url or article.url, title=title or article.title,
                      publisher=publisher or article.publisher, published=published or article.published)
    if article.published is None:
        raise InvalidInput("no publication date: give --published YYYY-MM-DD (the day the words were reported)")
    if article.published > app.today:
        raise InvalidInput(f"published {article.published.isoformat()} is in the future")
    analysis, detail = _analysis(app, article.text)
    mode = analysis.mode if analysis else "rules"
    app.note(f"extract: {detail}")
    if not looks_english(article.text):
        return _none(app, as_json, mode, "the text does not look like English")  # nothing to propose
    proposals, known_source = propose(app.ledger, article, article.published, overrides=overrides, analysis=analysis)
    if not proposals:
        return _none(app, as_json, mode, "no sentence predicts something with a named speaker")
    if chosen is not None:
        by_number = {p.number: p for p in proposals}
        missing = [n for n in chosen if n not in by_number]
        if missing:
            raise InvalidInput(f"no candidate {missing[0]}: the candidates are numbered 1 to {len(proposals)}")
        from ledger.services.extract import Edit

        notes: list[str] = []
        done = accept_candidates(app.ledger, article, [(by_number[n], Edit()) for n in dict.fromkeys(chosen)],
                                 app.actor(logged_by), app.today, horizon, notes)
        for note in notes:
            app.note(f"note: {note}")
        if as_json:
            return app.json({"mode": mode, "accepted": done})
        for item in done:
            if item["added"]:
                v = item["view"]
                app.echo(f"Logged claim #{item['claim']} (candidate {item['number']}): {v['speaker']}: {v['text']}")
                app.echo(f"  said {v['said']}, deadline {v['deadline']} ({v['deadline_text']})")
            else:
                app.echo(f"Candidate {item['number']} is already claim #{item['claim']}: nothing added.")
        return None
    if as_json:
        return app.json({"mode": mode, "mode_detail": detail, "source": known_source,
                         "candidates": [p.as_dict() for p in proposals]})
    if app.env.stdin_isatty and app.env.stdout_isatty:
        return review(app, article, proposals, horizon=horizon, logged_by=logged_by)
    list_candidates(app, proposals)
    app.note("Nothing written: log candidates with --accept 1,2 (or run on a terminal to review them one by one).")
    return None


def _none(app: App, as_json: bool, mode: str, why: str) -> None:
    if as_json:
        return app.json({"mode": mode, "candidates": [], "why": why})
    app.echo(f"no candidates: {why}")
    return None


def _analysis(app: App, text: str):
    """The parser's sentences and names when spaCy and the configured pipeline are installed; the
    rules otherwise. Which one ran is said on stderr, so a user knows what the figures mean."""
    from ledger.config import extract_settings
    from ledger.parser import analyse

    return analyse(text, extract_settings(app.config)["model"])
