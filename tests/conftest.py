"""Shared test helpers: golden files, fixture files, the repository layout, Hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"  # every test data file lives here
UPDATE = os.environ.get("SPECC_UPDATE_GOLDEN") == "1"

# Property tests: "fast" (the default) draws a few dozen random examples per property, so the
# fast suite stays quick and every run still tries new inputs (a failure found once is replayed
# from .hypothesis/); "thorough" is the full budget: HYPOTHESIS_PROFILE=thorough pytest ...
# (or --hypothesis-profile=thorough). Deadlines are off in both: a shared 2-core machine stalls.
_NO_TIMING = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("fast", max_examples=25, **_NO_TIMING)
settings.register_profile("thorough", max_examples=200, **_NO_TIMING)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


def assert_golden(path: Path, actual: str) -> None:
    """Compare ``actual`` with the golden file; ``SPECC_UPDATE_GOLDEN=1`` rewrites it instead."""
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"golden file {path} is missing; run with SPECC_UPDATE_GOLDEN=1 and review it")
    assert actual == path.read_text(encoding="utf-8")
