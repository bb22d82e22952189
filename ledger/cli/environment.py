"""What a command takes from the world besides its arguments: streams, whether they are terminals
(and how tall), environment variables (PAGER among them) and today's date. The CLI reads them only from here, so a test can run a
command in-process on a fake terminal, with NO_COLOR set, or on a fixed day."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no such method, or a closed stream
        return False


@dataclass
class Environment:
    """By default the process's own; every field can be replaced. The streams are read when the
    environment is made, so one made under pytest's capture writes into the capture."""

    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    today: date = field(default_factory=date.today)
    stdin_isatty: bool | None = None  # None: ask the stream
    stdout_isatty: bool | None = None
    stderr_isatty: bool | None = None
    lines: int | None = None  # the terminal's height; None: ask the OS

    @property
    def height(self) -> int:
        if self.lines is not None:
            return self.lines
        import shutil

        return shutil.get_terminal_size().lines

    def __post_init__(self) -> None:
        for name in ("stdin", "stdout", "stderr"):
            if getattr(self, f"{name}_isatty") is None:
                setattr(self, f"{name}_isatty", _isatty(getattr(self, name)))

    @property
    def color(self) -> bool:
        """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
        return bool(self.stdout_isatty) and not self.environ.get("NO_COLOR")
