"""The steps of `claims demo`: each one calls the same services the commands use, and says what
it does, so a new user sees the whole job on the seed data in one run."""

from __future__ import annotations

from pathlib import Path

from ledger.cli.app import App
from ledger.render.table import fields, table

WAIC_SAID = "2023-07-06"


def run(app: App, path: Path) -> None:
    from ledger.services.claims import list_claims, show_claim
    from ledger.services.seeds import load_seeds
    from ledger.store.engine import open_ledger

    ledger = open_ledger(str(path))
    try:
        actor = "claims demo"
        step = _Steps(app)
        step(f"A new ledger at {path} (SQLite, schema created by the migrations).")

        report = load_seeds(ledger, None, actor)
        step(
            f"Loaded the seeds: {len(report.claims_added)} dated predictions by one speaker, with their sources "
            "and the article this project started from."
        )
        claims = list_claims(ledger)
        app.echo(table(["ID", "SAID", "CLAIM", "DEADLINE (AS SAID)"], [(c["id"], c["said"], c["text"], f"{c['deadline']} ({c['deadline_text']})") for c in claims], color=app.color, max_width=56))

        waic = next(c for c in claims if c["said"] == WAIC_SAID)
        step(f"The claim from the 2023 World AI Conference, its vague deadline normalised to a date:")
        v = show_claim(ledger, waic["id"])
        app.echo(
            fields(
                [
                    ("Claim", f"#{v['id']} {v['text']}"),
                    ("Quote", f"\u201c{v['quote']}\u201d"),
                    ("Said", v["said"]),
                    ("Deadline", f"{v['deadline']} ({v['deadline_text']!r}, {v['deadline_granularity']} granularity, TIMEX {v['deadline_timex']})"),
                    ("Confidence", v["confidence"]),
                    ("Source", v["source"]["url"] if v["source"] else None),
                ],
                color=app.color,
            )
        )
        step("Done. Log your own with `claims speaker add`, `claims source add` and `claims add` (see the README).")
    finally:
        ledger.dispose()


class _Steps:
    def __init__(self, app: App):
        self.app, self.n = app, 0

    def __call__(self, text: str) -> None:
        self.n += 1
        self.app.echo("")
        self.app.echo(f"[{self.n}] {text}", bold=True)
