"""A build plan: every output file's bytes are decided first, then applied to disk so that

- a file whose bytes did not change is not touched (CI diffs and make timestamps mean something;
  amaranth's ``build/run.py`` and edalize's ``update_config_file`` do the same);
- a folder (a Pareto point) is written aside and moved into place whole, so an interrupted emit
  never leaves a half-written point; unchanged files of a changed folder are hard-linked, not
  rewritten;
- a folder the plan no longer lists (a point that left the Pareto set) is removed, and so are
  the temporary folders of an emit that was killed.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from specc.files import write_atomic

__all__ = ["Applied", "Plan"]

_TMP = ".tmp-"
_OLD = ".old-"


@dataclass
class Applied:
    """What applying a plan did (paths relative to the plan's root)."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


@dataclass
class Plan:
    """Files (``relpath -> bytes``) and whole folders (``folder -> {relpath -> bytes}``) to
    have under ``root``; ``managed`` folders hold only what the plan lists."""

    root: Path
    files: dict[str, bytes] = field(default_factory=dict)
    folders: dict[str, dict[str, bytes]] = field(default_factory=dict)
    managed: tuple[str, ...] = ()

    def add_file(self, rel: str, content: str | bytes) -> None:
        self.files[rel] = content.encode() if isinstance(content, str) else content

    def add_folder(self, rel: str, files: dict[str, bytes]) -> None:
        self.folders[rel] = files

    def apply(self) -> Applied:
        done = Applied()
        for rel in sorted(self.files):
            if _same(self.root / rel, self.files[rel]):
                done.unchanged += 1
            else:
                write_atomic(self.root / rel, self.files[rel])
                done.written.append(rel)
        for rel in sorted(self.folders):
            self._apply_folder(rel, self.folders[rel], done)
        for managed in self.managed:
            base = self.root / managed
            if not base.is_dir():
                continue
            for child in sorted(base.iterdir()):
                rel = f"{managed}/{child.name}"
                if rel not in self.folders:
                    _remove(child)
                    if not child.name.startswith("."):
                        done.removed.append(rel)
        return done

    def _apply_folder(self, rel: str, files: dict[str, bytes], done: Applied) -> None:
        final = self.root / rel
        if final.is_dir() and _listing(final) == set(files):
            changed = [f for f in sorted(files) if not _same(final / f, files[f])]
            if not changed:
                done.unchanged += len(files)
                return
        tmp = final.with_name(f".{final.name}{_TMP}{os.getpid()}")
        _remove(tmp)
        try:
            for f in sorted(files):
                target = tmp / f
                target.parent.mkdir(parents=True, exist_ok=True)
                old = final / f
                if _same(old, files[f]):
                    os.link(old, target)  # unchanged: the same file, not a rewrite
                    done.unchanged += 1
                else:
                    target.write_bytes(files[f])
                    done.written.append(f"{rel}/{f}")
            _copy_modes(files, tmp)
            if final.exists():
                aside = final.with_name(f".{final.name}{_OLD}{os.getpid()}")
                os.replace(final, aside)
                os.replace(tmp, final)
                _remove(aside)
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)
        finally:
            _remove(tmp)


def _same(path: Path, content: bytes) -> bool:
    try:
        if path.stat().st_size != len(content):
            return False
        return path.read_bytes() == content
    except OSError:
        return False


def _listing(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _copy_modes(files: dict[str, bytes], root: Path) -> None:
    """Scripts keep their execute bit (a shebang marks them)."""
    for f, content in files.items():
        if content.startswith(b"#!"):
            (root / f).chmod(0o755)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()
