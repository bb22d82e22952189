"""Several `claims` processes writing one ledger at once: they queue, none fails, the journal
chain stays one line."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import func, select

from ledger.store.models import Claim, JournalEntry


def _adders(db_url: str, claims: str, workers: int = 4) -> list[str]:
    """Run ``workers`` processes at once, each adding Elon Musk's claims ``claims`` (a Python
    expression of worker ``w``'s texts) in turn; returns each one's exit codes, e.g. "0040"."""
    code = (
        "from ledger.cli.app import run\n"
        "w = int(__import__('sys').argv[1])\n"
        f"print(''.join(str(run(['--db', {db_url!r}, 'add', text, '--speaker', 'Elon Musk', '--said', '2024-01-01',"
        f" '--deadline', 'by 2030'])) for text in {claims}))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(w)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for w in range(workers)]
    codes = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
        codes.append(out.strip().splitlines()[-1])
    return codes


def _counted(db_url: str):
    from ledger.store.engine import open_ledger

    ledger = open_ledger(db_url)
    with ledger.read() as s:
        claims = s.scalar(select(func.count()).select_from(Claim))
        seqs = list(s.scalars(select(JournalEntry.seq).order_by(JournalEntry.seq)))
    ledger.dispose()
    return claims, seqs


def test_parallel_adds_all_land(db_url, cli):
    assert cli("speaker", "add", "Elon Musk").status == 0
    assert _adders(db_url, "[f'claim {w}-{i}' for i in range(15)]") == ["0" * 15] * 4
    claims, seqs = _counted(db_url)
    assert claims == 60
    assert seqs == list(range(1, 62))  # the speaker, then 60 claims: no gap, no fork


def test_the_same_claim_added_by_several_processes_at_once_lands_once(db_url, cli):
    """No constraint keeps a second copy out (a merge may make one): the key is looked up under the
    journal lock, so of the writers racing on the same words exactly one adds them."""
    assert cli("speaker", "add", "Elon Musk").status == 0
    codes = _adders(db_url, "[f'raced claim {i}' for i in range(10)]")
    for i in range(10):  # each claim: added once (0), refused as already logged (4) by the others
        assert sorted(c[i] for c in codes) == ["0", "4", "4", "4"], codes
    claims, seqs = _counted(db_url)
    assert claims == 10 and seqs == list(range(1, 12))


def test_processes_opening_a_new_ledger_at_once_all_get_it(empty_db_url):
    """Schedulers and reviewers pointed at a new, empty database at the same moment: one migrates
    it, the others wait and find it ready; none fails on a table the other just created."""
    probe = (
        "import sys\nfrom ledger.cli.app import run\n"
        f"sys.exit(run(['--db', {empty_db_url!r}, 'list', '--json']))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", probe], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert (p.returncode, out.strip()) == (0, "[]"), err
