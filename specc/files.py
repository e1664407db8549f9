"""File helpers every stage shares: atomic writes and content hashes.

Light module (standard library only).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

__all__ = ["content_hash", "file_hash", "is_plain_name", "json_hash", "write_atomic"]

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
