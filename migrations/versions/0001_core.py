"""Core ledger: speakers, aliases, sources, claims, tags, reviewers and the journal.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "speakers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speakers")),
        sa.UniqueConstraint("name_key", name=op.f("uq_speakers_name_key")),
    )
    op.create_table(
        "speaker_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(200), nullable=False),
        sa.Column("alias_key", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speaker_aliases")),
        sa.ForeignKeyConstraint(
            ["speaker_id"], ["speakers.id"], ondelete="CASCADE",
            name=op.f("fk_speaker_aliases_speaker_id_speakers"),
        ),
        sa.UniqueConstraint("alias_key", name=op.f("uq_speaker_aliases_alias_key")),
    )
    op.create_index(op.f("ix_speaker_aliases_speaker_id"), "speaker_aliases", ["speaker_id"])
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(2000), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("publisher", sa.String(300), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("text_sha256", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("url", name=op.f("uq_sources_url")),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("said", sa.Date(), nullable=False),
        sa.Column("deadline_text", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("deadline_earliest", sa.Date(), nullable=False),
        sa.Column("deadline_granularity", sa.String(20), nullable=False),
        sa.Column("deadline_timex", sa.String(40), nullable=False),
        sa.Column("deadline_strict", sa.Date(), nullable=True),
        sa.Column("deadline_assumed", sa.Boolean(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("confidence", sa.Text(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("logged_by", sa.String(200), nullable=False),
        sa.Column("logged_at", sa.DateTime(), nullable=False),
        sa.Column("restates_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.ForeignKeyConstraint(["speaker_id"], ["speakers.id"], name=op.f("fk_claims_speaker_id_speakers")),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name=op.f("fk_claims_source_id_sources")),
        sa.ForeignKeyConstraint(["restates_id"], ["claims.id"], name=op.f("fk_claims_restates_id_claims")),
        sa.UniqueConstraint("speaker_id", "said", "text_sha256", name="uq_claims_natural_key"),
        sa.CheckConstraint(
            "probability IS NULL OR (probability >= 0 AND probability <= 1)", name=op.f("ck_claims_probability")
        ),
        sa.CheckConstraint("status IN ('open', 'due', 'resolved', 'disputed')", name=op.f("ck_claims_status")),
        sa.CheckConstraint("deadline >= said", name=op.f("ck_claims_deadline_after_said")),
    )
    op.create_index(op.f("ix_claims_speaker_id"), "claims", ["speaker_id"])
    op.create_index(op.f("ix_claims_source_id"), "claims", ["source_id"])
    op.create_index("ix_claims_status_deadline", "claims", ["status", "deadline"])
    op.create_table(
        "claim_tags",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("claim_id", "tag", name=op.f("pk_claim_tags")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], ondelete="CASCADE", name=op.f("fk_claim_tags_claim_id_claims")
        ),
    )
    op.create_index(op.f("ix_claim_tags_tag"), "claim_tags", ["tag"])
    op.create_table(
        "reviewers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviewers")),
        sa.UniqueConstraint("name_key", name=op.f("uq_reviewers_name_key")),
    )
    op.create_table(
        "journal",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_journal")),
        sa.UniqueConstraint("hash", name=op.f("uq_journal_hash")),
    )
    op.create_index("ix_journal_entity", "journal", ["entity", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_journal_entity", table_name="journal")
    op.drop_table("journal")
    op.drop_table("reviewers")
    op.drop_index(op.f("ix_claim_tags_tag"), table_name="claim_tags")
    op.drop_table("claim_tags")
    op.drop_index("ix_claims_status_deadline", table_name="claims")
    op.drop_index(op.f("ix_claims_source_id"), table_name="claims")
    op.drop_index(op.f("ix_claims_speaker_id"), table_name="claims")
    op.drop_table("claims")
    op.drop_table("sources")
    op.drop_index(op.f("ix_speaker_aliases_speaker_id"), table_name="speaker_aliases")
    op.drop_table("speaker_aliases")
    op.drop_table("speakers")
