"""`claims import` and `claims export`: bulk transfer in the canonical CSV/JSONL format."""

from __future__ import annotations

import click

from ledger.cli.app import App, cli, pass_app
from ledger.cli.options import PathType, json_option

# A progress bar is worth drawing only for files that take a while.
PROGRESS_BYTES = 1 << 20


@cli.command("import")
@click.argument("file", type=PathType(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "predictionbook"]), help="The file's format [default: from its extension].")
@click.option("--dry-run", is_flag=True, help="Check every row and report; import nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the good rows and list the bad ones, instead of refusing the file.")
@click.option("--horizon", help="For rows with a vague deadline ('soon'): assume this horizon, e.g. 1y.")
@click.option("--logged-by", metavar="NAME", help="Who logs the claims [default: user.name from the config, else the OS user].")
@json_option
@pass_app
def import_(app: App, file: str, fmt, dry_run: bool, skip_invalid: bool, horizon, logged_by, as_json: bool) -> None:
    """Import claims from FILE (CSV, JSON Lines or a PredictionBook scrape); see docs/import-export.md.

    Every row is checked first; if any is bad, each is listed with its line and nothing is
    imported. Claims already in the ledger are left alone, so importing twice adds nothing.
    """
    import os

    from ledger.services.transfer import BadRows, guess_format, import_claims

    fmt = fmt or guess_format(file)
    bar = _Progress(app.env.stderr) if app.env.stderr_isatty and os.path.getsize(file) >= PROGRESS_BYTES else None
    try:
        report = import_claims(
            app.ledger, file, fmt=fmt, actor=app.actor(logged_by), dry_run=dry_run,
            skip_invalid=skip_invalid, horizon=horizon, progress=bar, today=app.today,
        )
    except BadRows as exc:
        _close(bar)
        for error in exc.errors:
            app.note(f"{file}:{error.line}: {error.message}")
        raise
    except KeyboardInterrupt:
        _close(bar)
        app.note("claims: import interrupted; the batches written are whole: rerun the same command to finish")
        raise
    _close(bar)
    for error in report.errors:
        app.note(f"{file}:{error.line}: skipped: {error.message}")
    if as_json:
        return app.json(report.as_dict())
    valid = report.rows - len(report.errors)
    if dry_run:
        bad = f"; {len(report.errors)} bad rows would be skipped" if report.errors else ""
        return app.echo(f"{file}: {valid} of {report.rows} rows are valid{bad}; nothing imported (--dry-run)")
    app.echo(
        f"Imported {file}: {report.added} claims added, {report.present} already present, "
        f"{report.speakers} speakers created, {report.sources} sources created, {report.resolutions} resolutions"
        + (f"; {len(report.errors)} bad rows skipped" if report.errors else "")
    )


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "claimreview"]), default="csv", show_default=True,
              help="Output format; claimreview: the resolved claims as one schema.org ClaimReview JSON-LD array.")
@click.option("--out", type=PathType(dir_okay=False, writable=True), help="Write to this file (whole or not at all) [default: stdout].")
@click.option("--speaker", help="Only this speaker's claims.")
@click.option("--raw", is_flag=True, help="CSV: write text cells as they are, without the ' that stops a spreadsheet running =, +, -, @.")
@click.option("--all", "everything", is_flag=True, help="Include withdrawn claims.")
@click.option("--publisher", help="claimreview: the reviewing organisation [default: [publish] publisher, else the user name].")
@click.option("--base-url", "base_url", metavar="URL", help="claimreview: where the published site lives, for each review's url [default: [publish] base_url].")
@pass_app
def export(app: App, fmt: str, out, speaker, raw: bool, everything: bool, publisher, base_url) -> None:
    """Export claims, oldest first, in the canonical format `claims import` reads back; withdrawn
    claims only with --all. --format claimreview writes the ClaimReview of each resolved claim
    instead, as `claims publish` embeds them (docs/publish.md)."""
    from ledger.services.transfer import export_claims, export_to_file

    if fmt == "claimreview":
        return _claim_reviews(app, out, speaker, publisher, base_url)

    if out:
        count = export_to_file(app.ledger, out, fmt=fmt, speaker=speaker, raw=raw, withdrawn=everything)
        app.note(f"Exported {count} claims to {out}")
    else:
        export_claims(app.ledger, app.env.stdout, fmt=fmt, speaker=speaker, raw=raw, withdrawn=everything)


def _claim_reviews(app: App, out, speaker, publisher, base_url) -> None:
    from ledger.config import publish_settings
    from ledger.domain.site import absolute, check_base_url, claim_path
    from ledger.escape import json_text
    from ledger.render.site import review_of
    from ledger.services.publish import claim_pages

    settings = publish_settings(app.config)
    base = check_base_url(base_url if base_url is not None else settings["base_url"])
    publisher = publisher or settings["publisher"] or app.actor()
    pages = claim_pages(app.ledger, (speaker,) if speaker else (), as_of=app.today)
    reviews = [r for i, page in sorted(pages.items())
               if (r := review_of(page, publisher, absolute(base, claim_path(i)) or claim_path(i))) is not None]
    document = json_text(reviews, indent=2) + "\n"
    if out:
        from ledger.files import write_text

        write_text(out, [document])
        app.note(f"Exported {len(reviews)} ClaimReviews to {out}")
    else:
        app.emit(document)


class _Progress:
    """A bar on stderr per stage: checking (bytes read), then importing (rows written)."""

    def __init__(self, stream):
        self.stream, self.bar, self.stage, self.last = stream, None, None, 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage, self.last = stage, 0
            self.bar = click.progressbar(length=total, label=stage.capitalize().ljust(9), file=self.stream)
            self.bar.__enter__()
        self.bar.update(done - self.last)
        self.last = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _close(bar: _Progress | None) -> None:
    if bar is not None:
        bar.close()
