"""File helpers every stage shares: atomic writes and content hashes.

Light module (standard library only).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "Locked",
    "UnsafeOutput",
    "content_hash",
    "exclusive",
    "file_hash",
    "is_plain_name",
    "json_hash",
    "refuse_symlinks",
    "write_atomic",
]

_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def is_plain_name(value: str) -> bool:
    """Whether ``value`` is fit for a file name, a make target and a Tcl word: letters, digits,
    ``_ . -``, starting with a letter or ``_``, without ``..`` (design names, part numbers)."""
    return bool(_PLAIN_NAME.fullmatch(value)) and ".." not in value and len(value) <= 200


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write a file so that readers see either the old or the new content, never a mix
    (a temporary file beside it, then an atomic rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as err:
        if err.filename is None:  # a failed write (disk full) names no file: name it
            raise OSError(err.errno, err.strerror, str(path)) from err
        raise
    finally:
        if tmp.exists():
            tmp.unlink()


def content_hash(*parts: str | bytes, length: int = 64) -> str:
    """The sha256 hex digest of ``parts`` in order (str as UTF-8), cut to ``length``."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
    return h.hexdigest()[:length]


def json_hash(value: Any, length: int = 20) -> str:
    """Hash of a JSON-able value, independent of dict order (cache keys, fingerprints)."""
    return content_hash(json.dumps(value, sort_keys=True), length=length)


def file_hash(path: Path, length: int = 64) -> str:
    """Hash of a file's bytes."""
    return content_hash(path.read_bytes(), length=length)


class UnsafeOutput(Exception):
    """An output folder specc will not write into: it holds a symbolic link, through which a
    write or a clean-up could reach files outside it."""

    def __init__(self, link: Path, target: str):
        super().__init__(
            f"{link} is a symbolic link (to {target}); specc writes and deletes only inside its "
            f"output folder, so it stops: remove the link (or the folder) and run again"
        )
        self.link = link


def refuse_symlinks(root: Path) -> None:
    """Raise :class:`UnsafeOutput` when anything below ``root`` is a symbolic link (``root``
    itself may be one: it is the folder the user chose). Links are not followed."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            path = Path(folder) / name
            if path.is_symlink():
                raise UnsafeOutput(path, os.readlink(path))


class Locked(Exception):
    """Another process holds the lock of an output folder."""

    def __init__(self, path: Path, holder: str):
        who = f"pid {holder}" if holder else "another process"
        super().__init__(
            f"another specc build ({who}) holds {path}; this one does not wait: "
            f"run it when that one has finished, or give another --out"
        )
        self.path = path


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created when missing) while the block runs; raise
    :class:`Locked` at once when another process holds it. The lock is the kernel's
    (``flock``): it is released when the holder exits, however it exits (``kill -9`` too)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            raise Locked(path, holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)
