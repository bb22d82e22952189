"""Storage: SQLAlchemy models, engine set-up, Alembic in code, and the journal's row snapshots."""
