"""The accuracy report as one self-contained HTML page: inline CSS and inline SVG charts, no
scripts, fonts or anything else fetched, so it opens offline and can be mailed as one file."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ledger.render import report as text
from ledger.escape import html as escape
from ledger.files import write_text

# Charts cost a fraction of a second each; past this many speakers the page shows tables only.
CHARTED_SPEAKERS = 20

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933;
       max-width: 72rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #e4e7eb; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
.meta, .notes { color: #52606d; font-size: .9rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #e4e7eb; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #f5f7fa; font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; } svg.chart { width: 100%; max-width: 520px; height: auto; }
"""


def _table(headers: list[str], rows: list[list[str]], css_class: str) -> str:
    head = "".join(f'<th scope="col">{escape(text.heading(h))}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def page(title: str, meta: str, body: list[str], notes: list[str]) -> str:
    note_items = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p class=\"meta\">{escape(meta)}</p>"
        + "".join(body)
        + f'<h2>How to read this</h2><ul class="notes">{note_items}</ul></body></html>\n'
    )


def _speaker_section(s: dict, charted: bool) -> str:
    from ledger.render import charts

    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in text.facts(s))
    parts = [f'<section class="speaker" id="speaker-{s["speaker_id"]}"><h2>{escape(s["speaker"])}</h2>',
             f'<dl class="facts">{facts}</dl>']
    if charted:
        figures = charts.speaker_charts(s)
        parts.append('<div class="charts">' + "".join(f"<figure>{f}</figure>" for f in figures) + "</div>")
    parts.append("<h3>Calibration (forecasts grouped to the nearest 10%)</h3>")
    parts.append(_table(text.CALIBRATION_HEADERS, text.calibration_rows(s), "calibration"))
    if s["by_year"]:
        parts.append("<h3>By the year the deadline fell in</h3>")
        parts.append(_table(text.YEAR_HEADERS, text.year_rows(s), "by-year"))
    if s["by_tag"]:
        parts.append("<h3>By topic</h3>")
        parts.append(_table(text.TAG_HEADERS, text.tag_rows(s), "by-tag"))
    parts.append("</section>")
    return "".join(parts)


def report_html(header: dict, speakers: Iterable[dict]) -> str:
    """The page for a report; speakers need their lateness curves (``curves=True``) for the chart."""
    rows = sorted(speakers, key=lambda s: s["speaker"].casefold())
    charted = len(rows) <= CHARTED_SPEAKERS
    body = [_table(text.SUMMARY_HEADERS, [text.summary_row(s) for s in rows], "summary") if rows
            else "<p>No speaker matches.</p>"]
    if not charted:
        body.append(f"<p class=\"notes\">{len(rows)} speakers: charts are drawn for up to {CHARTED_SPEAKERS}; "
                    "pick some with --speaker.</p>")
    body += [_speaker_section(s, charted) for s in rows]
    names = ", ".join(s["speaker"] for s in rows[:3]) + (" and others" if len(rows) > 3 else "")
    title = f"Prediction accuracy: {names}" if rows else "Prediction accuracy"
    return page(title, f"{text.filters_text(header)} Policy {text.policy_text(header)}.", body, text.notes(header))


def leaderboard_html(board: dict) -> str:
    body = [f"<h2>{escape(title)}</h2>" + _table(text.LEADERBOARD_HEADERS[group], [text.leaderboard_row(s) for s in rows],
                                                 f"leaderboard {group.replace('_', '-')}")
            for group, title, rows in text.leaderboard_groups(board)] or ["<p>No speaker has enough scored claims.</p>"]
    return page("Prediction leaderboard", f"As of {board['as_of']}, policy {text.policy_text(board)}", body,
                 text.leaderboard_notes(board))


def write_html(report: dict, path: str | os.PathLike) -> Path:
    """Write a report dict (``accuracy_report(..., curves=True)`` or ``speaker_report``) as a page."""
    page = report_html(report, report["speakers"])
    return write_text(path, [page])
