"""The annotated set (tests/extract_set): precision and recall of (speaker, deadline phrase) and
exact match of quotes, printed and held to thresholds. The held-out articles were written before
the rules were tuned on them once (docs/extract.md gives both figures)."""

from __future__ import annotations

from extract_set.score import HERE, score

from ledger.domain.extract import extract


def _rules(text, published):
    return [c.as_dict() for c in extract(text, published)]


def test_rules_mode_scores_on_the_annotated_set(capsys):
    tuned, held_out = score(_rules), score(_rules, HERE / "held_out")
    with capsys.disabled():
        print(f"\n{tuned.line('rules, tuning set')}\n{held_out.line('rules, held-out set')}")
    for result in (tuned, held_out):
        assert result.precision >= 0.85, result.wrong
        assert result.recall >= 0.85, result.misses
        assert result.quote_match >= 0.9
    assert tuned.gold >= 40 and held_out.gold >= 15
