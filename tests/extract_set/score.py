"""Scores extraction against the gold claims of the annotated set: shared by the test and by
anyone tuning the rules (`python tests/extract_set/score.py`)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

HERE = Path(__file__).parent
# Each set by name, its folder, and the precision and recall below which the test fails. The second
# development set was written to study the families real news shows and the first four sets no
# longer did (roles, "the company said", op-eds, a Q&A's named answerer); its undated forecasts and
# one fiscal-year phrase the grammar cannot read keep its precision under the others'.
SETS = {
    "tuning set": (HERE, 0.85, 0.85),
    "held-out set": (HERE / "held_out", 0.85, 0.85),
    "second held-out set": (HERE / "held_out_2", 0.85, 0.85),
    "third held-out set": (HERE / "held_out_3", 0.85, 0.85),
    "fourth held-out set": (HERE / "held_out_4", 0.85, 0.85),
    "second development set": (HERE / "dev_2", 0.75, 0.85),
    "third development set": (HERE / "dev_3", 0.85, 0.8),
    "fourth development set": (HERE / "dev_4", 0.8, 0.8),
    "fifth held-out set": (HERE / "held_out_5", 0.85, 0.9),
    "sixth held-out set": (HERE / "held_out_6", 0.75, 0.7),
    "seventh held-out set": (HERE / "held_out_7", 0.8, 0.8),
    "eighth held-out set": (HERE / "held_out_8", 0.85, 0.85),
    # (its quote "Next season we will be champions", now attributed, repeats its lead's claim: one
    # proposal too many, as the scorer counts it)
    "ninth held-out set": (HERE / "held_out_9", 0.75, 0.7),
    "tenth held-out set": (HERE / "held_out_10", 0.8, 0.9),
    "eleventh held-out set": (HERE / "held_out_11", 0.9, 0.85),
    "twelfth held-out set": (HERE / "held_out_12", 0.9, 0.85),
    # (its first run, both modes: 73 % precision, 76 % recall; see docs/extract.md)
    "thirteenth held-out set": (HERE / "held_out_13", 0.9, 0.85),
    # (its first run: 88 % precision, 88 % recall in the rules mode, 81 % and 88 % in the parser mode)
    "fourteenth held-out set": (HERE / "held_out_14", 0.8, 0.85),
}


@dataclass
class Score:
    proposed: int = 0
    correct: int = 0
    gold: int = 0
    found: int = 0
    quotes: int = 0
    quotes_exact: int = 0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def quote_match(self) -> float:
        return self.quotes_exact / self.quotes if self.quotes else 1.0

    def line(self, mode: str) -> str:
        return (f"{mode}: precision {self.precision:.0%} ({self.correct}/{self.proposed}), recall {self.recall:.0%} "
                f"({self.found}/{self.gold}), quotes exact {self.quote_match:.0%} ({self.quotes_exact}/{self.quotes})")


def articles(folder: Path = HERE) -> list[tuple[str, date, str]]:
    with (folder / "articles.tsv").open(encoding="utf-8", newline="") as f:
        return [(r["file"], date.fromisoformat(r["published"]), (folder / r["file"]).read_text(encoding="utf-8"))
                for r in csv.DictReader(f, delimiter="\t")]


def gold(folder: Path = HERE) -> dict[str, list[dict[str, str]]]:
    rows: dict[str, list[dict[str, str]]] = {}
    with (folder / "gold.tsv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            rows.setdefault(r["file"], []).append(r)
    return rows


def score(run: Callable[[str, date], list[dict]], folder: Path = HERE) -> Score:
    """``run(text, published)`` gives candidates as dicts (Candidate.as_dict)."""
    result, golden = Score(), gold(folder)
    for name, published, text in articles(folder):
        expected = golden.get(name, [])
        result.gold += len(expected)
        proposals = run(text, published)
        result.proposed += len(proposals)
        keys: dict[tuple[str, str], list[dict]] = {}
        for p in proposals:  # two candidates with one speaker and deadline are one claim and one proposal too many
            keys.setdefault((p["speaker_name"], p["deadline_text"] or ""), []).append(p)
        wanted = {(g["speaker"], g["deadline"]) for g in expected}
        result.correct += sum(1 for k in keys if k in wanted)
        result.wrong += [f"{name}: {k}" for k in keys if k not in wanted]
        for g in expected:
            same = keys.get((g["speaker"], g["deadline"]))
            if same is None:
                result.misses.append(f"{name}: {(g['speaker'], g['deadline'])}")
                continue
            result.found += 1
            if g["quote"]:
                result.quotes += 1
                result.quotes_exact += any(p["quote"] == g["quote"] for p in same)
    return result


def runner(model: str | None = None) -> Callable[[str, date], list[dict]]:
    """Extraction in the rules mode, or with ``model`` in the parser mode."""
    from ledger.domain.extract import extract

    if model is None:
        return lambda text, published: [c.as_dict() for c in extract(text, published)]
    from ledger.parser import available, parse

    nlp, mode = available(model)
    assert nlp is not None, mode
    return lambda text, published: [c.as_dict() for c in extract(text, published, analysis=parse(nlp, text))]


if __name__ == "__main__":
    import sys

    for model in [None, *sys.argv[1:]]:
        run = runner(model)
        for name, (folder, _, _) in SETS.items():
            s = score(run, folder)
            print(s.line(f"{model or 'rules'}, {name}"))
            print("missed:", *s.misses, sep="\n  ")
            print("wrong:", *s.wrong, sep="\n  ")
