"""Typed options of a build and of one trial, with their defaults defined once.

Light module (no third-party imports): the command line builds these values, and the build, the
search and the evaluator read them; none of them mutates what it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from specc.search.records import Record, Records

__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_TIMEOUT_S",
    "BuildOptions",
    "Limits",
    "Synth",
]

DEFAULT_TIMEOUT_S = 1800.0
DEFAULT_MEMORY_MB = 8192

#: Where hardware numbers come from: ``auto`` synthesises when the backend's HLS tool is on
#: PATH and estimates otherwise; ``never`` always estimates; ``always`` fails a trial without
#: a tool.
Synth = Literal["auto", "never", "always"]


@dataclass(frozen=True)
class Limits:
    """Per-trial resource limits."""

    timeout_s: float | None = DEFAULT_TIMEOUT_S
    """Wall-time limit of one trial in seconds (None: unlimited)."""
    memory_mb: int | None = DEFAULT_MEMORY_MB
    """Address-space limit of the trial process in MB (None: unlimited)."""


@dataclass(frozen=True)
class BuildOptions:
    """How to run a build: the spec's ``search`` section with command-line overrides."""

    out_root: Path = Path("out")
    """Results go to ``out_root/<design>/``."""
    trials: int | None = None
    """Evaluated designs to reach (None: the spec's ``trials``)."""
    seed: int | None = None
    """Search seed (None: the spec's ``seed``)."""
    workers: int = 1
    """Trials evaluated at once on a local Dask cluster (1: here, one at a time)."""
    scheduler: str | None = None
    """Address of an existing Dask scheduler (overrides ``workers``)."""
    synth: Synth = "auto"
    """Where hardware numbers come from (see :data:`Synth`)."""
    limits: Limits = field(default_factory=Limits)
    """Per-trial limits."""
    on_record: Callable[[Record, Records], None] | None = None
    """Called after every record (progress display)."""
    force: bool = False
    """Search even when no sampled configuration fits the budgets."""

    def trials_for(self, spec_trials: int) -> int:
        return self.trials if self.trials is not None else spec_trials

    def seed_for(self, spec_seed: int) -> int:
        return self.seed if self.seed is not None else spec_seed
