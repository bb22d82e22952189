"""`claims demo`, the README's first command, runs the whole job on a throwaway ledger."""

from __future__ import annotations

import subprocess
import sys


def test_demo_runs_end_to_end(tmp_path):
    env_home = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "ledger", "demo"], cwd=tmp_path, env=env_home, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # The seed article read by claims extract, its one candidate accepted; the claim's vague deadline
    # made concrete, flagged, reminded, resolved, verified, reported.
    assert "`claims extract` reads the article this project started from" in out and "proposes 1 candidate" in out
    assert "»full self-driving in what you call [level] 4 or 5 later this year«" in out
    assert "Accepted candidate 1 as claim #1" in out and "7 more dated predictions" in out
    assert "full self-driving in what you call [level] 4 or 5 later this year" in out
    assert "2023-12-31 ('later this year'" in out
    assert "due for review" in out and "claims resolve 6 --outcome" in out
    assert "resolution.recorded" in out and "false by Demo Reviewer" in out
    assert "chain intact" in out
    assert "Elon Musk's track record" in out
    report = tmp_path / "claims-demo-report.html"
    assert report.exists() and "<svg" in report.read_text()
    # It ends by publishing the speaker's site, and says where.
    site = tmp_path / "claims-demo-site"
    assert f"open {site / 'index.html'} in a browser" in " ".join(out.split())
    assert (site / "speakers" / "elon-musk.html").exists() and (site / "about.html").exists()
    assert '"@type": "ClaimReview"' in (site / "claims" / "6.html").read_text()
    # Nothing was left in the user's default ledger.
    assert not (tmp_path / "data" / "claims").exists()
