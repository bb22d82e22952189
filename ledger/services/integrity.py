"""Proving the ledger intact: recompute the journal's hash chain, then check that every journaled
row is exactly what its latest journal entry recorded.

One ordered pass over the journal keeps only a SHA-256 digest of the latest snapshot per row;
then each table streams in id order and each row's snapshot (the same code the journal used,
ledger.store.snapshots) is compared with that digest. Memory grows with the number of rows, not
with their size, and both passes read in one consistent snapshot of the database.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from types import SimpleNamespace

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ledger.domain.chain import GENESIS, canonical_json, entry_hash
from ledger.domain.derived import mismatches
from ledger.errors import InvalidInput
from ledger.store import dialect
from ledger.store.engine import Ledger
from ledger.store.models import Claim, JournalEntry, SearchDocument
from ledger.store.snapshots import ADDED_LATER, EMPTY_WHEN_ADDED, REMOVALS, SNAPSHOTS

BATCH = 2000
MAX_SHOWN = 100  # problems listed; all are counted
_HEAD = re.compile(r"^(?:(\d+):)?([0-9a-fA-F]{64})$")


def parse_head(text: str) -> tuple[int | None, str]:
    """``SEQ:HASH`` or ``HASH``, as `claims verify` prints the head."""
    match = _HEAD.match((text or "").strip())
    if not match:
        raise InvalidInput(f"--head {text!r} is not SEQ:HASH or a 64-digit hex hash (as `claims verify` prints it)")
    return (int(match[1]) if match[1] else None), match[2].lower()


class _Problems:
    def __init__(self):
        self.shown: list[dict] = []
        self.count = 0

    def add(self, kind: str, message: str, **where) -> None:
        self.count += 1
        if len(self.shown) < MAX_SHOWN:
            self.shown.append({"kind": kind, **where, "message": message})


def _digest(payload: str) -> bytes:
    return hashlib.sha256(payload.encode("utf-8")).digest()


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"


def _decodes(payload: str | None, entity: str, entity_id: int) -> bool:
    """Whether an entry's payload is a snapshot of the row it names: a JSON object with its id.
    The hash alone cannot tell: anyone can append an entry with a valid hash."""
    if entity not in SNAPSHOTS:
        return False
    try:
        value = json.loads(payload)  # type: ignore[arg-type]
    except (TypeError, ValueError, RecursionError):
        return False
    return isinstance(value, dict) and value.get("id") == entity_id


class _Digests:
    """{row id: SHA-256 digest} in 33 bytes per row (a flag and the digest, at the id's place in two
    byte arrays) rather than a dict entry and a bytes object (about 170 bytes): the digests of a
    million rows were most of verify's memory. An id far past the rows held so far (or below 1) can
    only come from a journal edited by hand; it goes to a plain dict, so no id makes the arrays huge."""

    __slots__ = ("_flags", "_data", "_held", "_sparse")

    def __init__(self) -> None:
        self._flags, self._data, self._held, self._sparse = bytearray(), bytearray(), 0, {}

    def __setitem__(self, row_id: int, digest: bytes) -> None:
        if not 0 < row_id <= 4 * self._held + 65_536:
            self._sparse[row_id] = digest
            return
        if row_id >= len(self._flags):
            grow = max(row_id + 1, 2 * len(self._flags)) - len(self._flags)
            self._flags.extend(bytes(grow))
            self._data.extend(bytes(32 * grow))
        self._held += not self._flags[row_id]
        self._flags[row_id] = 1
        self._data[32 * row_id : 32 * row_id + 32] = digest

    def pop(self, row_id: int, default: bytes | None = None) -> bytes | None:
        if 0 < row_id < len(self._flags) and self._flags[row_id]:
            self._flags[row_id] = 0
            self._held -= 1
            return bytes(self._data[32 * row_id : 32 * row_id + 32])
        return self._sparse.pop(row_id, default)

    def __iter__(self) -> Iterator[int]:
        yield from (i for i, held in enumerate(self._flags) if held)
        yield from list(self._sparse)


def _check_chain(
    session: Session, head: tuple[int | None, str] | None, problems: _Problems, upto: int | None = None, keep: bool = True
):
    """Walk the journal in order (to entry ``upto``, if given); return the last entry, its count,
    {entity: {id: digest}} (empty unless ``keep``), and the entries appended after the published
    ``head`` (all counted, the first MAX_SHOWN kept)."""
    latest: dict[str, _Digests] = {name: _Digests() for name in SNAPSHOTS} if keep else {}
    expected_seq, prev, count, last = 1, GENESIS, 0, None
    head_seq, head_hash = head if head else (None, None)
    head_found = False
    appended: list[dict] = []
    appended_count = 0
    columns = (
        JournalEntry.seq, JournalEntry.at, JournalEntry.actor, JournalEntry.action, JournalEntry.entity,
        JournalEntry.entity_id, JournalEntry.payload, JournalEntry.prev_hash, JournalEntry.hash,
    )
    query = select(*columns).order_by(JournalEntry.seq)
    if upto is not None:
        query = query.where(JournalEntry.seq <= upto)
    # Core, not the ORM's result machinery: plain column rows, several times cheaper per row.
    rows = session.connection().execute(query.execution_options(yield_per=BATCH))
    for seq, at, actor, action, entity, entity_id, payload, prev_hash, stored in rows:
        count += 1
        if head_found:
            appended_count += 1
            if len(appended) < MAX_SHOWN:
                appended.append({
                    "seq": seq, "at": at.isoformat() if at else None, "actor": actor, "action": action,
                    "entity": entity, "id": entity_id,
                })
        if seq != expected_seq:
            gap = f"#{expected_seq}" if seq == expected_seq + 1 else f"#{expected_seq} to #{seq - 1}"
            problems.add("journal", f"journal entry {gap} is missing: deleted from the journal", seq=expected_seq)
        elif prev_hash != prev:
            problems.add("journal", f"journal entry #{seq} does not follow entry #{seq - 1}: the chain was rewritten", seq=seq)
        try:
            recomputed = entry_hash(
                prev_hash=prev_hash, seq=seq, at=at.isoformat(), actor=actor, action=action,
                entity=entity, entity_id=entity_id, payload=payload,
            )
        except (AttributeError, TypeError, ValueError):  # a NULL or mistyped field, written by hand
            recomputed = None
        if recomputed != stored:
            problems.add("journal", f"journal entry #{seq} was altered: its content no longer matches its hash", seq=seq)
        elif not _decodes(payload, entity, entity_id):
            problems.add("journal", f"journal entry #{seq} was tampered with: its payload is not a snapshot of {entity} #{entity_id}", seq=seq)
        if head_hash is not None and stored == head_hash and head_seq in (None, seq):
            head_found = True
        elif head_seq == seq:
            problems.add(
                "head",
                f"journal entry #{seq} is not the published head ({(stored or '')[:12]}… instead of {head_hash[:12]}…): "
                "the journal was rewritten",
                seq=seq,
            )
            head_found = True  # reported
        if entity in latest and payload is not None:
            if action in REMOVALS:
                latest[entity].pop(entity_id, None)
            else:
                latest[entity][entity_id] = _digest(payload)
        expected_seq, prev, last = seq + 1, stored, (seq, stored)
    if head_hash is not None and not head_found:
        if head_seq is not None and (last is None or last[0] < head_seq):
            end = f"ends at entry #{last[0]}" if last else "is empty"
            problems.add(
                "head", f"the journal {end} but the published head is entry #{head_seq}: its tail was cut off", seq=head_seq
            )
        else:
            problems.add("head", f"the published head {head_hash[:12]}… is not in the journal: it was cut off or rewritten")
    return last, count, latest, (appended_count, appended)


def _latest(session: Session, upto: int) -> dict[str, _Digests]:
    """{entity: {id: digest}} of each row's latest snapshot to entry ``upto``, as _check_chain
    keeps them, without checking the chain (another process does)."""
    latest: dict[str, _Digests] = {name: _Digests() for name in SNAPSHOTS}
    query = (
        select(JournalEntry.action, JournalEntry.entity, JournalEntry.entity_id, JournalEntry.payload)
        .where(JournalEntry.seq <= upto)
        .order_by(JournalEntry.seq)
        .execution_options(yield_per=BATCH)
    )
    for action, entity, entity_id, payload in session.connection().execute(query):
        if entity in latest and payload is not None:
            if action in REMOVALS:
                latest[entity].pop(entity_id, None)
            else:
                latest[entity][entity_id] = _digest(payload)
    return latest


def _journaled(session: Session, entity: str, row_id: int) -> tuple[int, dict] | None:
    entry = session.execute(
        select(JournalEntry.seq, JournalEntry.payload)
        .where(JournalEntry.entity == entity, JournalEntry.entity_id == row_id)
        .order_by(JournalEntry.seq.desc())
        .limit(1)
    ).first()
    if entry is None:
        return None
    try:
        recorded = json.loads(entry[1])
    except (TypeError, ValueError, RecursionError):
        recorded = None
    return entry[0], recorded if isinstance(recorded, dict) else {}


def _records(session: Session, model: type) -> Iterator[list[SimpleNamespace]]:
    """``model``'s rows in id order, in batches, as plain records: the columns, plus the collections
    a snapshot reads (a speaker's aliases, a claim's tags) fetched by id range for each batch.

    Plain records rather than ORM objects: the snapshot code only reads attributes, and building
    100,000 mapped objects costs several times more than checking them."""
    mapper = inspect(model)
    columns = [getattr(model, attr.key) for attr in mapper.column_attrs]
    collections = []
    for rel in mapper.relationships:
        if rel.uselist:
            (_, child_fk), = rel.local_remote_pairs
            child = rel.mapper.class_
            collections.append((rel.key, [getattr(child, a.key) for a in rel.mapper.column_attrs], child_fk))
    query = select(*columns).order_by(model.id).execution_options(yield_per=BATCH)
    conn = session.connection()
    for batch in conn.execute(query).partitions():
        if not collections:  # a result row already reads like the record
            yield batch
            continue
        records = [SimpleNamespace(**row._mapping) for row in batch]
        first, last = records[0].id, records[-1].id
        for key, child_columns, fk in collections:
            children: dict[int, list] = {r.id: [] for r in records}
            for row in conn.execute(select(*child_columns).where(fk >= first, fk <= last)):
                children[getattr(row, fk.key)].append(row)
            for record in records:
                setattr(record, key, children[record.id])
        yield records


def _derived_mismatches(entity: str, row) -> list[tuple[str, str, object, object]]:
    """Derived columns that are not what their fields give; a speaker's aliases' included."""
    found = mismatches(entity, row)
    if entity == "speaker":
        for alias in row.aliases:
            found += [(f"{column} of alias {alias.alias!r}", *rest) for column, *rest in mismatches("alias", alias)]
    return found


def _legacies(entity: str, current: dict) -> list[dict]:
    """The snapshot as entries journaled before ADDED_LATER's fields existed recorded it: fields
    come in the order they were added, so an older entry lacks a tail of them. A row with a value
    in a field that was empty when it was added is no longer such a row."""
    added = ADDED_LATER.get(entity, ())
    found = []
    for start in range(len(added)):
        dropped = added[start:]
        if any(current.get(k) is not None for k in dropped if k in EMPTY_WHEN_ADDED.get(entity, ())):
            continue
        found.append({k: v for k, v in current.items() if k not in dropped})
    return found


def _legacy_like(entity: str, current: dict, recorded: dict) -> dict:
    """``current`` cut down to the added-later fields ``recorded`` holds, to name what differs (one
    that was empty when added and now holds a value is kept: that value is what differs)."""
    empty = EMPTY_WHEN_ADDED.get(entity, ())
    missing = [k for k in ADDED_LATER.get(entity, ()) if k not in recorded and not (k in empty and current.get(k) is not None)]
    return {k: v for k, v in current.items() if k not in missing}


def _check_rows(session: Session, latest: dict[str, _Digests], problems: _Problems) -> dict[str, int]:
    counts = {}
    for entity, (model, snapshot) in SNAPSHOTS.items():
        expected = latest[entity]
        found: list[tuple[int, str]] = []
        n = 0
        for batch in _records(session, model):
            for row in batch:
                n += 1
                current = snapshot(row)
                want = expected.pop(row.id, None)
                for column, field, stored, derived in _derived_mismatches(entity, row):
                    found.append((
                        row.id,
                        f"{entity} #{row.id} was changed behind the tool's back: {column} is {_short(stored)}, "
                        f"where its {field} gives {_short(derived)}",
                    ))
                if want is None:
                    found.append((row.id, f"{entity} #{row.id} is not in the journal: inserted behind the tool's back"))
                elif want != _digest(canonical_json(current)) and want not in {
                    _digest(canonical_json(v)) for v in _legacies(entity, current)
                }:  # the older spellings only for a row that is not as the latest entry spells it now
                    seq, recorded = _journaled(session, entity, row.id)
                    current = _legacy_like(entity, current, recorded)
                    field = next((k for k in sorted(current.keys() | recorded.keys()) if current.get(k) != recorded.get(k)), "?")
                    found.append((
                        row.id,
                        f"{entity} #{row.id} differs from journal entry #{seq}: {field} is {_short(current.get(field))}, "
                        f"the journal says {_short(recorded.get(field))}",
                    ))
        for row_id in expected:
            seq = _journaled(session, entity, row_id)[0]
            found.append((row_id, f"{entity} #{row_id} is missing: deleted behind the tool's back (journaled in entry #{seq})"))
        for row_id, message in sorted(found):
            problems.add("row", message, entity=entity, id=row_id)
        counts[entity] = n
    return counts


def _check_search(session: Session, problems: _Problems) -> int:
    """Each claim's search document is what its claim, speaker and source give (the same code the
    writers use, services.search.documents); the index the backend builds over them is its own."""
    from ledger.services.search import CHUNK, documents

    ids = list(session.scalars(select(Claim.id).order_by(Claim.id)))
    found: list[tuple[int, str]] = []
    n = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        expected = dict(documents(session, Claim.id.in_(chunk)))
        stored = dict(session.execute(select(SearchDocument.claim_id, SearchDocument.document).where(SearchDocument.claim_id.in_(chunk))).all())
        n += len(stored)
        for claim_id in chunk:
            if claim_id not in stored:
                found.append((claim_id, f"the search document of claim #{claim_id} is missing: deleted behind the tool's back"))
            elif stored[claim_id] != expected[claim_id]:
                found.append((claim_id, f"the search document of claim #{claim_id} was changed behind the tool's back: "
                                        f"it is {_short(stored[claim_id])}, where the claim gives {_short(expected[claim_id])}"))
    orphans = list(session.scalars(select(SearchDocument.claim_id).where(SearchDocument.claim_id.not_in(select(Claim.id)))))
    n += len(orphans)
    found += [(i, f"search document #{i} names no claim: inserted behind the tool's back") for i in orphans]
    for row_id, message in sorted(found):
        problems.add("row", message, entity="search_document", id=row_id)
    return n


def _check_priors(session: Session, problems: _Problems) -> int:
    """Each stored prior a report could read is what fitting it again gives (services.reports.priors)."""
    from ledger.services.reports.priors import check

    n, found = check(session)
    for key, message in found:
        problems.add("row", message, entity="report_prior", id=key)
    return n


PARALLEL_FROM = 20_000  # journal entries; below, starting a second process costs more than it saves


def _other_checks(url, head, upto: int, send) -> None:
    """In a second process: the chain to entry ``upto`` and the search documents, each in a
    snapshot of its own; sends (last, count, appended, journal problems, search count, search
    problems), or None if it could not."""
    try:
        ledger = Ledger(url, check_schema=False)
        try:
            chain, search = _Problems(), _Problems()
            with dialect.snapshot(ledger) as session:
                last, count, _, appended = _check_chain(session, head, chain, upto, keep=False)  # the rows' digests are the first's
            with dialect.snapshot(ledger) as session:
                searched = _check_search(session, search)
            send.send((last, count, appended, chain, searched, search))
        finally:
            ledger.dispose()
    except BaseException:  # noqa: BLE001  the first process then does it all itself
        send.send(None)


def _second_process(ledger: Ledger, head, upto: int):
    """A started process running _other_checks, and the end of the pipe its answer comes by; None
    where a second process cannot see this ledger or cannot be forked."""
    import multiprocessing

    memory = ledger.backend == "sqlite" and ledger.url.database in (None, "", ":memory:")
    if memory or upto < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("fork")  # no imports again: the child has this one's
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_other_checks, args=(ledger.url, head, upto, send), daemon=True)
    process.start()
    send.close()
    return process, receive


def _answer(process, receive):
    """What the second process sent, once it has ended; None if it died first or could not."""
    try:
        return receive.recv()
    except EOFError:  # it died
        return None
    finally:
        process.join()
        receive.close()


def _merged(*parts: _Problems) -> _Problems:
    merged = _Problems()
    for part in parts:
        merged.count += part.count
        merged.shown += part.shown[: MAX_SHOWN - len(merged.shown)]
    return merged


def verify(ledger: Ledger, head: str | None = None) -> dict:
    """Check the chain (and that it still holds a published ``head``) and every journaled row.

    Returns the report; ``problems`` is empty when the ledger is intact, else each names the first
    bad entry or row and what is wrong, journal first, then tables in id order.

    On a large journal the chain and the search documents are checked by a second process (both
    cores) while this one checks the rows: the journal is append-only, so the chain to the last
    entry this snapshot holds is the same in the other's snapshot.
    """
    published = parse_head(head) if head is not None else None
    chain, rows, search = _Problems(), _Problems(), _Problems()
    with dialect.snapshot(ledger) as session:  # one snapshot for both passes
        upto = session.scalar(select(JournalEntry.seq).order_by(JournalEntry.seq.desc()).limit(1)) or 0
        other = _second_process(ledger, published, upto)
        if other is None:
            last, entries, latest, (appended_count, appended) = _check_chain(session, published, chain)
        else:
            latest = _latest(session, upto)
        tables = _check_rows(session, latest, rows)
        answer = _answer(*other) if other is not None else None
        if answer is not None:
            last, entries, (appended_count, appended), chain, tables["search_document"], search = answer
        else:
            if other is not None:  # the second process could not: its chain walk is done here
                last, entries, _, (appended_count, appended) = _check_chain(session, published, chain, upto, keep=False)
            tables["search_document"] = _check_search(session, search)
        tables["report_prior"] = _check_priors(session, search)
    problems = _merged(chain, rows, search)
    return {
        "intact": problems.count == 0,
        "head": {"seq": last[0], "hash": last[1]} if last else None,
        "entries": entries,
        "rows": sum(tables.values()),
        "tables": tables,
        "checked_head": {"seq": published[0], "hash": published[1]} if published else None,
        # What a hash chain cannot prove by itself: entries appended since the published head
        # (who, when, what), for the publisher to read through.
        "appended_count": appended_count if published else None,
        "appended": appended if published else None,
        "problem_count": problems.count,
        "problems": problems.shown,
    }
