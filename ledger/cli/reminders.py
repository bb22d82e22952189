"""`claims due`, `reviewer`, `assign`, `scheduler`, `reminders`, `calendar`: lapsed deadlines and reminders."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from ledger.cli.app import App, cli, pass_app
from ledger.escape import log_line
from ledger.cli.options import DATE, ID, PathType, json_option


@cli.command()
@click.option("--as-of", type=DATE, help="Count as if today were DATE [default: today].")
@click.option("--all", "everything", is_flag=True, help="Include withdrawn claims.")
@json_option
@pass_app
def due(app: App, as_of, everything: bool, as_json: bool) -> None:
    """Claims whose deadline has passed and that await a verdict, oldest deadline first."""
    from ledger.render.table import table
    from ledger.services.reminders import due_claims

    views = due_claims(app.ledger, as_of or app.today, withdrawn=everything)
    if as_json:
        return app.json(views)
    if not views:
        return app.note("Nothing is overdue.")
    rows = [(v["id"], v["deadline"], v["days_overdue"], v["speaker"], v["text"], v["status"]) for v in views]
    app.echo(table(["ID", "DEADLINE", "DAYS OVERDUE", "SPEAKER", "CLAIM", "STATUS"], rows, color=app.color, max_width=50))
    app.note("Close one with: claims resolve ID --outcome true|false|partial|ambiguous --evidence URL")


@cli.group()
def reviewer() -> None:
    """People who judge claims and are reminded of lapsed ones."""


@reviewer.command("add")
@click.argument("name")
@click.option("--email", help="Where reminders by email go.")
@json_option
@pass_app
def reviewer_add(app: App, name: str, email: str | None, as_json: bool) -> None:
    """Add a reviewer, e.g. claims reviewer add "Ada Reviewer" --email ada@example.org."""
    from ledger.services.reminders import add_reviewer

    view = add_reviewer(app.ledger, name, email, app.actor())
    if as_json:
        return app.json(view)
    app.echo(f"Added reviewer #{view['id']}: {view['name']}" + (f" <{view['email']}>" if view["email"] else ""))


@reviewer.command("list")
@json_option
@pass_app
def reviewer_list(app: App, as_json: bool) -> None:
    """List reviewers with the number of claims assigned to each."""
    from ledger.render.table import table
    from ledger.services.reminders import list_reviewers

    views = list_reviewers(app.ledger)
    if as_json:
        return app.json(views)
    if not views:
        return app.note('No reviewers yet: claims reviewer add "Ada Reviewer" --email ada@example.org')
    app.echo(table(["ID", "NAME", "EMAIL", "CLAIMS"], [(v["id"], v["name"], v["email"], v["claims"]) for v in views], color=app.color))


@reviewer.command("remove")
@click.argument("name")
@json_option
@pass_app
def reviewer_remove(app: App, name: str, as_json: bool) -> None:
    """Remove a reviewer and their assignments; the resolutions they recorded stay, under their name."""
    from ledger.services.reminders import remove_reviewer

    view = remove_reviewer(app.ledger, name, app.actor())
    if as_json:
        return app.json(view)
    app.echo(f"Removed reviewer #{view['id']}: {view['name']}")


@cli.command()
@click.argument("claim_id", type=ID, metavar="ID")
@click.argument("name")
@json_option
@pass_app
def assign(app: App, claim_id: int, name: str, as_json: bool) -> None:
    """Assign a reviewer to a claim: they get its reminders instead of the default recipients."""
    from ledger.services.reminders import assign as assign_reviewer

    view = assign_reviewer(app.ledger, claim_id, name, app.actor())
    if as_json:
        return app.json(view)
    app.echo(f"Claim #{view['claim_id']} is assigned to {view['reviewer']}")


class _OneLine(logging.Formatter):
    """Each record's message escaped as one line: it quotes mail and chat servers' answers."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return log_line(super().formatMessage(record))


@cli.group()
def scheduler() -> None:
    """The reminder scheduler: flag lapsed claims and deliver reminders."""


@scheduler.command("run")
@click.option("--once", is_flag=True, help="Scan and deliver once, then exit (for cron and systemd timers).")
@pass_app
def scheduler_run(app: App, once: bool) -> None:
    """Flag lapsed claims and send reminders until stopped (SIGTERM or Ctrl-C finish the digest in flight)."""
    from ledger.config import reminder_settings
    from ledger.jobs.scheduler import Scheduler
    from ledger.services.channels import open_senders

    settings = reminder_settings(app.config)
    senders = open_senders(settings.channels, app.env.environ)  # a missing password variable fails here, at start
    handler = logging.StreamHandler(app.env.stderr)
    handler.setFormatter(_OneLine("%(asctime)s %(levelname)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    if once:  # one run, on the environment's day; a long-running scheduler follows the clock
        runner = Scheduler(app.ledger, settings, senders, today=lambda: app.today)
        runner.run_once()
    else:
        Scheduler(app.ledger, settings, senders).run_forever()


@cli.group()
def reminders() -> None:
    """The reminder outbox: what was sent, what waits, what failed."""


@reminders.command("list")
@click.option("--failed", is_flag=True, help="Only reminders whose delivery failed, with the whole error: failed (retried) or parked (tried scheduler.max_attempts times).")
@json_option
@pass_app
def reminders_list(app: App, failed: bool, as_json: bool) -> None:
    """List reminders in the outbox, oldest first."""
    from ledger.render.table import table
    from ledger.services.reminders import list_reminders

    views = list_reminders(app.ledger, failed=failed)
    if as_json:
        return app.json(views)
    if not views:
        return app.note("No failed reminders." if failed else "No reminders yet.")
    rows = [
        (v["id"], v["claim_id"], v["number"], v["channel"], v["recipient"], v["status"], v["attempts"],
         v["sent_at"] or v["next_attempt_at"], v["last_error"])
        for v in views
    ]
    # Failed rows are listed to be fixed, so their error is shown whole: the reason is at its end.
    app.echo(table(["ID", "CLAIM", "NO.", "CHANNEL", "RECIPIENT", "STATUS", "TRIES", "SENT / NEXT TRY", "LAST ERROR"], rows, color=app.color, max_width=400 if failed else 60))


@cli.command()
@click.option("--out", "out", type=PathType(dir_okay=False, path_type=Path), help="Write to FILE [default: stdout].")
@click.option("--all", "everything", is_flag=True, help="Include withdrawn claims.")
@pass_app
def calendar(app: App, out: Path | None, everything: bool) -> None:
    """Unresolved claims' deadlines as an iCalendar file, e.g. claims calendar --out deadlines.ics."""
    from ledger.files import write_text
    from ledger.render.ical import calendar as render
    from ledger.services.reminders import calendar_claims

    identity, claims = calendar_claims(app.ledger, app.today, withdrawn=everything)
    text = render(claims, identity)
    if out is None:
        return app.emit(text)
    write_text(out, [text])
    app.note(f"Wrote {len(claims)} deadline(s) to {out}")
