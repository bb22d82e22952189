"""The report's stored prior: the empirical-Bayes prior fitted across every speaker, keyed by the
journal head and the report's scope (ledger.store.models.report), so a report on one speaker need
not read every speaker's claims to fit it again; an index on ``claims.restates_id``, through which
a report finds the restated claims without reading every claim; and one on the withdrawn claims'
dates said, through which it counts them.

Derived from the claims: downgrading drops it and loses nothing (ledger.store.schema does not count
it), and the next report fits it again.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_priors",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("journal_seq", sa.Integer(), nullable=False),
        sa.Column("journal_hash", sa.String(64), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("alpha", sa.Float(), nullable=False),
        sa.Column("beta", sa.Float(), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("speakers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_report_priors")),
    )
    op.create_index(op.f("ix_claims_restates_id"), "claims", ["restates_id"])
    withdrawn = sa.text("withdrawn_at IS NOT NULL")
    op.create_index("ix_claims_withdrawn_said", "claims", ["said"], sqlite_where=withdrawn, postgresql_where=withdrawn)


def downgrade() -> None:
    op.drop_index("ix_claims_withdrawn_said", table_name="claims")
    op.drop_index(op.f("ix_claims_restates_id"), table_name="claims")
    op.drop_table("report_priors")
