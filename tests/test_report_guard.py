"""A regression guard for the report's redesign (issue #16): the report of one fixed ledger, in
every format and shape the other tests read, must print the same figures as the code before it.

The ledger is the benchmark's synthetic one at a small size (benchmarks/synthetic.py, a fixed
today), with FiveThirtyEight's NFL and governor forecasts (tests/data) beside it. The outputs in
tests/data/report_guard/ were written by the report as it was before the redesign: they are not
reference figures (those are computed independently in test_report_real_data, test_report_nfl,
test_report_figures...) but what a change of design must not move. A change that corrects a
figure on purpose writes them again with CLAIMS_WRITE_REPORT_GUARD=1 and says why in its commit.

JSON is compared value by value, numbers to a relative 1e-12 (a sum taken in another order may
differ in its last bit); every other format byte by byte.
"""

from __future__ import annotations

import json
import math
import os
from datetime import date
from pathlib import Path

import pytest

from conftest import ledger_state
from recording import reviewed_long_ago  # noqa: F401  (a fixture)
from test_report_nfl import SLICE as NFL, as_claims as nfl_claims, games
from test_report_real_data import as_claims as governor_claims, forecasts

GUARD = Path(__file__).parent / "data" / "report_guard"
TODAY = date(2025, 6, 30)
AS_OF = ("--as-of", TODAY.isoformat())
BIG, SMALL = "Speaker 00000 Crypto", "Speaker 00014 Inflation"  # 140 resolved claims, and 5

# name -> the report's arguments (after `claims report`)
CASES: dict[str, tuple[str, ...]] = {
    "all.json": ("--format", "json"),
    "all.csv": ("--format", "csv"),
    "all.md": ("--format", "markdown"),
    "all.txt": ("--wide",),
    "all_decay.json": ("--format", "json", "--policy", "decay", "--half-life", "180"),
    "all_partial.json": ("--format", "json", "--policy", "partial"),
    "all_lenient.csv": ("--format", "csv", "--policy", "lenient"),
    "all_since.json": ("--format", "json", "--since", "2016-01-01", "--until", "2021-12-31"),
    "all_min_resolved.csv": ("--format", "csv", "--min-resolved", "20"),
    "tag.json": ("--format", "json", "--tag", "topic-7"),
    "as_of_2022.json": ("--format", "json", "--as-of", "2022-03-01"),
    "big.json": ("--format", "json", "--speaker", BIG),
    "small.json": ("--format", "json", "--speaker", SMALL),
    "two.txt": ("--speaker", BIG, "--speaker", "FiveThirtyEight NFL model", "--wide"),
    "two.md": ("--format", "markdown", "--speaker", BIG, "--speaker", "FiveThirtyEight deluxe model"),
    "nfl.json": ("--format", "json", "--speaker", "FiveThirtyEight NFL model"),
    "governors_decay.json": ("--format", "json", "--speaker", "FiveThirtyEight lite model", "--policy", "decay"),
    "leaderboard.json": ("--leaderboard", "--format", "json"),
    "leaderboard.csv": ("--leaderboard", "--format", "csv"),
    "leaderboard.md": ("--leaderboard", "--format", "markdown"),
    "leaderboard.txt": ("--leaderboard",),
    "leaderboard_partial.json": ("--leaderboard", "--format", "json", "--policy", "partial", "--min-resolved", "1"),
    "leaderboard_tag.json": ("--leaderboard", "--format", "json", "--tag", "topic-7", "--min-resolved", "1"),
}


@pytest.fixture(autouse=True)
def _reviewed_long_ago(reviewed_long_ago):
    """Verdicts recorded on 2000-01-01, so the reports as of later dates see every one."""


@ledger_state
def guarded(cli):
    """The synthetic ledger of 1,500 claims and the two public data sets, in one ledger."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1]))  # benchmarks/ is not installed with the package
    import benchmarks.synthetic as synthetic

    folder = Path(os.environ.get("TMPDIR", "/tmp"))
    files = {
        "synthetic": synthetic.write_csv(folder / f"guard-synthetic-{os.getpid()}.csv", 1500, today=TODAY),
        "nfl": folder / f"guard-nfl-{os.getpid()}.csv",
        "governors": folder / f"guard-governors-{os.getpid()}.csv",
    }
    files["nfl"].write_text(nfl_claims(games()), encoding="utf-8")
    files["governors"].write_text(governor_claims(forecasts()), encoding="utf-8")
    for path in files.values():
        result = cli("import", path, "--logged-by", "guard")
        assert result.status == 0, result.err
        path.unlink()
    assert NFL.exists()


def _same(before, after, where: str = "") -> None:
    if isinstance(before, float) or isinstance(after, float):
        assert isinstance(after, (int, float)) and isinstance(before, (int, float)), where
        assert math.isclose(before, after, rel_tol=1e-12, abs_tol=1e-15), f"{where}: {before!r} became {after!r}"
    elif isinstance(before, dict):
        assert isinstance(after, dict) and list(before) == list(after), f"{where}: keys {list(before)} became {list(after)}"
        for key in before:
            _same(before[key], after[key], f"{where}.{key}")
    elif isinstance(before, list):
        assert isinstance(after, list) and len(before) == len(after), f"{where}: {len(before)} items became {len(after)}"
        for i, (b, a) in enumerate(zip(before, after)):
            _same(b, a, f"{where}[{i}]")
    else:
        assert before == after, f"{where}: {before!r} became {after!r}"


# Since the redesign, a report on more than five speakers none of whom was named is a summary unless
# --detail: these cases compare the report with --detail to what was printed before it.
DETAILED = {name for name, args in CASES.items() if name.endswith(".json") and "--speaker" not in args and "--leaderboard" not in args}
DETAIL_KEYS = ("calibration", "by_tag", "by_year")


@pytest.mark.parametrize("name", list(CASES))
def test_the_report_prints_what_it_printed_before_the_redesign(guarded, name):
    cli = guarded
    args = (*CASES[name], "--detail") if name in DETAILED else CASES[name]
    # Twice: the first report fits the prior across every speaker and stores it, the second reads it.
    first, result = (cli("report", *args, *([] if "--as-of" in args else AS_OF)) for _ in range(2))
    assert first.status == 0 and result.status == 0, first.err + result.err
    assert result.out == first.out
    stored = GUARD / name
    if os.environ.get("CLAIMS_WRITE_REPORT_GUARD") == "1":
        GUARD.mkdir(exist_ok=True)
        text = json.dumps(json.loads(result.out), separators=(",", ":")) + "\n" if name.endswith(".json") else result.out
        stored.write_text(text, encoding="utf-8")
    before = stored.read_text(encoding="utf-8")
    if name.endswith(".json"):
        _same(json.loads(before), json.loads(result.out), name)
    else:
        assert result.out == before


@pytest.mark.parametrize("name", sorted(DETAILED))
def test_the_summary_of_every_speaker_is_the_report_before_without_the_detail(guarded, name):
    result = guarded("report", *CASES[name], *([] if "--as-of" in CASES[name] else AS_OF))
    assert result.status == 0, result.err
    before = json.loads((GUARD / name).read_text(encoding="utf-8"))
    if len(before["speakers"]) > 5:
        before["speakers"] = [{k: v for k, v in s.items() if k not in DETAIL_KEYS} for s in before["speakers"]]
    _same(before, json.loads(result.out), name)


def test_detail_is_the_per_speaker_reports_alone(guarded):
    cli = guarded
    summary, detailed = (cli("report", "--format", "markdown", *more, *AS_OF) for more in ((), ("--detail",)))
    assert summary.status == detailed.status == 0
    assert "Calibration (" not in summary.out and "By topic:" not in summary.out
    assert detailed.out.count("Calibration (") >= 20  # every speaker's section, not five at most
    for other in ("--leaderboard", "--claims"):
        refused = cli("report", other, "--detail", *AS_OF)
        assert refused.status == 2 and "--detail is the per-speaker report's" in refused.err, refused.err
