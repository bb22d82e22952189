"""Claims: the event a claim forecasts (``event``, e.g. "2022 Georgia governor"), so that several
forecasts of one event by one speaker are scored as one (docs/report.md, "Events").

A nullable column: every existing claim names no event. Downgrading drops it, and with it the
events recorded: ``claims db downgrade`` counts them and needs --yes.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("event", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("event")
