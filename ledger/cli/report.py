"""`claims report`: accuracy reports on repeat forecasters, and the leaderboard."""

from __future__ import annotations

from pathlib import Path

import click

from ledger.cli.app import App, cli, pass_app
from ledger.cli.options import COUNT, DATE, PathType

FORMATS = ("table", "json", "csv", "markdown", "html")
POLICIES = ("strict", "partial", "lenient", "decay")  # ledger.domain.scoring.POLICIES, kept out of start-up


@cli.command()
@click.option("--speaker", "speakers", multiple=True, metavar="NAME", help="Only this speaker (repeatable) [default: everyone with claims].")
@click.option("--tag", help="Only claims with this tag.")
@click.option("--since", type=DATE, help="Only claims said on or after this date.")
@click.option("--until", type=DATE, help="Only claims said on or before this date.")
@click.option("--as-of", "as_of", type=DATE, help="Report as it stood on this date [default: today].")
@click.option("--policy", type=click.Choice(POLICIES), default="strict", show_default=True,
              help="What counts as a hit: strict (true by the deadline), partial (partial = 1/2), lenient (late true counts), decay (late credit halves every --half-life days).")
@click.option("--half-life", "half_life", type=float, metavar="DAYS", help="With --policy decay: days for late credit to halve [default: 365].")
@click.option("--min-resolved", "min_resolved", type=COUNT, metavar="N",
              help="Only speakers with at least N scored claims [default: 0, or 5 with --leaderboard].")
@click.option("--detail", is_flag=True, help="Each speaker's calibration, years and topics, however many speakers [default: for --speaker, or five speakers or fewer].")
@click.option("--leaderboard", is_flag=True, help="Rank speakers instead: those who state probabilities by Brier score, the others by the shrunk hit rate.")
@click.option("--claims", "track", is_flag=True, help="The track record instead: one row per claim, oldest said first.")
@click.option("--wide", is_flag=True, help="Terminal tables at full width, every column [default: fit 80 columns].")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format.")
@click.option("--json", "as_json", is_flag=True, help="Short for --format json, as other commands take --json.")
@click.option("--out", type=PathType(dir_okay=False, path_type=Path), metavar="PATH", help="Write to this file instead of standard output.")
@click.option("--raw", is_flag=True, help="CSV: write text cells as they are, without the ' that stops a spreadsheet running =, +, -, @.")
@click.option("--all", "everything", is_flag=True, help="Count withdrawn claims too (the report says how many there are either way).")
@pass_app
def report(app: App, speakers, tag, since, until, as_of, policy, half_life, min_resolved, detail, leaderboard, track, wide, fmt, as_json, out, raw, everything) -> None:
    """How often each speaker's predictions came true, how late, on which topics, and the trend.

    Only claims whose deadline has passed are scored; see docs/report.md for every figure.
    """
    from ledger.services.reports import LEADERBOARD_MIN_RESOLVED, ReportOptions

    if as_json:
        if fmt not in ("table", "json"):
            raise click.BadOptionUsage("as_json", f"--json is --format json; it cannot go with --format {fmt}")
        fmt = "json"

    if track and leaderboard:
        raise click.BadOptionUsage("track", "--claims (the track record) and --leaderboard are two reports; give one")
    if detail and (track or leaderboard):
        raise click.BadOptionUsage("detail", f"--detail is the per-speaker report's; {'--claims' if track else '--leaderboard'} has no detail to add")
    default_minimum = LEADERBOARD_MIN_RESOLVED if leaderboard else 0
    options = ReportOptions(
        speakers=tuple(speakers), tag=tag, since=since, until=until, as_of=as_of or app.today, policy=policy,
        half_life=half_life, min_resolved=default_minimum if min_resolved is None else min_resolved,
        withdrawn=everything, detail=detail,
    )
    color = app.color and out is None
    if track:
        chunks = _track_record(app, options, fmt, color, raw, wide)
    elif leaderboard:
        chunks = _leaderboard(app, options, fmt, color, raw)
    else:
        chunks = _report(app, options, fmt, color, raw, wide)
    if out is None:
        for chunk in chunks:
            app.emit(chunk)
        return
    from ledger.files import write_text

    written = write_text(out, chunks)
    what = "track record" if track else "leaderboard" if leaderboard else "report"
    app.note(f"Wrote the {what} ({fmt}) to {written}")


def _lines(lines):
    for line in lines:
        yield line + "\n"


def _report(app: App, options, fmt: str, color: bool, raw: bool, wide: bool):
    from ledger.render import report as render
    from ledger.services.reports import open_report

    with open_report(app.ledger, options, curves=fmt == "html") as report:
        if fmt == "json":
            yield from render.as_json(report.header, report.speakers, report.count)
        elif fmt == "csv":
            yield from render.as_csv(report.header, report.speakers, raw=raw)
        elif fmt == "markdown":
            yield from _lines(render.as_markdown(report.header, report.speakers))
        elif fmt == "html":
            from ledger.render.html import report_html

            yield report_html(report.header, report.speakers)
        else:
            yield from _lines(render.as_table(report.header, report.speakers, color=color, wide=wide))


def _leaderboard(app: App, options, fmt: str, color: bool, raw: bool):
    from ledger.render import report as render
    from ledger.escape import json_text
    from ledger.services.reports import leaderboard

    board = leaderboard(app.ledger, options)
    if fmt == "json":
        yield json_text(board, indent=2) + "\n"
    elif fmt == "csv":
        yield from render.leaderboard_csv(board, raw=raw)
    elif fmt == "markdown":
        yield from _lines(render.leaderboard_markdown(board))
    elif fmt == "html":
        from ledger.render.html import leaderboard_html

        yield leaderboard_html(board)
    else:
        yield from _lines(render.leaderboard_table(board, color=color))


def _track_record(app: App, options, fmt: str, color: bool, raw: bool, wide: bool):
    from ledger.render import track as render
    from ledger.services.reports.track import open_track_record

    with open_track_record(app.ledger, options) as record:
        if fmt == "json":
            yield from render.as_json(record.header, record.rows)
        elif fmt == "csv":
            yield from render.as_csv(record.header, record.rows, raw=raw)
        elif fmt == "markdown":
            yield from _lines(render.as_markdown(record.header, record.rows))
        elif fmt == "html":
            yield render.as_html(record.header, record.rows)
        else:
            yield from _lines(render.as_table(record.header, record.rows, color=color, wide=wide))
