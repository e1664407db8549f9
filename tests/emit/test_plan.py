"""The build plan: unchanged files are not touched, folders are replaced whole, stale ones go."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from specc.emit.plan import Plan


def plan(root: Path, point: dict[str, bytes], top: bytes = b"top\n") -> Plan:
    p = Plan(root, managed=("points",))
    p.add_file("report.md", top)
    p.add_folder("points/a", point)
    return p


def test_second_apply_writes_nothing_and_keeps_inodes(tmp_path: Path) -> None:
    files = {"x.txt": b"x\n", "sub/y.tcl": b"y\n"}
    first = plan(tmp_path, files).apply()
    assert sorted(first.written) == ["points/a/sub/y.tcl", "points/a/x.txt", "report.md"]
    before = {p: os.stat(p).st_ino for p in tmp_path.rglob("*") if p.is_file()}
    mtimes = {p: os.stat(p).st_mtime_ns for p in before}
    again = plan(tmp_path, files).apply()
    assert again.written == [] and again.removed == [] and again.unchanged == 3
    assert {p: os.stat(p).st_ino for p in before} == before
    assert {p: os.stat(p).st_mtime_ns for p in before} == mtimes


def test_a_changed_folder_is_replaced_whole_and_unchanged_files_are_linked(tmp_path: Path) -> None:
    plan(tmp_path, {"x.txt": b"x\n", "y.txt": b"y\n"}).apply()
    x_inode = os.stat(tmp_path / "points/a/x.txt").st_ino
    done = plan(tmp_path, {"x.txt": b"x\n", "z.txt": b"z\n"}).apply()
    assert done.written == ["points/a/z.txt"]
    assert sorted(p.name for p in (tmp_path / "points/a").iterdir()) == ["x.txt", "z.txt"]
    assert os.stat(tmp_path / "points/a/x.txt").st_ino == x_inode
    assert not [p for p in (tmp_path / "points").iterdir() if p.name.startswith(".")]


def test_points_that_left_the_plan_are_removed(tmp_path: Path) -> None:
    p = plan(tmp_path, {"x.txt": b"x\n"})
    p.add_folder("points/b", {"x.txt": b"b\n"})
    p.apply()
    done = plan(tmp_path, {"x.txt": b"x\n"}).apply()
    assert done.removed == ["points/b"]
    assert sorted(p.name for p in (tmp_path / "points").iterdir()) == ["a"]


def test_an_interrupted_emit_leaves_the_old_point_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan(tmp_path, {"x.txt": b"old\n", "y.txt": b"old\n"}).apply()
    real = Path.write_bytes
    calls = []

    def interrupted(self: Path, data: bytes) -> int:
        calls.append(self)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        plan(tmp_path, {"x.txt": b"new\n", "y.txt": b"new\n"}).apply()
    monkeypatch.undo()
    point = tmp_path / "points" / "a"
    assert (point / "x.txt").read_bytes() == b"old\n" and (point / "y.txt").read_bytes() == b"old\n"
    assert [p.name for p in (tmp_path / "points").iterdir()] == ["a"]  # no temporary folder left


def test_temporary_folders_of_a_killed_emit_are_swept(tmp_path: Path) -> None:
    stale = tmp_path / "points" / ".a.tmp-12345"
    stale.mkdir(parents=True)
    (stale / "half.txt").write_text("half")
    done = plan(tmp_path, {"x.txt": b"x\n"}).apply()
    assert not stale.exists() and done.removed == []
