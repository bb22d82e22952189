"""Writing a file whole or not at all: what every command with ``--out`` uses.

The text goes to a temporary file with a unique name in the target's own folder (so the final
rename stays on one file system and two writers never share a temporary file), is flushed to
disk, and is then renamed over the target in one step: a reader sees the old file or the new one,
never half of one, and a command that fails half-way leaves the old file as it was. Only a regular
file is replaced: a symbolic link or a device (``/dev/sda``) named as the target is refused, so
``--out`` cannot be turned into a write somewhere else.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ledger.errors import InvalidInput, StorageError


def _refuse_unless_replaceable(path: Path) -> int | None:
    """The mode of the regular file at ``path`` (None if there is none), or an error saying why it
    must not be replaced."""
    try:
        found = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror}") from None
    if stat.S_ISLNK(found.st_mode):
        raise InvalidInput(f"{path} is a symbolic link; give the file itself, it is not replaced through a link")
    if stat.S_ISDIR(found.st_mode):
        raise InvalidInput(f"{path} is a folder; give a file name")
    if not stat.S_ISREG(found.st_mode):
        raise InvalidInput(f"{path} is not a regular file (a device, pipe or socket); give a file name")
    return stat.S_IMODE(found.st_mode)


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask  # as a plain `open(path, "w")` would create it, not the temporary file's 0600


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every file system lets a folder be synced."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _temporary(target: Path) -> tuple[int, str]:
    try:
        return tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise InvalidInput(f"cannot write {target}: {exc.strerror or exc}") from None


def _unlink(name: str) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass


def _replace(name: str, target: Path, mode: int | None) -> None:
    os.chmod(name, mode if mode is not None else _new_file_mode())
    _refuse_unless_replaceable(target)  # it may have become a link while the text was written
    os.replace(name, target)


@contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[IO[str]]:
    """A text handle (UTF-8, newlines written as given) whose content replaces ``path`` when the
    block ends without an error; on an error nothing is replaced and no temporary file is left."""
    target = Path(path).expanduser()
    mode = _refuse_unless_replaceable(target)
    fd, name = _temporary(target)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            try:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:  # a full disk, a lost network mount...
                raise StorageError(f"cannot write {target}: {exc.strerror or exc}") from None
        _replace(name, target, mode)
    except BaseException:
        _unlink(name)
        raise
    _sync_folder(target.parent)


class FileBatch:
    """Files replaced together (see ``atomic_files``): each is written to a temporary file beside
    its target as it comes; at the end one sync of the file system makes them all durable, and
    only then is each renamed over its target. Each file is still replaced whole, and thousands of
    files cost one sync instead of one each (a published site is a hundred thousand pages)."""

    def __init__(self) -> None:
        self._pending: list[tuple[str, Path, int | None]] = []

    def write_if_changed(self, path: str | os.PathLike[str], text: str) -> bool:
        """Write ``text`` to ``path`` unless the file already holds exactly it; whether it will be."""
        target = Path(path).expanduser()
        data = text.encode("utf-8")
        mode = _refuse_unless_replaceable(target)
        if _holds(target, data):
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = _temporary(target)
        self._pending.append((name, target, mode))
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise StorageError(f"cannot write {target}: {exc.strerror or exc}") from None
        return True

    def _commit(self) -> None:
        if not self._pending:
            return
        os.sync()  # every temporary file on disk before any target is replaced
        for name, target, mode in self._pending:
            _replace(name, target, mode)
        for folder in {target.parent for _, target, _ in self._pending}:
            _sync_folder(folder)
        self._pending.clear()

    def _discard(self) -> None:
        for name, _, _ in self._pending:
            _unlink(name)
        self._pending.clear()


@contextmanager
def atomic_files() -> Iterator[FileBatch]:
    """A ``FileBatch`` whose files replace their targets when the block ends without an error; on
    an error no target is replaced and no temporary file is left."""
    batch = FileBatch()
    try:
        yield batch
        batch._commit()
    except BaseException:
        batch._discard()
        raise


def _holds(target: Path, data: bytes) -> bool:
    try:
        return target.read_bytes() == data
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise InvalidInput(f"cannot read {target}: {exc.strerror or exc}") from None


def write_text(path: str | os.PathLike[str], chunks: Iterable[str]) -> Path:
    """Write ``chunks`` to ``path`` whole or not at all (see ``atomic_write``); returns the path."""
    target = Path(path).expanduser()
    with atomic_write(target) as handle:
        for chunk in chunks:
            handle.write(chunk)
    return target


def write_if_changed(path: str | os.PathLike[str], text: str) -> bool:
    """Write ``text`` to ``path`` (see ``atomic_write``) unless the file already holds exactly it;
    whether it was written. A republished site rewrites only the pages that changed, so their
    modification times, and a static host's caches, say what changed."""
    target = Path(path).expanduser()
    _refuse_unless_replaceable(target)
    if _holds(target, text.encode("utf-8")):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text(target, [text])
    return True
