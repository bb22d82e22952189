"""Synthetic claims with the shapes of a real ledger, written in the canonical import format.

- Speakers with very different numbers of claims: a Zipf law over ``N / 100`` speakers (10,000 at
  a million claims), so a few pundits have tens of thousands of claims and most have a handful.
- Claims said over fifteen years, deadlines spread over the years after, as dates or as words
  ("by 2027", "in Q3 2026", "within two years", "by March 2028").
- 30 % resolved (true, false, partial, ambiguous; a fifth of the dated trues late) with a
  reviewer, evidence and sometimes a note; 1,000 lapsed (deadline passed, unresolved), whatever
  the size from 100,000 claims up, so that `claims due` lists the same claims from a ledger ten
  times larger (a hundredth of smaller ledgers); the rest still open, due in the years ahead.
- Half with a source (a few claims per article), most with a stated probability and a tag or two.

Everything is drawn from one seeded generator, so a size always gives the same file.
"""

from __future__ import annotations

import csv
import random
from bisect import bisect
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from ledger.services.transfer import COLUMNS

RESOLVED, LAPSED = 0.30, 1000
OUTCOMES = (("true", 0.42), ("false", 0.46), ("partial", 0.07), ("ambiguous", 0.05))
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
SUBJECTS = ("Inflation", "The central bank", "Unemployment", "The incumbent", "Oil prices", "Electric cars",
            "Self-driving taxis", "The housing market", "Fusion power", "The stock index", "Crypto", "The treaty",
            "Rail strikes", "The new stadium", "Quantum computers", "Mars landings", "The merger", "Wheat prices")
VERBS = ("will fall below", "will rise above", "will reach", "will pass", "will not exceed", "will double",
         "will halve", "will stay under", "will be approved by", "will be cancelled by")
OBJECTS = ("2 percent", "the 2019 level", "a record high", "parliament", "half the market", "100 dollars",
           "the regulators", "ten cities", "one million units", "the courts", "its rivals", "zero")
TOPICS = [f"topic-{i}" for i in range(200)]
REVIEWERS = [f"Reviewer {i}" for i in range(50)]
PUBLISHERS = ("Example News", "The Daily Example", "Example Wire", "Example Radio", "Example Times")


def _zipf_speakers(count: int, rng: random.Random) -> tuple[list[str], list[float]]:
    names = [f"Speaker {i:05d} {rng.choice(SUBJECTS).split()[-1]}" for i in range(count)]
    return names, list(accumulate(1 / (k ** 1.07) for k in range(1, count + 1)))


def _deadline_words(deadline: date, said: date, today: date, rng: random.Random) -> tuple[str, date]:
    """Words (or a date) for a deadline at the end of a period around ``deadline``, with the date
    said they are relative to."""
    form = rng.random()
    if form < 0.15:
        return f"by {deadline.year}", said
    if form < 0.27:
        return f"in Q{(deadline.month - 1) // 3 + 1} {deadline.year}", said
    if form < 0.39:
        return f"by {MONTHS[deadline.month - 1]} {deadline.year}", said
    if form < 0.55:
        years = rng.choice((1, 2, 3, 5))
        # "within two years" of the day said: the day said moves back so the deadline stays put.
        moved = date(deadline.year - years, deadline.month, min(deadline.day, 28))
        if moved <= today:
            return f"within {('one', 'two', 'three', None, 'five')[years - 1]} years", moved
    return deadline.isoformat(), said


def rows(count: int, *, today: date | None = None, seed: int = 20231231) -> Iterator[dict]:
    """``count`` canonical rows (dicts keyed by COLUMNS, list values for tags and evidence)."""
    rng = random.Random(seed)
    today = today or date.today()
    speakers, weights = _zipf_speakers(max(10, count // 100), rng)
    total = weights[-1]
    first_day = today - timedelta(days=15 * 365)
    lapsed_every = count // min(LAPSED, max(1, count // 100))
    for i in range(count):
        speaker = speakers[bisect(weights, rng.random() * total)]
        lapsed = i % lapsed_every == lapsed_every // 2 and i // lapsed_every < LAPSED
        resolved = not lapsed and rng.random() < RESOLVED
        if resolved or lapsed:
            # Said and due long enough ago that even "by <year>" has passed.
            said = first_day + timedelta(days=rng.randrange(0, 12 * 365))
            deadline = said + timedelta(days=rng.randrange(30, 3 * 365))
            deadline = min(deadline, date(today.year - 2, 12, 1))
        else:
            said = first_day + timedelta(days=rng.randrange(0, 15 * 365))
            deadline = today + timedelta(days=rng.randrange(400, 10 * 365))
        words, said = _deadline_words(deadline, said, today, rng)
        outcome = None
        if resolved:
            pick, acc = rng.random(), 0.0
            for outcome, share in OUTCOMES:
                acc += share
                if pick < acc:
                    break
        sourced = rng.random() < 0.5
        article = i // 3
        text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} (forecast {i})"
        yield {
            "speaker": speaker,
            "text": text,
            "quote": f"I am telling you: {text.lower()}" if rng.random() < 0.3 else None,
            "said": said.isoformat(),
            "deadline": words,
            "probability": round(rng.uniform(0.05, 0.95), 2) if rng.random() < 0.7 else None,
            "confidence": rng.choice(("likely", "almost certainly", "I bet")) if rng.random() < 0.2 else None,
            "tags": sorted(rng.sample(TOPICS, rng.randrange(0, 3))),
            "source_url": f"https://news.example/{article}" if sourced else None,
            "source_title": f"Article {article}" if sourced else None,
            "source_publisher": PUBLISHERS[article % len(PUBLISHERS)] if sourced else None,
            "source_published": None,
            "outcome": outcome,
            "occurred": _occurred(outcome, said, deadline, rng),
            "reviewer": rng.choice(REVIEWERS) if resolved else None,
            "evidence": [f"https://evidence.example/{i}"] if resolved else [],
            "note": "checked against the official figures" if resolved and rng.random() < 0.3 else None,
        }


def _occurred(outcome: str | None, said: date, deadline: date, rng: random.Random) -> str | None:
    """Half the trues and partials say when they happened; a fifth of those after the deadline."""
    if outcome not in ("true", "partial") or rng.random() < 0.5:
        return None
    if rng.random() < 0.2:
        return (deadline + timedelta(days=rng.randrange(1, 200))).isoformat()
    return (said + (deadline - said) * 2 // 3).isoformat()


def write_csv(path: Path, count: int, **options) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows(count, **options):
            writer.writerow([  # by the format's columns, so a column added to it is written empty
                ";".join(v) if k == "tags" else " ".join(v) if k == "evidence" else "" if v is None else v
                for k in COLUMNS for v in [row.get(k)]
            ])
    return path
