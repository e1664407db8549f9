"""Shared test helpers: golden files and the repository layout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("SPECC_UPDATE_GOLDEN") == "1"


def assert_golden(path: Path, actual: str) -> None:
    """Compare ``actual`` with the golden file; ``SPECC_UPDATE_GOLDEN=1`` rewrites it instead."""
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"golden file {path} is missing; run with SPECC_UPDATE_GOLDEN=1 and review it")
    assert actual == path.read_text(encoding="utf-8")
