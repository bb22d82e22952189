"""`claims resolve`, `history`, `disputes`, `verify`: recording outcomes and proving the ledger intact."""

from __future__ import annotations

import click

from ledger.cli.app import App, cli, pass_app
from ledger.cli.options import DATE, ID, json_option

from ledger.domain.vocab import Outcome, values


def _rules(app: App):
    from ledger.services.review import review_rules

    return review_rules(app.config)


@cli.command()
@click.argument("claim_id", type=ID, metavar="ID")
# A plain string, not click.Choice: the service refuses a bad outcome in one line, like every other value.
@click.option("--outcome", required=True, metavar="|".join(values(Outcome)), help="true: it happened; false: it did not; partial; ambiguous: cannot be judged.")
@click.option("--occurred", type=DATE, help="When a true or partial outcome happened (after the deadline means late).")
@click.option("--evidence", "evidence", multiple=True, metavar="URL", help="A page that shows the outcome (repeatable).")
@click.option("--note", help="The reviewer's note on the outcome.")
@click.option("--reviewer", metavar="NAME", help="Who judges [default: user.name from the config, else the OS user].")
@click.option("--amend", is_flag=True, help="Replace a verdict (or your own earlier vote); needs --reason. History keeps both.")
@click.option("--reason", help="Why the amendment supersedes the earlier resolution.")
@click.option("--expect-version", type=int, metavar="N", help="Refuse if the claim is no longer at version N (as `claims show` printed it).")
@json_option
@pass_app
def resolve(app: App, claim_id: int, outcome, occurred, evidence, note, reviewer, amend, reason, expect_version, as_json) -> None:
    """Record a reviewer's outcome for a claim, with evidence; e.g.
    claims resolve 3 --outcome false --evidence https://... --note "..."."""
    from ledger.domain.review import check_reviewer
    from ledger.services.review import resolve as resolve_claim

    if reviewer is not None:  # given, but blank: never silently the OS user
        reviewer = check_reviewer(reviewer)
    rules = _rules(app)
    view = resolve_claim(
        app.ledger, claim_id, expected_version=expect_version, outcome=outcome, occurred=occurred,
        evidence=evidence, note=note, reason=reason, amend=amend, reviewer=app.actor(reviewer),
        quorum=rules.quorum, independent=rules.independent, today=app.today,
    )
    if as_json:
        return app.json(view)
    c, r, votes = view["claim"], view["resolution"], view["review"]
    verb = "Amended" if r["supersedes"] else "Recorded"
    app.echo(f"{verb}: claim #{c['id']} {r['outcome']} by {r['reviewer']} (resolution #{r['id']}).")
    app.echo(f"  Claim #{c['id']} is now {_state(c, votes)}.")


def _state(claim: dict, review: dict) -> str:
    if claim["status"] == "resolved":
        when = f", occurred {claim['occurred']}" if claim["occurred"] else ""
        late = f" (late: the deadline was {claim['deadline']})" if claim["late"] else ""
        return f"resolved: {claim['outcome']}{when}{late}"
    if claim["status"] == "disputed":
        return f"disputed ({_votes(review)}); see `claims disputes`"
    if review["needs_independent"]:
        return f"{claim['status']}, awaiting a reviewer other than {claim['logged_by']} (review.independent)"
    n = review["awaiting"]
    return f"{claim['status']}, awaiting {n} more agreeing review{'s' if n != 1 else ''} (quorum {review['quorum']})"


def _votes(review: dict) -> str:
    return "; ".join(
        f"{v['reviewer']}: {v['outcome']}" + (f" on {v['occurred']}" if v["occurred"] else "") for v in review["votes"]
    )


@cli.command()
@click.argument("claim_id", type=ID, metavar="ID")
@json_option
@pass_app
def history(app: App, claim_id: int, as_json: bool) -> None:
    """Every change to a claim and every resolution of it, with reviewer, time, evidence and reason."""
    from ledger.services.review import history as claim_history

    view = claim_history(app.ledger, claim_id, _rules(app))
    if as_json:
        return app.json(view)
    c = view["claim"]
    app.echo(f"Claim #{c['id']}: {c['speaker']}: {c['text']}", bold=True)
    app.echo(f"  said {c['said']}, deadline {c['deadline']}; {_state(c, view['review'])}")
    for e in view["events"]:
        app.echo(f"#{e['seq']}  {e['at']}  {e['action']}  by {e['actor']}")
        if "resolution" in e:
            r = e["resolution"]
            head = f"    resolution #{r['id']}: {r['outcome']}" + (f", occurred {r['occurred']}" if r["occurred"] else "")
            head += f", reviewer {r['reviewer']}, round {r['round']}"
            app.echo(head + (f", supersedes #{r['supersedes']}" if r["supersedes"] else ""))
            for url in r["evidence"]:
                app.echo(f"    evidence: {url}")
            for label in ("reason", "note"):
                if r[label]:
                    app.echo(f"    {label}: {r[label]}")
        elif "change" in e:
            app.echo(f"    reason: {e['change']['reason']}")
        else:
            for field, change in e["changes"].items():
                app.echo(f"    {field}: {_short(change['from'])} -> {_short(change['to'])}")


def _short(value) -> str:
    text = "-" if value is None else str(value)
    return text if len(text) <= 60 else text[:59] + "…"


@cli.command()
@json_option
@pass_app
def disputes(app: App, as_json: bool) -> None:
    """Claims whose reviewers disagree, with each reviewer's vote; a further review settles them."""
    from ledger.render.table import table
    from ledger.services.review import disputes as list_disputes

    views = list_disputes(app.ledger, _rules(app))
    if as_json:
        return app.json(views)
    if not views:
        return app.note("No disputed claims.")
    rows = [(v["id"], v["speaker"], v["text"], v["deadline"], _votes(v["review"])) for v in views]
    app.echo(table(["ID", "SPEAKER", "CLAIM", "DEADLINE", "VOTES"], rows, color=app.color, max_width=50))
    app.note(f"Settle one with `claims resolve ID --outcome ...`: the first verdict with {views[0]['review']['quorum']} agreeing reviewers wins.")


@cli.command()
@click.option("--head", metavar="SEQ:HASH", help="A head published earlier (SEQ:HASH or HASH): the journal must still contain it.")
@json_option
@pass_app
def verify(app: App, head: str | None, as_json: bool) -> None:
    """Recompute the journal's hash chain and check every row against it; print the head to publish."""
    from ledger.errors import Tampered
    from ledger.services.integrity import verify as verify_ledger

    report = verify_ledger(app.ledger, head)
    if as_json:
        app.json(report)
    if report["problems"]:
        first = report["problems"][0]
        more = len(report["problems"]) - 1
        raise Tampered(f"{first['message']}" + (f" (and {more} more problem{'s' if more != 1 else ''})" if more else ""))
    if not as_json:
        h = report["head"]
        app.echo(f"Intact: {report['entries']} journal entries, {report['rows']} rows match.")
        app.echo(f"Head: {h['seq']}:{h['hash']}" if h else "Head: empty journal")
        if report["checked_head"] is not None:
            _print_appended(app, report)


APPENDED_SHOWN = 20


def _print_appended(app: App, report: dict) -> None:
    """A valid chain proves nothing about entries added after the published head: list them, so the
    publisher can read through what changed since."""
    from ledger.render.table import table

    count, entries = report["appended_count"], report["appended"]
    if not count:
        app.echo("Nothing was appended since the published head.")
        return
    app.echo(f"Appended since the published head: {count} entr{'y' if count == 1 else 'ies'} (who, when, what):")
    rows = [(f"#{e['seq']}", e["at"], e["actor"], e["action"], f"{e['entity']} #{e['id']}") for e in entries[:APPENDED_SHOWN]]
    app.echo(table(["SEQ", "AT", "ACTOR", "ACTION", "ROW"], rows, color=app.color))
    if count > APPENDED_SHOWN:
        app.echo(f"... and {count - APPENDED_SHOWN} more (`claims verify --head ... --json` lists the first {len(entries)}).")
