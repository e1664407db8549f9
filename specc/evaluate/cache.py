"""The trial cache: ``out/<design>/trials/<key>/``. A trial is written in a temporary folder
beside its final place and renamed into place only once ``metrics.json`` is complete, so a
partly written trial is never taken for a finished one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from specc.evaluate.errors import RETRIED
from specc.evaluate.results import TrialResult

__all__ = ["publish", "read_cached", "sweep_stale"]


def sweep_stale(trials: Path) -> None:
    """Remove temporary trial folders left by processes that no longer run (a killed build)."""
    for tmp in trials.glob(".*.tmp"):
        try:
            pid = int(tmp.name.rsplit(".", 2)[-2])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError):
            shutil.rmtree(tmp, ignore_errors=True)
        except PermissionError:
            pass


def read_cached(final: Path) -> TrialResult | None:
    metrics = final / "metrics.json"
    if not metrics.is_file():
        return None
    try:
        result = TrialResult.model_validate_json(metrics.read_text())
    except ValueError:
        return None
    if result.failure is not None and result.failure.category in RETRIED:
        return None
    return result.model_copy(update={"cached": True})


def publish(work: Path, final: Path) -> None:
    """Move a finished trial folder into place; it replaces an earlier (retried) failure."""
    if final.exists():
        shutil.rmtree(final)
    os.replace(work, final)
