"""The track record (`claims report --claims`) in every report format: one row per claim.

A terminal table fits 80 columns unless ``wide``: the deadline as said, the reviewers, the
evidence and the restated claim are left out, and the words are cut to what is left, with a note
saying so; every other format carries every column. A status reading "(edited D)" marks a claim
whose words, date said or deadline were edited after its verdict; a note under the table says so.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

from ledger.domain.track import TrackRow
from ledger.escape import CsvWriter, html, html_link, json_text, markdown, terminal
from ledger.render.report import filters_text, md_table
from ledger.render.table import fitted, table, wrapped

TERMINAL_WIDTH = 80

COLUMNS = ["ID", "SAID", "WORDS", "DEADLINE AS SAID", "DEADLINE", "STATUS", "HAPPENED", "LATE", "REVIEWER",
           "EVIDENCE", "RESTATES"]
# Left out of a terminal table that must fit 80 columns, in this order.
NARROW_DROPS = ("DEADLINE AS SAID", "REVIEWER", "EVIDENCE", "RESTATES")

CSV_COLUMNS = ["id", "speaker", "speaker_id", "said", "words", "deadline_text", "deadline", "status", "outcome",
               "occurred", "days_late", "reviewers", "evidence", "restates", "source_url", "tags",
               "edited_after_verdict", "as_of"]
EDITED_NOTE = ("(edited D): the claim's words, date said or deadline were edited on D, after its verdict; "
               "`claims history ID` shows the change.")


def late_text(days: int | None) -> str:
    if days is None:
        return ""
    return "on the day" if days == 0 else (f"{days} late" if days > 0 else f"{-days} early")


def status_text(row: TrackRow) -> str:
    edited = row["edited_after_verdict"]
    return f"{row['status']} (edited {edited})" if edited else row["status"]


def edited_note(rows: Sequence[TrackRow]) -> str | None:
    return EDITED_NOTE if any(r["edited_after_verdict"] for r in rows) else None


def cells(row: TrackRow) -> list[str]:
    return [
        f"#{row['id']}", row["said"], row["words"], row["deadline_text"], row["deadline"], status_text(row),
        row["occurred"] or "", late_text(row["days_late"]), ", ".join(row["reviewers"]), " ".join(row["evidence"]),
        f"#{row['restates']}" if row["restates"] else "",
    ]


def empty_text(header: dict) -> str:
    return "No claim matches these filters."


# --- terminal ------------------------------------------------------------------------------------


def as_table(header: dict, rows: Sequence[TrackRow], *, color: bool = False, wide: bool = False) -> Iterator[str]:
    yield wrapped(filters_text(header), TERMINAL_WIDTH) if not wide else terminal(filters_text(header))
    yield ""
    if not rows:
        yield empty_text(header)
        return
    speakers = list(dict.fromkeys(r["speaker"] for r in rows))
    for name in speakers:
        mine = [r for r in rows if r["speaker"] == name]
        yield terminal(f"{name}: {len(mine)} claim{'s' if len(mine) != 1 else ''}, oldest said first")
        yield _table([cells(r) for r in mine], color=color, wide=wide)
        yield ""
    if note := edited_note(rows):
        yield wrapped(note, TERMINAL_WIDTH) if not wide else note
    if not wide:
        yield wrapped("Left out to fit 80 columns: deadline as said, reviewer, evidence, restates "
                      "(--wide shows them; --format json or csv has every field).", TERMINAL_WIDTH)


def _table(rows: list[list[str]], *, color: bool, wide: bool) -> str:
    if wide:
        return table(COLUMNS, rows, color=color, max_width=200)
    keep = [i for i, h in enumerate(COLUMNS) if h not in NARROW_DROPS]
    narrow = [[row[i] for i in keep] for row in rows]
    return fitted([COLUMNS[i] for i in keep], narrow, drops=(), width=TERMINAL_WIDTH, wrap="WORDS", color=color)[0]


# --- JSON, CSV, Markdown, HTML ---------------------------------------------------------------------


def as_json(header: dict, rows: Sequence[TrackRow]) -> Iterator[str]:
    yield json_text({**header, "track_record": list(rows)}, indent=2) + "\n"


def as_csv(header: dict, rows: Sequence[TrackRow], *, raw: bool = False) -> Iterator[str]:
    """One row per claim; list cells (reviewers, evidence, tags) are joined by ' | '."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer, raw=raw)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        cells = {**row, "as_of": header["as_of"]}
        writer.writerow(" | ".join(v) if isinstance(v := cells[k], list) else v for k in CSV_COLUMNS)
    yield buffer.getvalue()


def as_markdown(header: dict, rows: Sequence[TrackRow]) -> Iterator[str]:
    yield "## Track record\n"
    yield f"_{markdown(filters_text(header))}_\n"
    if not rows:
        yield empty_text(header) + "\n"
        return
    yield md_table(COLUMNS, [cells(r) for r in rows]) + "\n"
    if note := edited_note(rows):
        yield f"\n{markdown(note)}\n"


def html_table(rows: Sequence[TrackRow], link=None) -> str:
    """The track record as an HTML table; ``link(row)`` gives a page for the claim's id cell."""
    head = "".join(f'<th scope="col">{html(h.capitalize())}</th>' for h in COLUMNS)
    body = []
    for row in rows:
        values = [html(c) for c in cells(row)]
        if link is not None:
            values[0] = f'<a href="{html(link(row))}">{values[0]}</a>'
        values[9] = " ".join(html_link(url) for url in row["evidence"])
        body.append("<tr>" + "".join(f"<td>{v}</td>" for v in values) + "</tr>")
    note = f'<p class="meta">{html(n)}</p>' if (n := edited_note(rows)) else ""
    return f'<table class="track-record"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{note}'


def as_html(header: dict, rows: Sequence[TrackRow]) -> str:
    from ledger.render.html import page

    names = list(dict.fromkeys(r["speaker"] for r in rows))
    title = "Track record" + (f": {', '.join(names[:3])}" + (" and others" if len(names) > 3 else "") if names else "")
    body = [html_table(rows) if rows else f"<p>{html(empty_text(header))}</p>"]
    return page(title, filters_text(header), body, [])
