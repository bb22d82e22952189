"""Files are written whole or not at all, and never through a link or onto a device."""

import os
from pathlib import Path

import pytest

from ledger.errors import InvalidInput
from ledger.files import atomic_files, atomic_write, write_text


def leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_the_file_is_written_whole_and_no_temporary_file_is_left(tmp_path):
    out = tmp_path / "deadlines.ics"
    assert write_text(out, ["BEGIN:VCALENDAR\r\n", "é\n", "END:VCALENDAR\r\n"]) == out
    assert out.read_bytes() == "BEGIN:VCALENDAR\r\né\nEND:VCALENDAR\r\n".encode()  # newlines as given
    assert leftovers(tmp_path, {"deadlines.ics"}) == []


def test_a_failure_half_way_leaves_the_old_file_as_it_was(tmp_path):
    out = tmp_path / "export.csv"
    out.write_text("old\n")

    def chunks():
        yield "half of the new"
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        write_text(out, chunks())
    assert out.read_text() == "old\n"
    assert leftovers(tmp_path, {"export.csv"}) == []


def test_a_new_file_gets_the_usual_permissions_and_a_replaced_one_keeps_its_own(tmp_path):
    umask = os.umask(0o022)
    try:
        fresh = write_text(tmp_path / "new.csv", ["x"])
        assert fresh.stat().st_mode & 0o777 == 0o644
        private = tmp_path / "private.csv"
        private.write_text("old")
        private.chmod(0o600)
        write_text(private, ["new"])
        assert private.stat().st_mode & 0o777 == 0o600 and private.read_text() == "new"
    finally:
        os.umask(umask)


def test_two_writers_of_one_file_do_not_share_a_temporary_file(tmp_path):
    out = tmp_path / "report.md"
    with atomic_write(out) as first, atomic_write(out) as second:
        first.write("first")
        second.write("second")
    assert out.read_text() == "first"  # the last to finish wins, whole
    assert leftovers(tmp_path, {"report.md"}) == []


def test_files_written_together_replace_their_targets_only_when_the_batch_ends(tmp_path):
    same, changed, new = tmp_path / "same.html", tmp_path / "changed.html", tmp_path / "pages" / "new.html"
    same.write_text("same")
    changed.write_text("old")
    changed.chmod(0o600)
    before = same.stat().st_mtime_ns, same.stat().st_ino
    with atomic_files() as batch:
        assert [batch.write_if_changed(p, t) for p, t in ((same, "same"), (changed, "new"), (new, "é"))] == [False, True, True]
        assert changed.read_text() == "old" and not new.exists()  # nothing replaced before the end
    assert (same.stat().st_mtime_ns, same.stat().st_ino) == before
    assert changed.read_text() == "new" and changed.stat().st_mode & 0o777 == 0o600 and new.read_text(encoding="utf-8") == "é"
    assert leftovers(tmp_path, {"same.html", "changed.html", "pages"}) == [] and leftovers(new.parent, {"new.html"}) == []


def test_a_batch_that_fails_half_way_replaces_nothing_and_leaves_no_temporary_file(tmp_path):
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    first.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_files() as batch:
            batch.write_if_changed(first, "new")
            batch.write_if_changed(second, "new")
            raise RuntimeError("a page failed to render")
    assert first.read_text() == "old" and not second.exists()
    assert leftovers(tmp_path, {"a.html"}) == []
    target = tmp_path / "target"
    target.write_text("kept")
    (tmp_path / "link.html").symlink_to(target)
    with pytest.raises(InvalidInput, match="symbolic link"), atomic_files() as batch:
        batch.write_if_changed(tmp_path / "link.html", "through the link")
    assert target.read_text() == "kept"


def test_a_symbolic_link_is_refused_and_what_it_points_to_is_untouched(tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    link = tmp_path / "out.csv"
    link.symlink_to(precious)
    with pytest.raises(InvalidInput, match="is a symbolic link"):
        write_text(link, ["overwritten"])
    assert link.is_symlink() and precious.read_text() == "keep me"
    assert leftovers(tmp_path, {"precious.txt", "out.csv"}) == []


def test_a_device_or_a_folder_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match="not a regular file"):
        write_text("/dev/null", ["x"])
    with pytest.raises(InvalidInput, match="is a folder"):
        write_text(tmp_path, ["x"])


def test_a_missing_folder_is_one_line(tmp_path):
    with pytest.raises(InvalidInput, match="cannot write .*No such file or directory"):
        write_text(tmp_path / "no" / "such" / "x.csv", ["x"])


@pytest.mark.parametrize("command", [
    ["export", "--format", "csv"],
    ["report", "--format", "csv"],
    ["calendar"],
])
def test_every_command_that_writes_a_file_refuses_a_link(musk, tmp_path, command):
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    link = tmp_path / "out"
    link.symlink_to(precious)
    result = musk(*command, "--out", link)
    assert result.status == 2 and "is a symbolic link" in result.err and len(result.err.strip().splitlines()) == 1
    assert precious.read_text() == "keep me"
    plain = tmp_path / "plain"
    assert musk(*command, "--out", plain).status == 0 and plain.stat().st_size > 0
