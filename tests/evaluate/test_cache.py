"""Trial folders: stale temporary folders of dead processes are swept, live ones are kept."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from specc.evaluate.cache import sweep_stale


def test_sweep_stale_removes_only_dead_writers(tmp_path: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    (tmp_path / f".abc.{dead.pid}.tmp").mkdir()
    (tmp_path / f".def.{os.getpid()}.tmp").mkdir()
    (tmp_path / "0123456789abcdef0123").mkdir()  # a finished trial is never touched
    sweep_stale(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f".def.{os.getpid()}.tmp",
        "0123456789abcdef0123",
    ]
