"""The benchmark of claims against raw SQL (run: ``python -m benchmarks``). Part of the
repository, not of the installed package; BENCHMARKS.md holds its latest results."""
