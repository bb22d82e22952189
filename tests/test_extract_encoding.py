"""What `claims extract` reads when a text is not UTF-8: Windows-1252 (and so Latin-1) is read and
said so, --encoding names any other, a page's declared charset is used, and bytes that read in
nothing are one line with nothing written. The encoding does not depend on the mode or the
backend, so these run once, in the rules mode on SQLite."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from loopback import Site

from ledger.cli.app import run
from ledger.cli.environment import Environment

# The apostrophe, the curly quotes and the e-acute of Windows-1252 (0x92, 0x93, 0x94, 0xE9).
CP1252 = (b"Tesla\x92s chief executive, Elon Musk, said the company would \x93probably\x94 launch robotaxis in "
          b"caf\xe9 districts by 2026.\n")
SENTENCE = "Tesla’s chief executive, Elon Musk, said the company would “probably” launch robotaxis in café districts by 2026."


@pytest.fixture
def backend():
    return "sqlite"


@pytest.fixture
def claims(db_url, tmp_path):
    config = tmp_path / "rules.toml"
    config.write_text('[extract]\nmodel = "no_such_pipeline_here"\ntimeout = 1\n', encoding="utf-8")

    def invoke(*args):
        env = Environment(stdin=io.StringIO(), stdout=io.StringIO(), stderr=io.StringIO(),
                          environ={"NO_COLOR": "1"}, today=date(2025, 3, 1), stdin_isatty=False, stdout_isatty=False)
        status = run(["--db", db_url, "--config", str(config), *map(str, args)], env=env)
        return int(status), env.stdout.getvalue(), env.stderr.getvalue()

    return invoke


def test_a_windows_1252_text_is_read_and_said_so(claims, tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes(CP1252)
    status, out, err = claims("extract", path, "--published", "2025-01-02", "--json")
    assert status == 0, err
    assert f"{path} is not UTF-8; read as Windows-1252" in err
    (c,) = json.loads(out)["candidates"]
    assert (c["sentence"], c["speaker_name"], c["deadline_text"]) == (SENTENCE, "Elon Musk", "by 2026")
    status, _, err = claims("extract", path, "--published", "2025-01-02", "--accept", "1")
    assert status == 0, err
    source = json.loads(claims("show", "1", "--json")[1])["source"]
    assert claims("verify")[0] == 0 and source["title"].startswith("Tesla’s chief executive")


def test_latin_1_is_windows_1252_where_they_share_a_byte(claims, tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes("Elon Musk said the café in Zürich would reopen by 2026.".encode("latin-1"))
    status, out, err = claims("extract", path, "--published", "2025-01-02", "--json")
    assert status == 0, err
    assert json.loads(out)["candidates"][0]["sentence"] == "Elon Musk said the café in Zürich would reopen by 2026."


def test_encoding_names_another(claims, tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes('"Мы запустим его к 2026 году," said Elon Musk, who will ship it by 2026.'.encode("koi8-r"))
    status, out, err = claims("extract", path, "--published", "2025-01-02", "--encoding", "koi8-r", "--json")
    assert status == 0, err
    assert "Мы запустим" in json.loads(out)["candidates"][0]["sentence"] and "read as" not in err


@pytest.mark.parametrize("content, args, message", [
    (b"Musk said \x81\x8d it would ship by 2026.", (),
     "is neither UTF-8 nor Windows-1252 text (byte 0x81 at offset 10 reads in neither); give its encoding with --encoding"),
    (CP1252, ("--encoding", "utf-8"), "is not UTF-8 text (byte 0x92 at offset 5); the --encoding given does not fit it"),
    (CP1252, ("--encoding", "klingon"), "--encoding 'klingon' is not an encoding Python knows"),
])
def test_bytes_that_do_not_read_are_one_line(claims, tmp_path, content, args, message):
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    status, out, err = claims("extract", path, "--published", "2025-01-02", *args)
    assert status == 2 and message in err and err.count("\n") == 1 and out == ""
    assert json.loads(claims("verify", "--json")[1])["entries"] == 0


def test_a_page_is_read_in_the_charset_it_declares(claims):
    body = ("<html><head><meta charset=\"iso-8859-1\"><title>Robotaxis</title></head><body><article><p>"
            + "Tesla\x92s chief executive, Elon Musk, said on Thursday that the company would launch robotaxis "
              "in caf\xe9 districts by 2026, well ahead of its rivals in the United States and in Europe.</p>"
            + "<p>Shares rose 3 percent after the remarks, which came at an event in Austin, Texas.</p>"
              "</article></body></html>").encode("latin-1")
    with Site({"/story": (200, {"Content-Type": "text/html"}, body)}) as site:
        status, out, err = claims("extract", f"{site.base}/story", "--published", "2025-01-02", "--json")
    assert status == 0, err
    (c,) = json.loads(out)["candidates"]
    assert c["sentence"].startswith("Tesla’s chief executive") and "café districts" in c["sentence"]
