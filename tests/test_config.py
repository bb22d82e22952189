"""The config file is checked whole by every command that reads it: a typo, a wrong type or a value
out of range is one line naming the file, the key and what it expects (exit 7), never a silent
default. The examples in the README and docs/ are valid configs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ledger.cli.app import run
from ledger.config import load

ROOT = Path(__file__).resolve().parent.parent
SMTP = '[channels.email]\ntype = "smtp"\nhost = "smtp.example.org"\nfrom = "claims@example.org"\nto = ["desk@example.org"]\n'
HOOK = '[channels.chat]\ntype = "webhook"\nurl = "https://chat.example.org/hooks/x"\n'
SECTIONS = "channels, database, extract, publish, reminders, review, scheduler, user"


def write(tmp_path, body: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


def claims(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = run(list(args))
    captured = capsys.readouterr()
    return int(status), captured.out, captured.err


@pytest.mark.parametrize("body, message", [
    # A typo must not fall back to the default: one vote would settle a claim meant to need two.
    ("[review]\nquorom = 2\n", "unknown key review.quorom (did you mean review.quorum?); known: independent, quorum"),
    ("[reveiw]\nquorum = 2\n", f"unknown section [reveiw] (did you mean [review]?); known: {SECTIONS}"),
    ("quorum = 2\n", "unknown key quorum outside any section (did you mean [review] quorum?)"),
    ("[review]\nquorum = 0\n", "review.quorum must be a whole number from 1 to 100, not 0"),
    ("[review]\nquorum = 2.0\n", "review.quorum must be a whole number from 1 to 100, not 2.0"),
    ('[review]\nindependent = "yes"\n', "review.independent must be true or false, not 'yes'"),
    ("[database]\nurl = 5\n", "database.url must be a file path or database URL on one line, not 5"),
    ('[user]\nname = "Ada\\nReviewer"\n', "user.name must be a name on one line, not 'Ada\\nReviewer'"),
    ('[user]\nname = "  "\n', "user.name must be a name on one line, not '  '"),
    ('[channels.chat]\ntype = "webhook"\nurl = "http://"\n', 'channels.chat.url must be a web address like "https://chat.example.org/hooks/...", not \'http://\''),
    ('[channels.chat]\ntype = "webhook"\nurl = "https://chat.example.org/x\\r\\nHost: evil"\n', "channels.chat.url must be a web address like"),
    ('[channels.hook]\ntype = "webhook"\nurl = "ftp://x"\n', "channels.hook.url must be a web address like"),
    ('[channels.hook]\ntype = "webhook"\nurl = "http://[::1/hooks"\n', "channels.hook.url must be a web address like"),
    ('[channels.hook]\ntype = "webhook"\n', '[channels.hook] needs url = "https://..."'),
    (HOOK + "timeout = nan\n", "channels.chat.timeout must be a number of seconds above 0 and at most 600, not nan"),
    (HOOK + "timeout = inf\n", "channels.chat.timeout must be a number of seconds above 0 and at most 600, not inf"),
    (HOOK + "timeout = 0\n", "channels.chat.timeout must be a number of seconds above 0 and at most 600, not 0"),
    (HOOK + 'urll = "https://x.example.org"\n', "unknown key channels.chat.urll (did you mean channels.chat.url?); known: timeout, type, url"),
    ('[channels.x]\ntype = "pigeon"\n', "[channels.x] has unknown type 'pigeon'; use one of smtp, webhook, log"),
    ('[channels.mail]\ntype = "smtp"\nfrom = "a@example.org"\nto = ["b@example.org"]\n', '[channels.mail] needs host = "smtp.example.org"'),
    (SMTP + "port = 70000\n", "channels.email.port must be a whole number from 1 to 65535, not 70000"),
    (SMTP + 'port = "25"\n', "channels.email.port must be a whole number from 1 to 65535, not '25'"),
    (SMTP + 'security = "ssl"\n', "[channels.email] security must be one of starttls, tls, none, not 'ssl'"),
    (SMTP.replace('to = ["desk@example.org"]', 'to = ["desk@example.org\\r\\nBcc: everyone@example.org"]'),
     "channels.email.to must be an email address like \"Claims <claims@example.org>\" on one line, not 'desk@example.org\\r\\nBcc: everyone@example.org'"),
    (SMTP.replace('from = "claims@example.org"', 'from = "Claims\\r\\nBcc: x@example.org <claims@example.org>"'), "channels.email.from must be an email address like"),
    (SMTP.replace('from = "claims@example.org"', 'from = "claims"'), "channels.email.from must be an email address like"),
    (SMTP.replace('to = ["desk@example.org"]', 'to = ["desk@example.org, boss@example.org"]'), "channels.email.to must be an email address like"),
    (SMTP.replace('host = "smtp.example.org"', 'host = "smtp.example.org\\r\\n"'), "channels.email.host must be a host name like smtp.example.org"),
    (SMTP + 'user = "bot"\n', "[channels.email] has a user but no password_env naming the variable with its password"),
    (SMTP + 'user = "bot"\npassword_env = "MY PASSWORD"\n', "channels.email.password_env must be the name of an environment variable"),
    # Over plain SMTP the login would cross the network in clear.
    (SMTP + 'security = "none"\nuser = "bot"\npassword_env = "SMTP_PASSWORD"\n',
     '[channels.email] would send its password unencrypted to smtp.example.org (security = "none"); use security = "starttls" or "tls" (only a loopback host may go without)'),
    ('[channels.mail]\ntype = "smtp"\nhost = "h"\nfrom = "a@example.org"\n', "[channels.mail] needs `to` addresses"),
    ('[reminders]\nrecipients = ["Desk <desk@example.org>\\nBcc: x@example.org"]\n', "reminders.recipients must be an email address like"),
    ('[reminders]\nrecipients = ["' + "x" * 321 + '"]\n', "reminders.recipients must be a name of at most 320 characters"),
    ('[channels."a b"]\ntype = "log"\n', "[channels.'a b']: a channel name is 1 to 100 letters, digits, - or _"),
    ("[channels." + "c" * 101 + ']\ntype = "log"\n', "[channels." + "c" * 101 + "]: a channel name is 1 to 100 letters, digits, - or _"),
    ("[reminders]\nevery_days = 0\n", "reminders.every_days must be a whole number from 1 to 365, not 0"),
    ('[reminders]\nchannels = ["chta"]\n' + HOOK, "reminders.channels names 'chta', but there is no [channels.chta] (did you mean [channels.chat]?)"),
    ("[scheduler]\nscan_every = 5\n", "unknown key scheduler.scan_every (did you mean scheduler.scan_minutes?)"),
    ("[scheduler]\nretry_max_seconds = 1e30\n", "scheduler.retry_max_seconds must be a whole number from 1 to 604800, not 1e+30"),
    ("[scheduler]\nmax_attempts = 0\n", "scheduler.max_attempts must be a whole number from 1 to 1000, not 0"),
    ("[scheduler]\nretry_base_seconds = 600\nretry_max_seconds = 60\n", "scheduler.retry_base_seconds must be at most retry_max_seconds (60), not 600"),
    ("[review\n", "not valid TOML"),
])
def test_a_config_mistake_is_one_line_with_the_file_the_key_and_what_it_expects(tmp_path, capsys, body, message):
    cfg = write(tmp_path, body)
    status, out, err = claims(capsys, "--config", cfg, "list")  # a read command: it loads the config too
    assert status == 7
    assert err.startswith(f"claims: error: {cfg}: {message}") and err.count("\n") == 1, err
    assert out == ""


def test_a_file_that_is_not_utf8_is_one_line(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_bytes(b'[user]\nname = "\xff"\n')
    assert claims(capsys, "--config", str(path), "list")[::2] == (7, f"claims: error: {path}: not UTF-8 text\n")


def test_a_misspelt_quorum_stops_resolve_before_one_vote_settles_the_claim(musk, tmp_path):
    cfg = write(tmp_path, "[review]\nquorom = 2\n")
    added = musk("add", "Level 5 autonomy", "--speaker", "Musk", "--said", "2019-04-22", "--deadline", "2020-12-31", "--json")
    claim = added.json["id"]
    voted = musk("--config", cfg, "resolve", claim, "--outcome", "false", "--reviewer", "Ada", "--evidence", "https://example.org/e")
    assert (voted.status, voted.err.count("\n")) == (7, 1) and "did you mean review.quorum?" in voted.err
    shown = musk("show", claim, "--json").json  # unresolved: due, as its deadline has passed
    assert (shown["status"], shown["outcome"]) == ("due", None)


def test_smtp_without_encryption_may_log_in_to_a_loopback_server_only(tmp_path):
    for host in ("127.0.0.1", "localhost", "::1"):
        body = SMTP.replace("smtp.example.org", host) + 'security = "none"\nuser = "bot"\npassword_env = "SMTP_PASSWORD"\n'
        assert load(write(tmp_path, body)).section("channels")["email"]["host"] == host


def toml_examples() -> list[tuple[str, str]]:
    found = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for n, block in enumerate(re.findall(r"```toml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)):
            found.append((f"{doc.name}#{n + 1}", block))
    return found


@pytest.mark.parametrize("name, block", toml_examples())
def test_every_config_example_in_the_docs_is_a_valid_config(tmp_path, name, block):
    load(write(tmp_path, block))


@pytest.mark.parametrize(
    "text, message",
    [
        ('[extract]\nmodel = "../../etc"\n', "extract.model must be a spaCy pipeline's package name"),
        ("[extract]\ntimeout = 0\n", "extract.timeout must be a whole number from 1 to 300, not 0"),
        ("[extract]\nmax_redirects = 99\n", "extract.max_redirects must be a whole number from 0 to 20, not 99"),
        ("[extract]\nmodle = 'x'\n", "did you mean extract.model?"),
    ],
)
def test_extract_settings_are_checked(tmp_path, text, message):
    from ledger import config

    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception) as refused:
        config.load(path, {})
    assert message in str(refused.value)
