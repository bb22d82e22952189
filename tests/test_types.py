"""The pure domain type-checks under mypy --strict, with the settings in pyproject.toml.

The cache lives in the system's temporary folder (one per checkout), so a rerun takes a second
or two instead of reading SQLAlchemy's stubs again."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_domain_is_strictly_typed():
    cache = Path(tempfile.gettempdir()) / f"claims-mypy-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]}"
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(cache)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
