"""`claims seed load` and `claims demo`, the guided tour on a throwaway ledger."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from ledger.cli.app import App, cli, pass_app
from ledger.cli.options import PathType


@cli.group()
def seed() -> None:
    """Sample data: the article this project started from and a repeat forecaster's claims."""


@seed.command("load")
@click.argument("folder", required=False, type=PathType(file_okay=False, exists=True, path_type=Path))
@pass_app
def seed_load(app: App, folder: Path | None) -> None:
    """Load a seeds folder [default: the packaged seeds]. Loading twice adds nothing."""
    from ledger.services.seeds import load_seeds

    report = load_seeds(app.ledger, folder, app.actor(), today=app.today)
    app.echo(
        f"Loaded {len(report.claims_added)} claims ({report.claims_present} already present), "
        f"{report.speakers_added} speakers, {report.sources_added} sources, {report.resolutions_added} outcomes"
    )


@cli.command()
@click.option("--keep", type=PathType(dir_okay=False, path_type=Path), help="Keep the demo ledger at this path.")
@click.option("--report", "report_path", type=PathType(dir_okay=False, path_type=Path), default=Path("claims-demo-report.html"),
              show_default=True, help="Where to write the HTML accuracy report.")
@click.option("--site", "site_path", type=PathType(file_okay=False, path_type=Path), default=Path("claims-demo-site"),
              show_default=True, help="Where to publish the speaker's static site.")
@pass_app
def demo(app: App, keep: Path | None, report_path: Path, site_path: Path) -> None:
    """Run the main job end to end on a throwaway SQLite ledger, narrating each step: log the seed
    claims, flag lapsed deadlines, remind, resolve with evidence, verify, report, and publish a site."""
    from ledger.cli import tour

    if keep is not None:
        if keep.exists():
            raise click.UsageError(f"{keep} exists; the demo only writes a new ledger")
        tour.run(app, keep, report_path, site_path)
        return
    with tempfile.TemporaryDirectory(prefix="claims-demo-") as tmp:
        tour.run(app, Path(tmp) / "demo.db", report_path, site_path)
