"""The steps of `claims demo`: each one calls the same services the commands use, and says what
it does, so a new user sees the whole job on the seed data in one run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ledger.cli.app import App
from ledger.render.table import fields, table

WAIC_SAID = "2023-07-06"
SPEAKER = "Elon Musk"
REVIEWER = "Demo Reviewer"
WAIC_NOTE = "FSD was still classed as level 2 (supervised) in January 2024"


def run(app: App, path: Path, report_path: Path, site_path: Path = Path("claims-demo-site")) -> None:
    from ledger.store.engine import open_ledger

    ledger = open_ledger(str(path))
    try:
        _tour(app, ledger, path, report_path, _Steps(app), site_path)
    finally:
        ledger.dispose()


def _tour(app: App, ledger, path: Path, report_path: Path, step, site_path: Path = Path("claims-demo-site")) -> None:
    from ledger.services.claims import list_claims, show_claim
    from ledger.services.integrity import verify
    from ledger.services.reminders import due_claims, flag_lapsed, preview_digest
    from ledger.services.review import history, resolve
    from ledger.services.seeds import load_seeds

    actor, today = "claims demo", app.today
    step(f"A new ledger at {path} (SQLite; the schema comes from the migrations).")

    _extract(app, ledger, actor, today, step)
    report = load_seeds(ledger, None, actor, today=today, outcomes=False)
    step(f"Logged the other seeds: {len(report.claims_added)} more dated predictions by {SPEAKER}, with their "
         "sources. Each vague deadline became a date:")
    claims = list_claims(ledger, today=today)
    app.echo(table(["ID", "SAID", "CLAIM", "DEADLINE (AS SAID)"],
                   [(c["id"], c["said"], c["text"], f"{c['deadline']} ({c['deadline_text']})") for c in claims],
                   color=app.color, max_width=56))

    waic = next(c for c in claims if c["said"] == WAIC_SAID)
    v = show_claim(ledger, waic["id"], today=today)
    step("The claim from the 2023 World AI Conference:")
    app.echo(fields([
        ("Claim", f"#{v['id']} {v['text']}"),
        ("Quote", f"\u201c{v['quote']}\u201d"),
        ("Said", v["said"]),
        ("Deadline", f"{v['deadline']} ({v['deadline_text']!r}: {v['deadline_granularity']}, TIMEX {v['deadline_timex']})"),
        ("Confidence", v["confidence"]),
        ("Source", v["source"]["url"] if v["source"] else None),
    ], color=app.color))

    flagged = flag_lapsed(ledger, today)
    step(f"The scheduler's scan (as of {today}): {len(flagged)} claims are past their deadline and now due for review:")
    due = due_claims(ledger, today)
    app.echo(table(["ID", "DEADLINE", "DAYS OVERDUE", "CLAIM"],
                   [(d["id"], d["deadline"], d["days_overdue"], d["text"]) for d in due], color=app.color, max_width=56))
    step("The reminder digest reviewers get (by email, webhook or log, every 7 days until resolved):")
    app.echo("\n".join(f"  | {line}" for line in preview_digest(ledger, today).splitlines()))

    evidence = [v["source"]["url"]]  # the seed's evidence: the report of the claim and its aftermath
    resolved = resolve(ledger, waic["id"], outcome="false", reviewer=REVIEWER, evidence=evidence, note=WAIC_NOTE, actor=REVIEWER, today=today)
    step(f"{REVIEWER} resolves claim #{waic['id']} as {resolved['claim']['outcome']}, with evidence; the other seed "
         "claims get the outcomes judged from public reporting:")
    rest = load_seeds(ledger, None, actor, today=today)
    app.echo(f"  {rest.resolutions_added + 1} outcomes recorded; history of claim #{waic['id']}:")
    for event in history(ledger, waic["id"])["events"]:
        detail = ""
        if "resolution" in event:
            r = event["resolution"]
            detail = f"{r['outcome']} by {r['reviewer']}, evidence {', '.join(r['evidence'])}"
        elif event["changes"]:
            detail = ", ".join(f"{k}: {c['from']} -> {c['to']}" for k, c in event["changes"].items() if k in ("status", "outcome"))
        app.echo(f"  #{event['seq']:<3} {event['at'][:19]}  {event['action']:<20} {detail}")

    check = verify(ledger)
    head = check["head"]
    step(f"`claims verify`: the journal's {check['entries']} entries chain intact and every row matches them. "
         f"Publish the head to prove later that nothing was rewritten: {head['seq']}:{head['hash']}")

    _report(app, ledger, report_path, today, step)
    _publish(app, ledger, site_path, step)
    step("Done. Start your own ledger with `claims speaker add`, `claims source add` and `claims add` (see the README).")


def _extract(app: App, ledger, actor: str, today: date, step) -> None:
    """The article the project started from, read by `claims extract` (rules mode), and its one
    candidate accepted in the words the seeds give the claim."""
    import csv

    from ledger.cli.extract_review import show
    from ledger.domain.dates import parse_date
    from ledger.domain.extract.article import Article
    from ledger.services.extract import Edit, accept, propose
    from ledger.services.seeds import packaged_seeds

    folder = packaged_seeds()
    with (folder / "sources.csv").open(encoding="utf-8", newline="") as f:
        source = next(r for r in csv.DictReader(f) if r["published"] == WAIC_SAID)
    with (folder / "claims.csv").open(encoding="utf-8", newline="") as f:
        seed = next(r for r in csv.DictReader(f) if r["said"] == WAIC_SAID)
    article = Article(text=(folder / source["text_file"]).read_text(encoding="utf-8"), url=source["url"],
                      title=source["title"], publisher=source["publisher"] or None,
                      published=parse_date(source["published"]))
    proposals, _ = propose(ledger, article, article.published)
    step(f"`claims extract` reads the article this project started from ({source['text_file']}, rules mode) and "
         f"proposes {len(proposals)} candidate:")
    for proposal in proposals:
        show(app, proposal)
    done = accept(ledger, article, [(proposals[0], Edit(text=seed["text"]))], actor, today)
    step(f"Accepted candidate 1 as claim #{done[0]['claim']}, edited to the seeds' wording ({seed['text']!r}); the "
         "speaker, quote, date said, deadline and hedge are as extracted, and the article is stored with its hash.")


def _report(app: App, ledger, report_path: Path, today: date, step) -> None:
    from ledger.render.html import write_html
    from ledger.render.report import as_table
    from ledger.services.reports import speaker_report

    report = speaker_report(ledger, SPEAKER, as_of=today)
    step(f"{SPEAKER}'s track record (strict policy: only a true outcome by the deadline is a hit):")
    for line in as_table(report, report["speakers"], color=app.color):
        app.echo(line)
    written = write_html(report, report_path)
    app.echo("")
    app.echo(f"The report with charts is in {written}: open it in a browser.")


def _publish(app: App, ledger, site_path: Path, step) -> None:
    from ledger.services.site_files import publish_site

    done = publish_site(ledger, site_path, speakers=(SPEAKER,), as_of=app.today, title=f"{SPEAKER}'s predictions",
                        publisher="claims demo")
    step(f"`claims publish` wrote {SPEAKER}'s track record as a static site: {done['pages']} pages (the index, "
         "the speaker with charts, one page per claim with its evidence, journal history and ClaimReview markup, "
         f"and the method). It works opened from disk: open {Path(done['index']).resolve()} in a browser.")


class _Steps:
    def __init__(self, app: App):
        self.app, self.n = app, 0

    def __call__(self, text: str) -> None:
        self.n += 1
        self.app.echo("")
        self.app.echo(f"[{self.n}] {text}", bold=True)
