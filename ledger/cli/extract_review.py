"""Showing candidates: a numbered list, or a review on a terminal that shows one candidate at a
time with the quote highlighted in its sentence, and asks to accept, edit or skip it."""

from __future__ import annotations

from ledger.cli.app import App
from ledger.escape import styled, terminal

_STATUS = {"new": "", "skipped": "  [skipped before]", "logged": "  [logged as claim #{claim}]"}


def _sentence(app: App, c) -> str:
    """The sentence, escaped, with the quote (or else the deadline words) picked out."""
    start, end = (c.quote_start, c.quote_end) if c.quote_start is not None else (
        (c.deadline_start, c.deadline_start + len(c.deadline.text)) if c.deadline else (None, None))
    text = c.sentence
    if start is None or not (c.sentence_start <= start and end <= c.sentence_end):
        return terminal(text)
    a, b = start - c.sentence_start, end - c.sentence_start
    marked = styled(text[a:b], bold=True, underline=True) if app.color else f"»{terminal(text[a:b])}«"
    return terminal(text[:a]) + marked + terminal(text[b:])


def show(app: App, proposal) -> None:
    c = proposal.candidate
    who = c.speaker.name + (" (known)" if c.speaker.known else " (new speaker)")
    if c.speaker.as_written != c.speaker.name:
        who += f", written {c.speaker.as_written!r}"
    app.echo(f"[{proposal.number}] {who}  score {c.score:g}"
             + _STATUS[proposal.status].format(claim=proposal.claim_id), bold=True)
    app.emit(f"    {_sentence(app, c)}\n")
    if c.deadline is None:
        deadline = "none: a prediction with no time frame"
    elif c.deadline.deadline.vague:
        deadline = f"{c.deadline.text!r}: vague (accept with --horizon 1y to assume one)"
    else:
        d = c.deadline.deadline
        deadline = f"{c.deadline.text!r} = {d.deadline} (from {d.earliest})"
    rows = [("claim", c.text), ("said", c.said.isoformat()), ("deadline", deadline)]
    if c.hedge:
        rows.append(("hedge", f"{c.hedge!r}: {c.hedge_category}, {c.probability:.0%}"))
    rows.append(("why", "; ".join(c.reasons)))
    for label, value in rows:
        app.echo(f"    {label + ':':<10}{value}")


def list_candidates(app: App, proposals) -> None:
    for proposal in proposals:
        show(app, proposal)
        app.echo("")


def _ask(app: App, prompt: str) -> str | None:
    """One line from the user (None at the end of input); the prompt goes to stderr."""
    app.env.stderr.write(prompt)
    app.env.stderr.flush()
    line = app.env.stdin.readline()
    return None if line == "" else line.strip()


def review(app: App, article, proposals, *, horizon: str | None, logged_by: str | None) -> None:
    """Each new candidate in turn: [a]ccept, [e]dit then accept, [s]kip, or [q]uit; what was
    chosen is written when the review ends (accepted claims in one transaction, skips in another)."""
    from ledger.services.extract import Edit, accept, skip

    chosen, skipped = [], []
    pending = [p for p in proposals if p.status == "new"]
    if not pending:
        app.echo(f"All {len(proposals)} candidates were reviewed before (logged or skipped); nothing new.")
        return
    for proposal in pending:
        show(app, proposal)
        while True:
            answer = _ask(app, "Accept, edit, skip or quit? [a/e/s/q] ")
            if answer is None or answer.lower() in ("q", "quit"):
                pending = []
                break
            if answer.lower() in ("a", "accept", "y", "yes"):
                chosen.append((proposal, Edit()))
                break
            if answer.lower() in ("s", "skip", "n", "no"):
                skipped.append(proposal)
                break
            if answer.lower() in ("e", "edit"):
                chosen.append((proposal, _edit(app, proposal.candidate)))
                break
            app.note("Answer a (accept), e (edit), s (skip) or q (quit).")
        app.echo("")
        if not pending:
            break
    actor = app.actor(logged_by)
    if chosen:
        notes: list[str] = []
        for item in accept(app.ledger, article, chosen, actor, app.today, horizon, notes):
            if item["added"]:
                v = item["view"]
                app.echo(f"Logged claim #{item['claim']}: {v['speaker']}: {v['text']} (deadline {v['deadline']})")
            else:
                app.echo(f"Candidate {item['number']} is already claim #{item['claim']}: nothing added.")
        for note in notes:
            app.note(f"note: {note}")
    if skipped:
        skip(app.ledger, article, skipped, actor, app.today)
        app.echo(f"Skipped {len(skipped)}: a rerun on this source shows them as skipped.")
    if not chosen and not skipped:
        app.echo("Nothing written.")


def _edit(app: App, c):
    """Ask for each field, the proposal as the default: an empty answer keeps it."""
    from ledger.services.extract import Edit

    def field(label: str, current: str | None) -> str | None:
        answer = _ask(app, f"  {label} [{terminal(current or '')}]: ")
        return answer or None

    return Edit(
        text=field("claim text", c.text), speaker=field("speaker", c.speaker.known or c.speaker.name),
        deadline=field("deadline", c.deadline.text if c.deadline else None), quote=field("quote", c.quote),
    )
