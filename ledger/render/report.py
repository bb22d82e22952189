"""Accuracy reports as text: a terminal table, JSON, CSV (one row per speaker) and Markdown.

Each renderer takes a report's header and its speakers (an iterable, so a report over a large
ledger is written speaker by speaker) and yields the output in pieces.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator

from ledger.escape import CsvWriter, Terminal, json_text, markdown, terminal
from ledger.render.table import table

# Up to this many speakers JSON is indented for reading; beyond it each speaker is one line.
PRETTY_JSON_SPEAKERS = 50
# Up to this many speakers the table and Markdown show each speaker's details, not just the summary.


# --- numbers as people read them ---------------------------------------------------------------


def pct(x: float | None, digits: int = 0) -> str:
    return "–" if x is None else f"{100 * x:.{digits}f}%"


def num(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def count(x: float | int) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def interval(ci: list[float]) -> str:
    return f"{pct(ci[0])}–{pct(ci[1])}"


def rate_text(s: dict) -> str:
    if not s["scored"]:
        return "no scored claims yet"
    units = f"{s['units']} unit{'s' if s['units'] != 1 else ''}"
    worth = "" if s["units"] == s["scored"] else (
        f"; {units} once claims on one event are counted together, worth {num(s['effective_scored'], 1)} "
        "independent claims")
    return f"{pct(s['hit_rate'], 1)} ({count(s['hits'])} of {s['scored']}; 95% CI {interval(s['hit_rate_ci'])}{worth})"


HEADLINE_LABELS = {"brier": "Brier score (stated probabilities)", "hit_rate": "hit rate (no stated probabilities)"}


def headline_text(s: dict) -> str:
    """The figure a speaker is judged by, and why."""
    k = s["skill"]
    if s["headline"] == "brier":
        return f"Brier score {num(k['brier'])} over {k['n']} stated probabilities, because {s['headline_reason']}"
    return f"hit rate {pct(s['hit_rate'], 1)}, shrunk {pct(s['shrunk_hit_rate'], 1)}, because {s['headline_reason']}"


def skill_text(k: dict | None) -> str:
    if k is None:
        return "–"
    vs_base = num(k["brier_skill_base_rate"]) if k["brier_skill_base_rate"] is not None else "– (every outcome the same)"
    ci = f", 95% CI {num(k['brier_ci'][0])}–{num(k['brier_ci'][1])} over {k['units']} units" if k["brier_ci"] else ""
    return (f"Brier {num(k['brier'])}{ci}, log score {num(k['log_score'])} nats (n={k['n']}); Brier skill {vs_base} against "
            f"the base rate {pct(k['base_rate'], 1)}, {num(k['brier_skill_50'])} against 50 %")


def murphy_text(k: dict | None) -> str:
    if k is None:
        return "–"
    return (f"reliability {num(k['reliability'], 4)} − resolution {num(k['resolution'], 4)} + uncertainty "
            f"{num(k['uncertainty'], 4)} = Brier (one bin per distinct probability: {k['bins']})")


def brier_text(scores: dict) -> str:
    if not scores["n"]:
        return "–"
    return f"{num(scores['brier'])} (n={scores['n']}, log score {num(scores['log_score'])} nats)"


def ratio(value: float) -> str:
    """A lateness ratio with enough digits that a late claim never reads 1.00x: 1.003x."""
    digits = 2
    while digits < 6 and value != 1 and round(value, digits) == 1:
        digits += 1
    return f"{value:.{digits}f}×"


def lateness_text(late: dict) -> str:
    if not late["n"]:
        return "no claims past their deadline"
    median = late["median_ratio"]
    typical = (
        f"median time taken {ratio(median)} the time promised"
        if median is not None
        else "fewer than half ever delivered, so no median time"
    )
    return f"{late['on_time']} of {late['n']} delivered by the deadline ({pct(late['on_time_share'])}); {typical}"


def policy_text(header: dict) -> str:
    policy = header["policy"]
    text = {
        "strict": "strict (only a true outcome by the deadline is a hit)",
        "partial": "partial (a partial outcome counts half)",
        "lenient": "lenient (a late true outcome counts; a partial one half)",
        "decay": "decay (a partial outcome counts half; a late one halves every {:g} days)",
    }[policy]
    return text.format(header["half_life_days"]) if policy == "decay" else text


def prior_text(header: dict) -> str:
    p = header["prior"]
    if p["method"] == "none":
        return f"Rates are not shrunk: {p['reason'].removeprefix('no shrinkage: ')}."
    return (
        f"Shrunk rates use a Beta({p['alpha']:.2f}, {p['beta']:.2f}) prior (mean {pct(p['mean'], 1)}, worth "
        f"{p['strength']:.1f} claims) across {p['speakers']} speakers: {p['reason']} ({p['method']})."
    )


def filters_text(header: dict) -> str:
    """What a report shows, for its first line: speakers, tag, dates said, report date, policy."""
    f = header["filters"]
    since, until = f["since"], f["until"]
    said = (f"said {since} to {until}" if since and until else f"said since {since}" if since
            else f"said until {until}" if until else "said any time")
    return (f"Showing {', '.join(f['speakers']) or 'every speaker'}; tag {f['tag'] or 'any'}; {said}; "
            f"as of {header['as_of']}; policy {header['policy']}.")


NOTES = (
    "Only claims whose deadline has passed are scored; ambiguous outcomes are counted but not scored; "
    "overdue claims await a verdict and are not scored.",
    "Headline: a speaker who states probabilities (on at least half of the scored claims) is judged by the Brier score "
    "of those probabilities (with the log score, Brier skill against the base rate and against 50 %, and Murphy's "
    "decomposition); the hit rate is shown but is not skill. Any other speaker is judged by the hit rate, shrunk.",
    "A speaker's claims that name one event are one unit for the intervals and the shrunk rate (docs/report.md, Events).",
    "Brier and log scores use the probability the speaker stated, or else the probability their hedge words "
    "stand for (ICD 203 midpoints, docs/hedges.md); the outcome scored is 'true by the deadline'.",
)


def notes(header: dict) -> list[str]:
    return [f"As of {header['as_of']}; policy {policy_text(header)}.", prior_text(header), *NOTES, *withdrawn_text(header)]


def withdrawn_text(header: dict) -> list[str]:
    w = header["withdrawn"]
    if not w["count"]:
        return []
    n = f"{w['count']} withdrawn claim{'s' if w['count'] != 1 else ''}"
    return [f"{n} {'are counted (--all)' if w['included'] else 'are left out (--all counts them)'}."]


# --- terminal table ------------------------------------------------------------------------------

SUMMARY_HEADERS = ["SPEAKER", "CLAIMS", "OPEN", "OVERDUE", "RESOLVED", "SCORED", "HITS", "HIT RATE", "95% CI", "SHRUNK", "BRIER (N)", "ON TIME", "MEDIAN LATENESS", "HEADLINE"]


def summary_row(s: dict) -> list[str]:
    late = s["lateness"]
    return [
        s["speaker"], str(s["claims"]), str(s["open"]), str(s["overdue"]), str(s["resolved"]), str(s["scored"]),
        count(s["hits"]), pct(s["hit_rate"], 1), interval(s["hit_rate_ci"]), pct(s["shrunk_hit_rate"], 1),
        f"{num(s['brier'])} ({s['brier_n']})" if s["brier_n"] else "–",
        pct(late["on_time_share"]) if late["n"] else "–",
        ratio(late["median_ratio"]) if late["median_ratio"] is not None else "–",
        short_headline(s),
    ]


def short_headline(s: dict) -> str:
    if s["headline"] == "brier":
        return f"Brier {num(s['skill']['brier'])}"
    return f"shrunk {pct(s['shrunk_hit_rate'], 1)}"


def calibration_rows(s: dict) -> list[list[str]]:
    return [
        [pct(b["bucket"]), f"{pct(b['lo'])}–{pct(b['hi'])}", str(b["n"]), str(b["stated"]), str(b["hedge"]),
         pct(b["observed"]) if b["n"] else "", pct(b["mean_probability"]) if b["n"] else ""]
        for b in s["calibration"]
    ]


CALIBRATION_HEADERS = ["BUCKET", "RANGE", "N", "STATED", "HEDGE", "CAME TRUE", "MEAN FORECAST"]
YEAR_HEADERS = ["YEAR", "CLAIMS DUE", "RESOLVED", "SCORED", "HITS", "RATE", "CUMULATIVE RATE"]
TAG_HEADERS = ["TAG", "CLAIMS", "RESOLVED", "SCORED", "HITS", "HIT RATE", "95% CI"]


def year_rows(s: dict) -> list[list[str]]:
    return [
        [str(y["year"]), str(y["claims"]), str(y["resolved"]), str(y["scored"]), count(y["hits"]),
         pct(y["rate"], 1), pct(y["cumulative_rate"], 1)]
        for y in s["by_year"]
    ]


def tag_rows(s: dict) -> list[list[str]]:
    return [
        [t["tag"], str(t["claims"]), str(t["resolved"]), str(t["scored"]), count(t["hits"]), pct(t["hit_rate"], 1),
         interval(t["hit_rate_ci"]) if t["scored"] else "–"]
        for t in s["by_tag"]
    ]


def facts(s: dict) -> list[tuple[str, str]]:
    f = s["forecasts"]
    return [
        ("Headline", headline_text(s)),
        ("Claims", f"{s['claims']}: {s['open']} open, {s['overdue']} overdue, {s['disputed']} disputed, "
                   f"{s['resolved']} resolved ({s['ambiguous']} ambiguous, {s['awaiting_deadline']} awaiting their deadline)"),
        ("Hit rate", rate_text(s)),
        ("Shrunk rate", pct(s["shrunk_hit_rate"], 1) + (
            f" (95 % posterior interval {interval(s['shrunk_hit_rate_ci'])})" if s["shrunk_hit_rate_ci"] else " (not shrunk)")),
        ("Brier, all", brier_text({"n": s["brier_n"], "brier": s["brier"], "log_score": s["log_score"]})),
        ("Brier, stated", brier_text(f["stated"])),
        ("Brier, hedge words", brier_text(f["hedge"])),
        ("Skill, stated", skill_text(s["skill"])),
        ("Murphy, stated", murphy_text(s["skill"])),
        ("Lateness", lateness_text(s["lateness"])),
        *([("Restatements", restatements_text(s["restatements"]))] if "restatements" in s else []),
    ]


def restatements_text(r: dict) -> str:
    from ledger.domain.restatements import summary_text

    return summary_text(r)


# Left out of the summary, in this order, until it fits 80 columns (unless --wide).
SUMMARY_DROPS = ("OVERDUE", "OPEN", "RESOLVED", "MEDIAN LATENESS", "ON TIME", "BRIER (N)", "95% CI")
TERMINAL_WIDTH = 80


def calibration_lines(s: dict, *, color: bool = False) -> Iterator[str]:
    """The calibration table without its empty buckets, which are named on one line."""
    rows = calibration_rows(s)
    full = [row for row, b in zip(rows, s["calibration"]) if b["n"]]
    empty = [pct(b["bucket"]) for b in s["calibration"] if not b["n"]]
    if full:
        yield table(CALIBRATION_HEADERS, full, color=color)
    if empty:
        yield (f"No forecasts in the {', '.join(empty)} buckets." if full else "No forecasts to calibrate (no stated probability or hedge words).")


def as_table(header: dict, speakers: Iterable[dict], *, color: bool = False, wide: bool = False) -> Iterator[str]:
    from ledger.render.table import fields, fitted, wrapped

    width = None if wide else TERMINAL_WIDTH
    prose = (lambda line: wrapped(line, width)) if width else terminal
    rows = sorted(speakers, key=lambda s: s["speaker"].casefold())
    yield prose(filters_text(header))
    yield ""
    if not rows:
        yield "No speaker matches (see `claims speaker list`; --min-resolved may be too high)."
    elif wide:
        yield table(SUMMARY_HEADERS, [summary_row(s) for s in rows], color=color)
    else:
        summary, dropped = fitted(SUMMARY_HEADERS, [summary_row(s) for s in rows], drops=SUMMARY_DROPS,
                                  width=TERMINAL_WIDTH, wrap="SPEAKER", color=color)
        yield summary
        if dropped:
            yield prose(f"Left out to fit 80 columns: {', '.join(d.lower() for d in dropped)} (--wide shows them).")
    for s in (s for s in rows if "by_year" in s):  # the detail, for the speakers it was computed for
        yield ""
        yield terminal(s["speaker"])
        yield fields(facts(s), color=color, width=width)
        yield ""
        yield from (line if isinstance(line, Terminal) else prose(line) for line in calibration_lines(s, color=color))
        if s["by_year"]:
            yield ""
            yield table(YEAR_HEADERS, year_rows(s), color=color)
        if s["by_tag"]:
            yield ""
            yield table(TAG_HEADERS, tag_rows(s), color=color)
    yield ""
    yield from map(prose, notes(header))


# --- JSON ----------------------------------------------------------------------------------------


def as_json(header: dict, speakers: Iterable[dict], size: int) -> Iterator[str]:
    """The report as one JSON object, written speaker by speaker."""
    pretty = size <= PRETTY_JSON_SPEAKERS
    head = json_text(header, indent=2)
    yield head[:-2] + ',\n  "speakers": ['
    first = True
    for s in speakers:
        text = json_text(s, indent=2).replace("\n", "\n    ") if pretty else json_text(s)
        yield ("\n    " if first else ",\n    ") + text
        first = False
    yield "\n  ]\n}\n" if not first else "]\n}\n"


# --- CSV -----------------------------------------------------------------------------------------

SKILL_COLUMNS = ["brier_stated_low", "brier_stated_high", "brier_stated_units", "base_rate", "brier_skill_base_rate", "brier_skill_50", "reliability", "resolution", "uncertainty", "murphy_bins"]
CSV_COLUMNS = [
    "speaker", "speaker_id", "headline", "claims", "open", "overdue", "disputed", "resolved", "ambiguous", "awaiting_deadline",
    "scored", "hits", "hit_rate", "hit_rate_low", "hit_rate_high", "units", "effective_scored",
    "shrunk_hit_rate", "shrunk_low", "shrunk_high",
    "brier", "brier_n", "log_score", "brier_stated", "brier_stated_n", "log_score_stated", *SKILL_COLUMNS,
    "brier_hedge", "brier_hedge_n", "log_score_hedge",
    "lateness_n", "delivered", "on_time", "on_time_share", "median_ratio",
    "as_of", "policy", "half_life_days", "prior_alpha", "prior_beta", "prior_method",
    "chains", "restated", "moved_later", "total_slip_days", "median_slip_days",
]


def csv_row(header: dict, s: dict) -> dict:
    f, late, prior = s["forecasts"], s["lateness"], header["prior"]
    row = {k: s[k] for k in CSV_COLUMNS if k in s}
    row.update({
        "hit_rate_low": s["hit_rate_ci"][0], "hit_rate_high": s["hit_rate_ci"][1], **_shrunk_bounds(s), **skill_cells(s),
        "brier_stated": f["stated"]["brier"], "brier_stated_n": f["stated"]["n"], "log_score_stated": f["stated"]["log_score"],
        "brier_hedge": f["hedge"]["brier"], "brier_hedge_n": f["hedge"]["n"], "log_score_hedge": f["hedge"]["log_score"],
        "lateness_n": late["n"], "delivered": late["delivered"], "on_time": late["on_time"],
        "on_time_share": late["on_time_share"], "median_ratio": late["median_ratio"],
        "as_of": header["as_of"], "policy": header["policy"], "half_life_days": header["half_life_days"],
        "prior_alpha": prior["alpha"], "prior_beta": prior["beta"], "prior_method": prior["method"],
    })
    if "restatements" in s:
        r = s["restatements"]
        row.update({"chains": r["chains"], "restated": r["restatements"], "moved_later": r["moved_later"],
                    "total_slip_days": r["total_slip_days"], "median_slip_days": r["median_slip_days"]})
    return row


def skill_cells(s: dict) -> dict:
    k = s["skill"]
    if k is None:
        return dict.fromkeys(SKILL_COLUMNS)
    ci = k["brier_ci"] or [None, None]
    return {**{c: k[c] for c in SKILL_COLUMNS[3:-1]}, "murphy_bins": k["bins"], "brier_stated_low": ci[0],
            "brier_stated_high": ci[1], "brier_stated_units": k["units"]}


def _shrunk_bounds(s: dict) -> dict:
    ci = s["shrunk_hit_rate_ci"]
    return {"shrunk_low": ci[0] if ci else None, "shrunk_high": ci[1] if ci else None}


def as_csv(header: dict, speakers: Iterable[dict], *, raw: bool = False) -> Iterator[str]:
    """One row per speaker; text cells a spreadsheet would run are guarded unless ``raw``."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer, raw=raw)
    writer.writerow(CSV_COLUMNS)
    for s in speakers:
        row = csv_row(header, s)
        writer.writerow(row.get(k) for k in CSV_COLUMNS)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


# --- Markdown ------------------------------------------------------------------------------------


def heading(label: str) -> str:
    """'HIT RATE' as a column heading in prose case: 'Hit rate' (and '95% CI' stays so)."""
    return label.capitalize().replace(" ci", " CI").replace("(n)", "(n)")


def md_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(markdown(heading(h)) for h in headers) + " |"]
    lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|")
    lines += ["| " + " | ".join(markdown(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def as_markdown(header: dict, speakers: Iterable[dict]) -> Iterator[str]:
    rows = sorted(speakers, key=lambda s: s["speaker"].casefold())
    yield f"## Prediction accuracy as of {header['as_of']}\n"
    yield f"_{markdown(filters_text(header))}_\n"
    if not rows:
        yield "No speaker matches.\n"
    else:
        yield md_table(SUMMARY_HEADERS, [summary_row(s) for s in rows]) + "\n"
    for s in (s for s in rows if "by_year" in s):  # the detail, for the speakers it was computed for
        yield f"### {markdown(s['speaker'])}\n"
        yield "\n".join(f"- **{label}:** {markdown(value)}" for label, value in facts(s)) + "\n"
        yield "Calibration (forecasts grouped to the nearest 10%):\n"
        yield md_table(CALIBRATION_HEADERS, calibration_rows(s)) + "\n"
        if s["by_year"]:
            yield "By the year the deadline fell in:\n"
            yield md_table(YEAR_HEADERS, year_rows(s)) + "\n"
        if s["by_tag"]:
            yield "By topic:\n"
            yield md_table(TAG_HEADERS, tag_rows(s)) + "\n"
    yield "\n".join(f"_{note}_  " for note in notes(header)).rstrip() + "\n"


# --- leaderboard -----------------------------------------------------------------------------------

GROUP_TITLES = {
    "brier": "Speakers who state probabilities, ranked by the Brier score of those probabilities (lowest first)",
    "hit_rate": "Speakers without stated probabilities, ranked by the shrunk hit rate (highest first)",
}
LEADERBOARD_HEADERS = {
    "brier": ["RANK", "SPEAKER", "STATED", "BRIER", "SKILL VS BASE", "SKILL VS 50%", "LOG SCORE", "SCORED", "HIT RATE"],
    "hit_rate": ["RANK", "SPEAKER", "SCORED", "HITS", "HIT RATE", "95% CI", "SHRUNK RATE", "BRIER (N)"],
}


def leaderboard_row(s: dict) -> list[str]:
    place = f"={s['rank']}" if s["tied"] else str(s["rank"])
    if s["group"] == "brier":
        k = s["skill"]
        return [place, s["speaker"], str(k["n"]), num(k["brier"]), num(k["brier_skill_base_rate"]), num(k["brier_skill_50"]),
                num(k["log_score"]), str(s["scored"]), pct(s["hit_rate"], 1)]
    return [
        place, s["speaker"], str(s["scored"]), count(s["hits"]), pct(s["hit_rate"], 1), interval(s["hit_rate_ci"]),
        pct(s["shrunk_hit_rate"], 1), f"{num(s['brier'])} ({s['brier_n']})" if s["brier_n"] else "–",
    ]


def leaderboard_groups(board: dict) -> list[tuple[str, str, list[dict]]]:
    """The leaderboard's groups that have speakers: (group, title, rows), in the board's order."""
    return [(g, GROUP_TITLES[g], rows) for g, rows in
            ((g, [s for s in board["speakers"] if s["group"] == g]) for g in GROUP_TITLES) if rows]


def leaderboard_notes(board: dict) -> list[str]:
    return [
        f"Speakers with at least {board['filters']['min_resolved']} scored claims, in two groups ranked apart: those who "
        "state probabilities by the Brier score of their stated probabilities (skill: 1 - Brier / the Brier of always "
        "forecasting the base rate, or 50 %); the others by the shrunk hit rate, never the raw rate: a short lucky "
        "record is pulled toward what is typical. =N: tied (Brier scores equal to 0.001, shrunk rates to 0.1 %).",
        *notes(board),
    ]


def leaderboard_table(board: dict, *, color: bool = False) -> Iterator[str]:
    groups = leaderboard_groups(board)
    if not groups:
        yield f"No speaker has {board['filters']['min_resolved']} scored claims yet (lower it with --min-resolved N)."
    for i, (group, title, rows) in enumerate(groups):
        if i:
            yield ""
        yield terminal(title + ":")
        yield table(LEADERBOARD_HEADERS[group], [leaderboard_row(s) for s in rows], color=color)
    yield ""
    yield from map(terminal, leaderboard_notes(board))


def leaderboard_markdown(board: dict) -> Iterator[str]:
    yield f"## Prediction leaderboard as of {board['as_of']}\n"
    for group, title, rows in leaderboard_groups(board):
        yield f"### {markdown(title)}\n"
        yield md_table(LEADERBOARD_HEADERS[group], [leaderboard_row(s) for s in rows]) + "\n"
    yield "\n".join(f"_{note}_  " for note in leaderboard_notes(board)).rstrip() + "\n"


LEADERBOARD_CSV = ["group", "rank", "tied", "speaker", "speaker_id", "claims", "resolved", "scored", "hits", "hit_rate",
                   "hit_rate_low", "hit_rate_high", "units", "effective_scored", "shrunk_hit_rate", "shrunk_low", "shrunk_high",
                   "brier", "brier_n", "brier_stated", "brier_stated_n", "log_score_stated", *SKILL_COLUMNS,
                   "as_of", "policy", "prior_alpha", "prior_beta", "prior_method"]


def leaderboard_csv(board: dict, *, raw: bool = False) -> Iterator[str]:
    buffer = io.StringIO()
    writer = CsvWriter(buffer, raw=raw)
    writer.writerow(LEADERBOARD_CSV)
    prior = board["prior"]
    for s in board["speakers"]:
        k = s["skill"] or {}
        row = s | {
            "hit_rate_low": s["hit_rate_ci"][0], "hit_rate_high": s["hit_rate_ci"][1], **_shrunk_bounds(s), **skill_cells(s),
            "brier_stated": k.get("brier"), "brier_stated_n": k.get("n", 0), "log_score_stated": k.get("log_score"),
            "as_of": board["as_of"], "policy": board["policy"], "prior_alpha": prior["alpha"], "prior_beta": prior["beta"],
            "prior_method": prior["method"],
        }
        writer.writerow(row.get(c) for c in LEADERBOARD_CSV)
    yield buffer.getvalue()
