"""Full-text search: the text each claim is found by (``search_documents``, see
ledger.domain.search.document), indexed by the backend's own full-text search: an FTS5 table kept
in step by triggers on SQLite, a GIN index over its English tsvector on PostgreSQL. The claims
already in the ledger are indexed here.

Both are rebuilt from the claims, speakers and sources, so downgrading drops them and loses
nothing (ledger.store.schema does not count them).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from ledger.domain.search import document

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(document, content='search_documents', content_rowid='claim_id', "
    "tokenize='porter unicode61')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, document) VALUES (new.claim_id, new.document); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, document) VALUES ('delete', old.claim_id, old.document); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, document) VALUES ('delete', old.claim_id, old.document); "
    "INSERT INTO search_fts(rowid, document) VALUES (new.claim_id, new.document); END",
]
POSTGRESQL = [
    "CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (to_tsvector('english', document))",
]


def _documents(conn) -> list[dict]:
    """Every claim's document, written as the tool writes it."""
    aliases: dict[int, list[str]] = {}
    for speaker_id, alias in conn.execute(sa.text("SELECT speaker_id, alias FROM speaker_aliases")):
        aliases.setdefault(speaker_id, []).append(alias)
    rows = conn.execute(sa.text(
        "SELECT c.id, c.text, c.quote, s.id, s.name, src.title, src.text FROM claims c "
        "JOIN speakers s ON s.id = c.speaker_id LEFT JOIN sources src ON src.id = c.source_id ORDER BY c.id"
    ))
    return [
        {"claim_id": cid, "document": document(text, quote, name, aliases.get(sid, []), title, body)}
        for cid, text, quote, sid, name, title, body in rows
    ]


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_search_documents")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], ondelete="CASCADE", name=op.f("fk_search_documents_claim_id_claims")
        ),
    )
    conn = op.get_bind()
    for statement in SQLITE if conn.dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)
    rows = _documents(conn)
    if rows:
        table = sa.table("search_documents", sa.column("claim_id"), sa.column("document"))
        conn.execute(sa.insert(table), rows)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_documents_au", "search_documents_ad", "search_documents_ai"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE search_fts")
    else:
        op.execute("DROP INDEX ix_search_documents_tsv")
    op.drop_table("search_documents")
