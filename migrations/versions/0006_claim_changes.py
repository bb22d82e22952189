"""Claims have a life: each edit, withdrawal and restoration of a claim, with its reason and the
fields before and after, and when a claim was withdrawn.

Downgrading drops the changes (the journal still records them) and forgets which claims were
withdrawn, so both count as a loss and need ``--yes``.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_changes")),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_claim_changes_claim_id_claims")),
        sa.CheckConstraint("action IN ('edited', 'withdrawn', 'restored')", name=op.f("ck_claim_changes_action")),
    )
    op.create_index(op.f("ix_claim_changes_claim_id"), "claim_changes", ["claim_id"])
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("withdrawn_at")
    op.drop_index(op.f("ix_claim_changes_claim_id"), table_name="claim_changes")
    op.drop_table("claim_changes")
