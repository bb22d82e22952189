"""Publishing: each speaker's slug (the stable name of their page, ``speakers/SLUG.html``), and
the restatement links set or removed after the fact with their reason.

Upgrading gives every speaker the slug ``ledger.domain.slugs`` makes from their name, in id
order, so the first speaker keeps the plain one. Downgrading drops both; `claims db downgrade`
counts the slugs and the link changes and needs ``--yes`` (the links themselves stay on the
claims).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from ledger.domain.slugs import unique_slug

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("speakers") as batch:
        batch.add_column(sa.Column("slug", sa.String(200), nullable=True))
    conn = op.get_bind()
    speakers = sa.table("speakers", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("slug", sa.String))
    taken: set[str] = set()
    for speaker_id, name in conn.execute(sa.select(speakers.c.id, speakers.c.name).order_by(speakers.c.id)).all():
        slug = unique_slug(name, taken)
        taken.add(slug)
        conn.execute(sa.update(speakers).where(speakers.c.id == speaker_id).values(slug=slug))
    with op.batch_alter_table("speakers") as batch:
        batch.alter_column("slug", existing_type=sa.String(200), nullable=False)
        batch.create_unique_constraint(op.f("uq_speakers_slug"), ["slug"])
    op.create_table(
        "restatement_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("restates_id", sa.Integer(), nullable=True),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restatement_changes")),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], ondelete="CASCADE",
                                name=op.f("fk_restatement_changes_claim_id_claims")),
        sa.ForeignKeyConstraint(["restates_id"], ["claims.id"], name=op.f("fk_restatement_changes_restates_id_claims")),
        sa.ForeignKeyConstraint(["previous_id"], ["claims.id"], name=op.f("fk_restatement_changes_previous_id_claims")),
    )
    op.create_index(op.f("ix_restatement_changes_claim_id"), "restatement_changes", ["claim_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_restatement_changes_claim_id"), table_name="restatement_changes")
    op.drop_table("restatement_changes")
    with op.batch_alter_table("speakers") as batch:
        batch.drop_constraint(op.f("uq_speakers_slug"), type_="unique")
        batch.drop_column("slug")
