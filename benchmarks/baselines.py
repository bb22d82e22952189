"""The baselines: what the same work costs written by hand against the database driver, with no
claims code in the way. Each runs on the same ledger (or the same rows) as the command it is
compared with, in the same run of the benchmark."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import date
from pathlib import Path

from sqlalchemy.engine import make_url

from ledger.store.models import Base

CHUNK = 1000  # rows per transaction, as the import writes them


def connect(url: str):
    """A plain DB-API connection: sqlite3, or psycopg for PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(parsed.database, isolation_level=None)
        # The pragmas every claims connection sets, so both sides pay for the same durability.
        for pragma in ("busy_timeout = 30000", "journal_mode = WAL", "foreign_keys = ON", "synchronous = NORMAL"):
            conn.execute(f"PRAGMA {pragma}")
        return conn
    import psycopg

    return psycopg.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False))


def copy_rows(source_url: str, target_url: str) -> tuple[float, int]:
    """Insert every row of the ledger at ``source_url`` into the empty ledger at ``target_url``
    with executemany, table by table, ``CHUNK`` rows per transaction. Only the inserts and commits
    are timed, not the reading. Returns (seconds, rows)."""
    sqlite = make_url(target_url).get_backend_name() == "sqlite"
    src, dst = connect(source_url), connect(target_url)
    spent, total = 0.0, 0
    try:
        for table in Base.metadata.sorted_tables:
            columns = [c.name for c in table.columns]
            marks = ", ".join(["?" if sqlite else "%s"] * len(columns))
            insert = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
            order = ", ".join(c.name for c in table.primary_key.columns)
            read = src.cursor() if sqlite else src.cursor(name=f"copy_{table.name}")
            read.execute(f"SELECT {', '.join(columns)} FROM {table.name} ORDER BY {order}")
            while rows := read.fetchmany(CHUNK):
                start = time.perf_counter()
                if sqlite:
                    dst.execute("BEGIN IMMEDIATE")
                    dst.executemany(insert, rows)
                    dst.execute("COMMIT")
                else:
                    with dst.cursor() as cur:
                        cur.executemany(insert, rows)
                    dst.commit()
                spent += time.perf_counter() - start
                total += len(rows)
            read.close()
            if not sqlite:
                src.commit()
    finally:
        src.close()
        dst.close()
    return spent, total


DUE_SQL = """
SELECT c.id, s.name, c.text, c.quote, c.deadline, c.deadline_text, c.status, src.url
FROM claims c
JOIN speakers s ON s.id = c.speaker_id
LEFT JOIN sources src ON src.id = c.source_id
WHERE c.status IN ('open', 'due', 'disputed') AND c.deadline < {today}
ORDER BY c.deadline, c.id
"""


def due(url: str, today: date) -> str:
    """A hand-written `claims due --json`: the indexed query (the (status, deadline) index answers
    the WHERE), then the same JSON, byte for byte, so the two can be compared."""
    conn = connect(url)
    try:
        sqlite = isinstance(conn, sqlite3.Connection)
        cur = conn.cursor()
        cur.execute(DUE_SQL.format(today="?" if sqlite else "%s"), (today.isoformat() if sqlite else today,))
        rows = cur.fetchall()
    finally:
        conn.close()
    views = []
    for i, speaker, text, quote, deadline, words, status, url_ in rows:
        deadline = date.fromisoformat(deadline) if isinstance(deadline, str) else deadline
        views.append({
            "id": i, "speaker": speaker, "text": text, "quote": quote, "deadline": deadline.isoformat(),
            "deadline_text": words, "days_overdue": (today - deadline).days, "status": status, "source": url_,
            "resolve": f"claims resolve {i} --outcome true|false|partial|ambiguous --evidence URL",
        })
    return json.dumps(views, indent=2, ensure_ascii=False) + "\n"


HIT_RATES_SQL = """
SELECT speaker_id,
       SUM(CASE WHEN outcome = 'true' AND (occurred IS NULL OR occurred <= deadline) THEN 1 ELSE 0 END),
       COUNT(*)
FROM claims
WHERE said <= {d} AND status <> 'disputed' AND outcome IN ('true', 'false', 'partial')
  AND (occurred IS NULL OR occurred <= {d}) AND deadline < {d}
GROUP BY speaker_id
"""


def hit_rates(url: str, today: date) -> dict[int, float]:
    """Each speaker's strict hit rate (on-time trues over scored claims, the report's default) by
    one GROUP BY. Returns {speaker_id: rate} so the report can be checked against it."""
    conn = connect(url)
    try:
        sqlite = isinstance(conn, sqlite3.Connection)
        mark = "?" if sqlite else "%s"
        value = today.isoformat() if sqlite else today
        cur = conn.cursor()
        cur.execute(HIT_RATES_SQL.format(d=mark), (value,) * 3)
        rows = cur.fetchall()
    finally:
        conn.close()
    rates = {speaker: hits / scored for speaker, hits, scored in rows}
    json.dumps(rates)  # a hand-written report prints its figures too
    return rates


SPEAKER_SQL = """
SELECT status, outcome, occurred, deadline, probability
FROM claims
WHERE speaker_id = {mark} AND said <= {mark} AND withdrawn_at IS NULL
"""


def speaker_report(url: str, today: date, speaker_id: int) -> float | None:
    """A hand-written `claims report --speaker S --format json`: that speaker's rows through the
    index on the speaker, the prior a report stored (the latest), then the strict hit rate, the
    rate shrunk toward the prior and the Brier score of stated probabilities, printed as JSON.
    Returns the hit rate, to check the report against."""
    conn = connect(url)
    try:
        sqlite = isinstance(conn, sqlite3.Connection)
        mark = "?" if sqlite else "%s"
        cur = conn.cursor()
        cur.execute("SELECT alpha, beta FROM report_priors ORDER BY journal_seq DESC LIMIT 1")
        alpha, beta = cur.fetchone() or (0.0, 0.0)
        cur.execute(SPEAKER_SQL.format(mark=mark), (speaker_id, today.isoformat() if sqlite else today))
        rows = cur.fetchall()
    finally:
        conn.close()
    hits = scored = 0
    squares, stated = 0.0, 0
    for status, outcome, occurred, deadline, probability in rows:
        occurred = date.fromisoformat(occurred) if isinstance(occurred, str) else occurred
        deadline = date.fromisoformat(deadline) if isinstance(deadline, str) else deadline
        if status == "disputed" or outcome not in ("true", "false", "partial") or deadline >= today:
            continue
        if occurred is not None and occurred > today:
            continue
        scored += 1
        came_true = outcome == "true" and (occurred is None or occurred <= deadline)
        hits += came_true
        if probability is not None:
            stated += 1
            squares += (float(probability) - came_true) ** 2
    rate = hits / scored if scored else None
    json.dumps({"speaker_id": speaker_id, "claims": len(rows), "scored": scored, "hits": hits, "hit_rate": rate,
                "shrunk_hit_rate": (hits + alpha) / (scored + alpha + beta) if scored + alpha + beta else None,
                "brier": squares / stated if stated else None})
    return rate


def search(url: str, word: str, limit: int = 20) -> tuple[float, list[int]]:
    """The full-text query `claims search WORD --limit N` makes, written by hand against the index
    (FTS5 with BM25; PostgreSQL's GIN-indexed English tsvector with ts_rank): (seconds, claim ids)."""
    sqlite = make_url(url).get_backend_name() == "sqlite"
    conn = connect(url)
    try:
        start = time.perf_counter()
        if sqlite:
            rows = conn.execute(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY bm25(search_fts), rowid LIMIT ?",
                (f'"{word}"', limit),
            ).fetchall()
        else:
            rows = conn.execute(
                "SELECT claim_id FROM search_documents, to_tsquery('english', %s) q "
                "WHERE to_tsvector('english', document) @@ q "
                "ORDER BY ts_rank(to_tsvector('english', document), q) DESC, claim_id LIMIT %s",
                (word, limit),
            ).fetchall()
        return time.perf_counter() - start, [r[0] for r in rows]
    finally:
        conn.close()


def write_files(files: dict[str, bytes], folder: Path) -> float:
    """Write ``files`` ({relative path: bytes}, a published site read back) into the empty
    ``folder`` with plain ``open``/``write``, making their folders first: what writing that many
    files of those sizes costs on this file system. Returns the seconds taken."""
    start = time.perf_counter()
    for sub in sorted({Path(path).parent for path in files}):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for path, data in files.items():
        with open(folder / path, "wb") as handle:
            handle.write(data)
    return time.perf_counter() - start


# A hand-written `claims list` of every claim: the driver, the same join and order, the same
# terminal escaping and cells, the whole result in memory to measure the columns, then print.
LIST_PROGRAM = r'''
import re, sys
from datetime import date
url, today = sys.argv[1], sys.argv[2]
BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}]")
def visible(m):
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
def cell(value):
    text = CONTROLS.sub(visible, " ".join(str(value).split()) if value is not None else "")
    return text if len(text) <= 50 else text[:49] + "\u2026"
if url.startswith("sqlite"):
    import sqlite3
    conn = sqlite3.connect(url.split(":///", 1)[1])
else:
    import psycopg
    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    today = date.fromisoformat(today)
cur = conn.cursor()
cur.execute("SELECT claim_id, tag FROM claim_tags ORDER BY claim_id, tag")
tags = {}
for claim_id, tag in cur:
    tags.setdefault(claim_id, []).append(tag)
cur.execute("SELECT c.id, c.said, s.name, c.text, c.deadline, c.status, c.outcome FROM claims c "
            "JOIN speakers s ON s.id = c.speaker_id WHERE c.withdrawn_at IS NULL ORDER BY c.id")
rows = [[cell(v) for v in (i, said, name, text, deadline, "due" if status == "open" and deadline < today else status,
                           outcome or "", ",".join(tags.get(i, [])))] for i, said, name, text, deadline, status, outcome in cur]
headers = ["ID", "SAID", "SPEAKER", "CLAIM", "DEADLINE", "STATUS", "OUTCOME", "TAGS"]
widths = [max([len(h)] + [len(r[n]) for r in rows]) for n, h in enumerate(headers)]
out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
sys.stdout.write("\n".join(out) + "\n")
'''


# A hand-written `claims verify`: each journaled table's snapshot fields, in the journal's format
# (field, column, how the value is spelled), written out here rather than taken from the code
# under test. Kinds: "" as stored, "date" an ISO date, "time" an ISO UTC timestamp, "bool".
SNAPSHOT_FIELDS = {
    "speaker": ("speakers", "id name created_at:time slug"),
    "source": ("sources", "id url title publisher published:date text_sha256 created_at:time html_sha256"),
    "claim": ("claims", "id speaker_id source_id text quote said:date deadline_text deadline:date deadline_earliest:date "
                        "deadline_granularity deadline_timex deadline_strict:date deadline_assumed:bool probability confidence "
                        "event status logged_by logged_at:time restates_id outcome occurred:date resolved_at:time version "
                        "withdrawn_at:time"),
    "reviewer": ("reviewers", "id name email created_at:time"),
    "resolution": ("resolutions", "id claim_id outcome occurred:date reviewer evidence note reason supersedes_id "
                                  "claim_version round recorded_at:time"),
    "assignment": ("claim_reviewers", "id claim_id reviewer_id assigned_by assigned_at:time"),
    "change": ("claim_changes", "id claim_id action reason changes actor at:time"),
    "skip": ("extract_skips", "id source_id candidate skipped_by skipped_at:time"),
    "restatement": ("restatement_changes", "id claim_id restates_id previous_id reason actor recorded_at:time"),
}
# A snapshot's collections: entity -> (field, table, the row's id column, the value's column).
COLLECTIONS = {"speaker": ("aliases", "speaker_aliases", "speaker_id", "alias"), "claim": ("tags", "claim_tags", "claim_id", "tag")}
REMOVED_BY = ("speaker.merged", "reviewer.removed", "assignment.removed")


def _spelled(kind: str):
    from datetime import datetime, timezone

    def stamp(value):
        if value is None:
            return None
        value = datetime.fromisoformat(value) if isinstance(value, str) else value
        return value.replace(tzinfo=timezone.utc).isoformat()

    def day(value):
        return None if value is None else value if isinstance(value, str) else value.isoformat()

    return {"": lambda v: v, "date": day, "time": stamp, "bool": bool}[kind]


def verify(url: str) -> tuple[str, int, int, int]:
    """Recompute every journal entry's SHA-256 over its canonical JSON and its link to the one
    before, keep the digest of each row's latest snapshot, then read each journaled table in id
    order, spell each row's snapshot and compare digests: the driver, json and hashlib, one
    process. Returns (head hash, entries, rows, problems)."""
    import hashlib

    conn = connect(url)
    if not isinstance(conn, sqlite3.Connection):  # both passes in one snapshot, as verify reads them
        import psycopg

        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    problems, rows = 0, 0
    dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
    at = _spelled("time")
    latest: dict[tuple[str, int], bytes] = {}
    try:
        cur = conn.cursor()
        cur.execute("SELECT seq, at, actor, action, entity, entity_id, payload, prev_hash, hash FROM journal ORDER BY seq")
        prev, entries = "0" * 64, 0
        while batch := cur.fetchmany(CHUNK):
            for seq, when, actor, action, entity, entity_id, payload, prev_hash, stored in batch:
                entries += 1
                body = dumps({"prev_hash": prev_hash, "seq": seq, "at": at(when), "actor": actor, "action": action,
                              "entity": entity, "entity_id": entity_id, "payload": payload})
                problems += prev_hash != prev or hashlib.sha256(body.encode()).hexdigest() != stored
                if action in REMOVED_BY:
                    latest.pop((entity, entity_id), None)
                else:
                    latest[(entity, entity_id)] = hashlib.sha256(payload.encode()).digest()
                prev = stored
        for entity, (table, spec) in SNAPSHOT_FIELDS.items():
            fields = [f.split(":") + [""] for f in spec.split()]
            names, columns = [f[0] for f in fields], ", ".join(f[0] for f in fields)
            spell = [_spelled(f[1]) for f in fields]
            collection = COLLECTIONS.get(entity)
            items: dict[int, list] = {}
            if collection:  # read whole, as a hand-written program would (the claims' tags fit in memory)
                _, child, key, value = collection
                cur.execute(f"SELECT {key}, {value} FROM {child}")
                for row_id, item in cur.fetchall():
                    items.setdefault(row_id, []).append(item)
            cur.execute(f"SELECT {columns} FROM {table} ORDER BY id")
            while batch := cur.fetchmany(CHUNK):
                for row in batch:
                    rows += 1
                    snapshot = {name: how(v) for name, how, v in zip(names, spell, row)}
                    if collection:
                        snapshot[collection[0]] = sorted(items.get(row[0], ()))
                    digest = hashlib.sha256(dumps(snapshot).encode()).digest()
                    problems += latest.pop((entity, row[0]), None) != digest
        problems += len(latest)  # rows journaled and gone
    finally:
        conn.close()
    return prev, entries, rows, problems


# The start-up floor of a command that reads a PostgreSQL ledger: SQLAlchemy's ORM and the driver
# imported, one connection opened and closed.
CONNECT_PROGRAM = """
import sys
import sqlalchemy.orm, psycopg
psycopg.connect(sys.argv[1].replace("postgresql+psycopg://", "postgresql://")).close()
"""


# A hand-written `claims scheduler run --once` on a ledger whose lapsed claims were never scanned,
# with the default settings (the log channel, no reviewer assigned, every 7 days): in one
# transaction under the journal's lock, flag the lapsed open claims, journal each (the claim's
# snapshot, chained from the tail), give each a schedule and an outbox row; then print the one
# digest to the log and mark its reminders sent. argv: URL, today.
SCHEDULER_PROGRAM = r'''
import hashlib, json, re, sys
from datetime import date, datetime, timedelta, timezone
url, today = sys.argv[1], date.fromisoformat(sys.argv[2])
FIELDS = [f.split(":") + [""] for f in %(fields)r.split()]
BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}]")
def visible(m):
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
sqlite = url.startswith("sqlite")
now = datetime.now(timezone.utc).replace(microsecond=0)
if sqlite:
    import sqlite3
    conn = sqlite3.connect(url.split(":///", 1)[1], isolation_level=None)
    for pragma in ("busy_timeout = 30000", "foreign_keys = ON", "synchronous = NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("BEGIN IMMEDIATE")
    mark, day, stamp = "?", today.isoformat(), f"{now:%%Y-%%m-%%d %%H:%%M:%%S}.000000"
else:
    import psycopg
    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    conn.execute("SELECT pg_advisory_xact_lock(%%s)", (0x636C61696D73,))
    mark, day, stamp = "%%s", today, now.replace(tzinfo=None)
def q(sql):
    return sql.replace("?", mark)
def spell(value, kind):
    if value is None or kind == "":
        return value
    if kind == "bool":
        return bool(value)
    if kind == "time":
        value = datetime.fromisoformat(value) if isinstance(value, str) else value
        return value.replace(tzinfo=timezone.utc).isoformat()
    return value if isinstance(value, str) else value.isoformat()
cur = conn.cursor()
cur.execute(q("UPDATE claims SET status = 'due', version = version + 1 WHERE status = 'open' AND deadline < ? "
              "AND withdrawn_at IS NULL RETURNING id"), (day,))
flagged = sorted(r[0] for r in cur.fetchall())
seq, prev = cur.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone() or (0, "0" * 64)
dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
entries = []
for start in range(0, len(flagged), 500):
    chunk = flagged[start:start + 500]
    marks = ", ".join([mark] * len(chunk))
    tags = {}
    for claim_id, tag in cur.execute(f"SELECT claim_id, tag FROM claim_tags WHERE claim_id IN ({marks})", chunk).fetchall():
        tags.setdefault(claim_id, []).append(tag)
    rows = cur.execute(f"SELECT {', '.join(f[0] for f in FIELDS)} FROM claims WHERE id IN ({marks}) ORDER BY id", chunk).fetchall()
    for row in rows:
        snapshot = {f[0]: spell(v, f[1]) for f, v in zip(FIELDS, row)}
        snapshot["tags"] = sorted(tags.get(row[0], ()))
        payload, seq = dumps(snapshot), seq + 1
        body = dumps({"prev_hash": prev, "seq": seq, "at": now.isoformat(), "actor": "claims scheduler",
                      "action": "claim.flagged", "entity": "claim", "entity_id": row[0], "payload": payload})
        digest = hashlib.sha256(body.encode()).hexdigest()
        entries.append((seq, stamp, "claims scheduler", "claim.flagged", "claim", row[0], payload, prev, digest))
        prev = digest
cur.executemany(q("INSERT INTO journal (seq, at, actor, action, entity, entity_id, payload, prev_hash, hash) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"), entries)
cur.execute(q("INSERT INTO reminder_schedule (claim_id, flagged_on, number, next_on) SELECT id, ?, 1, ? FROM claims "
              "WHERE status IN ('due', 'disputed') AND deadline < ? AND withdrawn_at IS NULL "
              "AND id NOT IN (SELECT claim_id FROM reminder_schedule) RETURNING claim_id"),
            (day, day + timedelta(days=7) if not sqlite else (today + timedelta(days=7)).isoformat(), day))
scheduled = [r[0] for r in cur.fetchall()]
cur.executemany(q("INSERT INTO reminders (claim_id, recipient, channel, number, due_on, status, attempts, next_attempt_at, "
                  "created_at) VALUES (?, 'reviewers', 'log', 1, ?, 'pending', 0, ?, ?)"),
                [(i, day, stamp, stamp) for i in scheduled])
conn.commit() if not sqlite else conn.execute("COMMIT")
if sqlite:
    conn.execute("BEGIN IMMEDIATE")
rows = cur.execute(q("SELECT c.id, s.name, c.text, c.quote, c.deadline, c.deadline_text, src.url, r.number FROM reminders r "
                     "JOIN claims c ON c.id = r.claim_id JOIN speakers s ON s.id = c.speaker_id "
                     "LEFT JOIN sources src ON src.id = c.source_id WHERE r.status = 'pending' AND r.channel = 'log' "
                     "AND r.recipient = 'reviewers' ORDER BY c.deadline, c.id")).fetchall()
n = len(rows)
lines = [f"{n} claim{' has' if n == 1 else 's have'} passed {'its' if n == 1 else 'their'} deadline "
         f"and await{'s' if n == 1 else ''} your verdict (as of {today.isoformat()}).", ""]
for claim_id, speaker, text, quote, deadline, words, source, number in rows:
    deadline = date.fromisoformat(deadline) if isinstance(deadline, str) else deadline
    days = (today - deadline).days
    lines.append(f"#{claim_id} {speaker}: {text}")
    if quote:
        lines.append(f"  \u201c{quote}\u201d")
    lines.append(f"  Deadline {deadline.isoformat()} ({words}), {days} day{'' if days == 1 else 's'} overdue, reminder {number}")
    if source:
        lines.append(f"  Source: {source}")
    lines.append(f"  Close it: claims resolve {claim_id} --outcome true|false|partial|ambiguous --evidence URL")
    lines.append("")
lines.append("You will be reminded again every 7 days until each claim is resolved.")
subject = f"claims: {n} lapsed prediction{'' if n == 1 else 's'} awaiting a verdict"
sys.stdout.write(CONTROLS.sub(visible, f"--- reminder for reviewers: {subject}\n" + "\n".join(lines) + "\n"))
sys.stdout.flush()
cur.execute(q("UPDATE reminders SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE status = 'pending' "
              "AND channel = 'log' AND recipient = 'reviewers'"), (stamp,))
conn.commit() if not sqlite else conn.execute("COMMIT")
''' % {"fields": SNAPSHOT_FIELDS["claim"][1]}
