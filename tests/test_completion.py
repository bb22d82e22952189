"""Shell completion is click's own: the README's lines for bash, zsh and fish give a script, and
completing a partial command or option answers with what `claims` has."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _complete(env: dict) -> str:
    done = subprocess.run([sys.executable, "-m", "ledger"], env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o nosort -F"), ("zsh", "#compdef claims"), ("fish", "complete --no-files --command claims")])
def test_each_shell_gets_a_script(shell, marker):
    assert marker in _complete({"_CLAIMS_COMPLETE": f"{shell}_source"})


def test_commands_and_options_complete():
    assert "plain,speaker" in _complete({"_CLAIMS_COMPLETE": "bash_complete", "COMP_WORDS": "claims sp", "COMP_CWORD": "1"})
    options = _complete({"_CLAIMS_COMPLETE": "bash_complete", "COMP_WORDS": "claims list --so", "COMP_CWORD": "2"})
    assert "plain,--sort" in options and "plain,--source" in options
