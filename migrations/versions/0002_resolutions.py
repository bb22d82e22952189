"""Resolutions: append-only judgements of claims, and the current verdict on each claim.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resolutions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("occurred", sa.Date(), nullable=True),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("claim_version", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolutions")),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_resolutions_claim_id_claims")),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["resolutions.id"], name=op.f("fk_resolutions_supersedes_id_resolutions")
        ),
        sa.CheckConstraint(
            "outcome IN ('true', 'false', 'partial', 'ambiguous')", name=op.f("ck_resolutions_outcome")
        ),
    )
    op.create_index(op.f("ix_resolutions_claim_id"), "resolutions", ["claim_id"])
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("outcome", sa.String(20), nullable=True))
        batch.add_column(sa.Column("occurred", sa.Date(), nullable=True))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(), nullable=True))
        batch.create_check_constraint(
            "outcome", "outcome IS NULL OR outcome IN ('true', 'false', 'partial', 'ambiguous')"
        )


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_constraint(op.f("ck_claims_outcome"), type_="check")
        batch.drop_column("resolved_at")
        batch.drop_column("occurred")
        batch.drop_column("outcome")
    op.drop_index(op.f("ix_resolutions_claim_id"), table_name="resolutions")
    op.drop_table("resolutions")
