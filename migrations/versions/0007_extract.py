"""Extract: a source keeps the HTML its text was read from (hashed like the text), and the
candidates a reviewer skipped for a source, so a rerun of `claims extract` shows what is new.

Downgrading drops both: the skipped candidates (counted, and only with --yes) and the HTML.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("html", sa.Text(), nullable=True))
        batch.add_column(sa.Column("html_sha256", sa.String(64), nullable=True))
    op.create_table(
        "extract_skips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("candidate", sa.String(64), nullable=False),
        sa.Column("skipped_by", sa.String(200), nullable=False),
        sa.Column("skipped_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extract_skips")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], ondelete="CASCADE", name=op.f("fk_extract_skips_source_id_sources")
        ),
        sa.UniqueConstraint("source_id", "candidate", name=op.f("uq_extract_skips_source_id_candidate")),
    )


def downgrade() -> None:
    op.drop_table("extract_skips")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("html_sha256")
        batch.drop_column("html")
