"""What `pip install .` ships, and what the everyday commands import on start-up."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    # From a copy without build/: setuptools would ship whatever an earlier build left there.
    source = tmp_path_factory.mktemp("source") / "claims"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        "build", ".venv", ".git", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", "*.db*"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
        check=True, capture_output=True, timeout=300,
    )
    return zipfile.ZipFile(next(out.glob("claims-*.whl")))


def test_wheel_ships_migrations_jobs_and_seeds_inside_the_package(wheel):
    names = set(wheel.namelist())
    assert "ledger/migrations/env.py" in names
    assert any(n.startswith("ledger/migrations/versions/0001") for n in names)
    assert "ledger/jobs/__init__.py" in names
    assert "ledger/seeds/claims.csv" in names and "ledger/seeds/waic-2023-musk-article.txt" in names
    # The published site's templates (claims publish).
    assert {f"ledger/render/templates/{t}" for t in ("base.html", "index.html", "speaker.html", "claim.html", "about.html",
                                                    "sitemap.xml")} <= names
    top_level = {n.split("/")[0] for n in names if not n.startswith("claims-")}
    assert top_level == {"ledger"}, top_level
    # Every package of the checkout ships (one left out of pyproject.toml breaks `pip install .`).
    shipped = {n.rsplit("/", 1)[0] for n in names if n.endswith("/__init__.py")}
    here = {init.parent.relative_to(ROOT).as_posix() for init in ROOT.glob("*/**/__init__.py") if ".venv" not in init.parts}
    here = {d if d.startswith("ledger") else f"ledger/{d}" for d in here if d.split("/")[0] in ("ledger", "migrations", "jobs", "seeds")}
    assert here <= shipped, sorted(here - shipped)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "claims = ledger.cli:main" in wheel.read(entry_points).decode()


HEAVY = ("apscheduler", "alembic", "numpy", "jinja2")


@pytest.mark.parametrize("args", [["--version"], ["list", "--limit", "1"], ["add", "--help"]])
def test_everyday_commands_stay_light(args, tmp_path, sqlite_template):
    db = tmp_path / "ledger.db"
    shutil.copyfile(sqlite_template, db)  # a migrated ledger: opening it needs no Alembic
    probe = (
        "import sys, runpy; sys.argv = ['claims', '--db', %r] + %r\n"
        "try:\n    runpy.run_module('ledger', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print([m for m in %r if m in sys.modules])"
    ) % (str(db), args, HEAVY)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr
