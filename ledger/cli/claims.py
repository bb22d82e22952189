"""`claims add`, `list`, `show`, `edit`, `withdraw`, `restore` and `deadline`."""

from __future__ import annotations

import click

from ledger.cli.app import App, cli, pass_app
from ledger.cli.options import COUNT, DATE, ID, json_option
from ledger.domain.vocab import ClaimStatus, Outcome, values


@cli.command()
@click.argument("text")
@click.option("--speaker", required=True, help="Who said it (name or alias).")
@click.option("--said", type=DATE, help="When it was said [default: the source's published date].")
@click.option("--deadline", required=True, help="The deadline as said: a date or words like 'later this year'.")
@click.option("--quote", help="The speaker's words, verbatim.")
@click.option("--source", help="Source URL or id (add it first with `claims source add`).")
@click.option("--probability", help="A probability the speaker stated: 0.7 or 70%.")
@click.option("--confidence", help="The speaker's hedge words, verbatim, e.g. 'likely'.")
@click.option("--event", help="The event it forecasts, e.g. '2022 Georgia governor': a speaker's claims on one event are one unit in reports.")
@click.option("--tag", "tags", multiple=True, help="Topic tag (repeatable).")
@click.option("--horizon", help="For a vague deadline ('soon'): assume this horizon, e.g. 1y, 18m, 6w.")
@click.option("--restates", type=ID, metavar="ID", help="An earlier claim this one restates (e.g. the same promise moved).")
@click.option("--new-speaker", is_flag=True, help="Create the speaker if unknown, even if the name looks like another's.")
@click.option("--logged-by", metavar="NAME", help="Who logs it [default: user.name from the config, else the OS user].")
@json_option
@pass_app
def add(app: App, text, speaker, said, deadline, quote, source, probability, confidence, event, tags, horizon, restates, new_speaker, logged_by, as_json) -> None:
    """Log a claim: what was predicted, by whom, when, and by when."""
    from ledger.domain.claims import ClaimDraft
    from ledger.domain.text import check_actor
    from ledger.services.claims import add_claim

    draft = ClaimDraft(
        text=text, speaker=speaker, deadline=deadline, said=said, quote=quote, source=source,
        probability=probability, confidence=confidence, event=event, tags=tuple(tags), horizon=horizon,
        restates=restates, new_speaker=new_speaker,
    )
    if logged_by is not None:  # given, but blank: never silently the OS user
        logged_by = check_actor(logged_by)
    notes: list[str] = []
    view = add_claim(app.ledger, draft, app.actor(logged_by), today=app.today, notes=notes)
    for note in notes:
        app.note(f"note: {note}")
    if as_json:
        return app.json(view)
    assumed = " (assumed horizon)" if view["deadline_assumed"] else ""
    app.echo(f"Logged claim #{view['id']}: {view['speaker']}: {view['text']}")
    app.echo(f"  said {view['said']}, deadline {view['deadline']} ({view['deadline_text']}){assumed}")


@cli.command("list")
@click.option("--speaker", help="Only this speaker's claims.")
@click.option("--tag", help="Only claims with this tag.")
@click.option("--status", type=click.Choice(values(ClaimStatus)), help="Only claims in this state (due: the deadline has passed).")
@click.option("--outcome", type=click.Choice(values(Outcome)), help="Only claims with this verdict.")
@click.option("--said-since", type=DATE, metavar="DATE", help="Only claims said on or after DATE.")
@click.option("--said-until", type=DATE, metavar="DATE", help="Only claims said on or before DATE.")
@click.option("--deadline-after", type=DATE, metavar="DATE", help="Only claims whose deadline is after DATE.")
@click.option("--deadline-before", type=DATE, metavar="DATE", help="Only claims whose deadline is before DATE.")
@click.option("--source", metavar="URL|ID", help="Only claims from this source.")
@click.option("--sort", type=click.Choice(["id", "said", "deadline"]), default="id", show_default=True, help="Order of the list.")
@click.option("--all", "everything", is_flag=True, help="Include withdrawn claims.")
@click.option("--limit", type=COUNT, help="At most this many.")
@json_option
@pass_app
def list_(app: App, speaker, tag, status, outcome, said_since, said_until, deadline_after, deadline_before, source, sort, everything, limit, as_json) -> None:
    """List claims, oldest first (or by --sort); withdrawn claims only with --all."""
    import itertools

    from ledger.render.table import table_lines
    from ledger.services.reading import stream_claims

    views = stream_claims(
        app.ledger, speaker=speaker, tag=tag, status=status, limit=limit, outcome=outcome, said_since=said_since,
        said_until=said_until, deadline_after=deadline_after, deadline_before=deadline_before, source=source,
        sort=sort, withdrawn=everything, brief=not as_json, today=app.today,
    )
    if as_json:
        return app.json_array(views)
    first = next(views, None)
    if first is None:
        return app.note("No claims match.")
    rows = (
        (v["id"], v["said"], v["speaker"], v["text"], v["deadline"], v["status"] + (" (withdrawn)" if v["withdrawn"] else ""),
         v["outcome"] or "", ",".join(v["tags"]))
        for v in itertools.chain([first], views)
    )
    app.page(table_lines(["ID", "SAID", "SPEAKER", "CLAIM", "DEADLINE", "STATUS", "OUTCOME", "TAGS"], rows, color=app.color, max_width=50))


@cli.command()
@click.argument("claim_id", type=ID, metavar="ID")
@json_option
@pass_app
def show(app: App, claim_id: int, as_json: bool) -> None:
    """Everything known about one claim: its verdict, its edits, the version `edit --if-version` takes."""
    from ledger.services.reading import show_claim

    v = show_claim(app.ledger, claim_id, today=app.today)
    if as_json:
        return app.json(v)
    _print_claim(app, v)


def _print_claim(app: App, v: dict) -> None:
    from ledger.render.table import fields

    src = v["source"]
    deadline = f"{v['deadline']}  ({v['deadline_text']!r}: {v['deadline_granularity']}, from {v['deadline_earliest']}"
    deadline += f", strictly before {v['deadline_strict']}" if v["deadline_strict"] else ""
    deadline += ", assumed horizon)" if v["deadline_assumed"] else ")"
    pairs = [
        ("Claim", f"#{v['id']} {v['text']}"),
        ("Speaker", v["speaker"]),
        ("Quote", f"\u201c{v['quote']}\u201d" if v["quote"] else None),
        ("Said", v["said"]),
        ("Deadline", deadline),
        ("Status", v["status"] + (f" (withdrawn {v['withdrawn_at'][:10]}: {v['withdrawn_reason']})" if v["withdrawn"] else "")),
        ("Outcome", (v["outcome"] + (f", occurred {v['occurred']}" if v["occurred"] else "")) if v["outcome"] else None),
        ("Reviewers", ", ".join(v["reviewers"])),
        ("Evidence", ", ".join(v["evidence"])),
        ("Note", v["note"]),
        ("Probability", f"{v['probability']:.0%}" if v["probability"] is not None else None),
        ("Confidence", v["confidence"]),
        ("Event", v["event"]),
        ("Tags", ", ".join(v["tags"])),
        ("Source", " | ".join(str(x) for x in (src["url"], src["title"], src["publisher"], src["published"]) if x) if src else None),
        ("Restates", f"#{v['restates']}" if v["restates"] else None),
        ("Restated by", ", ".join(f"#{i}" for i in v["restated_by"]) or None),
        ("Logged", f"{v['logged_at']} by {v['logged_by']}"),
        ("Edited", _edits(v["edits"])),
        ("Version", str(v["version"])),
    ]
    app.echo(fields([(k, val) for k, val in pairs if val not in (None, "")], color=app.color))


def _edits(edits: list[dict]) -> str | None:
    if not edits:
        return None
    last = edits[-1]
    times = f"{len(edits)} times, last" if len(edits) > 1 else "once,"
    after = " after its verdict" if any(e["after_verdict"] for e in edits) else ""
    return f"{times} {last['at'][:10]} by {last['actor']}{after} ({', '.join(last['fields'])}): {last['reason']} (see `claims history`)"


@cli.command()
@click.argument("claim_id", type=ID, metavar="ID")
@click.option("--text", help="The claim's new text.")
@click.option("--quote", help="The speaker's words, verbatim (\"\" clears it).")
@click.option("--said", type=DATE, help="When it was said (the deadline's words are read again from that day).")
@click.option("--deadline", help="The deadline as said: a date or words like 'later this year'.")
@click.option("--horizon", help="For a vague deadline ('soon'): assume this horizon, e.g. 1y.")
@click.option("--probability", help="A probability the speaker stated: 0.7 or 70% (\"\" clears it).")
@click.option("--confidence", help="The speaker's hedge words, verbatim (\"\" clears them).")
@click.option("--event", help="The event it forecasts, e.g. '2022 Georgia governor' (\"\" clears it).")
@click.option("--tag", "tags", multiple=True, help="Add this tag (repeatable).")
@click.option("--untag", "untags", multiple=True, help="Remove this tag (repeatable).")
@click.option("--source", metavar="URL|ID", help="The claim's source (\"\" clears it).")
@click.option("--restates", type=ID, metavar="ID", help="An earlier claim this one restates.")
@click.option("--reason", required=True, help="Why it changes: kept in the claim's history.")
@click.option("--if-version", type=int, metavar="N", help="Refuse (exit 4) unless the claim is still at version N, as `claims show` printed it.")
@click.option("--by", "actor", metavar="NAME", help="Who edits [default: user.name from the config, else the OS user].")
@json_option
@pass_app
def edit(app: App, claim_id: int, text, quote, said, deadline, horizon, probability, confidence, event, tags, untags, source, restates, reason, if_version, actor, as_json) -> None:
    """Correct a claim: every check of `claims add` applies; history keeps the fields before and after."""
    from ledger.domain.text import check_actor
    from ledger.services.edits import ClaimEdit, edit_claim

    if actor is not None:
        actor = check_actor(actor)
    change = ClaimEdit(
        reason=reason, text=text, quote=quote, said=said, deadline=deadline, horizon=horizon, probability=probability,
        confidence=confidence, event=event, tags=tuple(tags), untags=tuple(untags), source=source, restates=restates,
    )
    v = edit_claim(app.ledger, claim_id, change, app.actor(actor), today=app.today, expected_version=if_version)
    if as_json:
        return app.json(v)
    last = v["edits"][-1]
    app.echo(f"Edited claim #{v['id']} (now version {v['version']}): {', '.join(last['fields'])}.")
    app.echo(f"  status {v['status']}, deadline {v['deadline']} ({v['deadline_text']})")


def _withdrawal(command):
    command = click.option("--by", "actor", metavar="NAME", help="Who acts [default: user.name from the config, else the OS user].")(command)
    command = click.option("--reason", required=True, help="Why: kept in the claim's history.")(command)
    return click.argument("claim_id", type=ID, metavar="ID")(command)


@cli.command()
@_withdrawal
@json_option
@pass_app
def withdraw(app: App, claim_id: int, reason: str, actor, as_json: bool) -> None:
    """Take a claim back (logged twice, or by mistake): kept in `show` and `history`, left out of
    lists, due, reminders, calendars, reports and exports unless --all."""
    from ledger.domain.text import check_actor
    from ledger.services.edits import withdraw_claim

    v = withdraw_claim(app.ledger, claim_id, reason, app.actor(check_actor(actor) if actor is not None else None), today=app.today)
    if as_json:
        return app.json(v)
    app.echo(f"Withdrew claim #{v['id']}: {v['text']}")


@cli.command()
@_withdrawal
@json_option
@pass_app
def restore(app: App, claim_id: int, reason: str, actor, as_json: bool) -> None:
    """Undo a withdrawal: the claim is back in lists, reports and reminders."""
    from ledger.domain.text import check_actor
    from ledger.services.edits import restore_claim

    v = restore_claim(app.ledger, claim_id, reason, app.actor(check_actor(actor) if actor is not None else None), today=app.today)
    if as_json:
        return app.json(v)
    app.echo(f"Restored claim #{v['id']}: {v['text']}")


@cli.command()
@click.argument("query")
@click.option("--speaker", help="Only this speaker's claims.")
@click.option("--status", type=click.Choice(values(ClaimStatus)), help="Only claims in this state.")
@click.option("--tag", help="Only claims with this tag.")
@click.option("--limit", type=COUNT, default=20, show_default=True, help="At most this many, most relevant first.")
@click.option("--all", "everything", is_flag=True, help="Include withdrawn claims.")
@json_option
@pass_app
def search(app: App, query: str, speaker, status, tag, limit, everything, as_json) -> None:
    """Find claims by their words, quote, speaker's names or source: words, "a phrase", OR, -word;
    e.g. claims search 'robotaxi OR "full self-driving" -mars'."""
    from ledger.render.search import results
    from ledger.services.search import search_claims

    view = search_claims(app.ledger, query, speaker=speaker, status=status, tag=tag, limit=limit, withdrawn=everything, today=app.today)
    if as_json:
        return app.json(view)
    if not view["claims"]:
        return app.note("No claims match.")
    app.page(results(view, color=app.color))


@cli.command()
@click.argument("expression")
@click.option("--said", type=DATE, help="When the words were said [default: today].")
@click.option("--horizon", help="For a vague expression: assume this horizon, e.g. 1y.")
@json_option
@pass_app
def deadline(app: App, expression: str, said, horizon, as_json: bool) -> None:
    """Show what a deadline expression means, e.g. claims deadline "by mid-2025" --said 2023-07-06."""
    from ledger.domain.deadlines import assume_horizon, normalise
    from ledger.render.table import fields

    result = normalise(expression, said or app.today)
    if result.vague and horizon:
        result = assume_horizon(result, horizon)
    d = result.as_dict()
    if as_json:
        return app.json(d)
    pairs = [("Expression", d["expression"]), ("Said", d["said"])]
    if d["vague"]:
        pairs.append(("Deadline", "none: vague (give a date, or --horizon to assume one)"))
    else:
        pairs += [("Earliest", d["earliest"]), ("Deadline", d["deadline"])]
        if d["strict_deadline"]:
            pairs.append(("Strictly", f"{d['strict_deadline']} (if 'by' means before it begins)"))
    pairs += [("Granularity", d["granularity"]), ("TIMEX", d["timex"])]
    if d.get("assumed"):
        pairs.append(("Assumed", "yes: the date comes from --horizon"))
    app.echo(fields(pairs, color=app.color))
