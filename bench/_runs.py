"""What the search benchmarks share: a reproducible process, and one search with a strategy."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from specc.ir import model as ir  # noqa: E402
from specc.options import BuildOptions  # noqa: E402
from specc.search.driver import search  # noqa: E402
from specc.search.records import Records  # noqa: E402


def pin_hash_seed() -> None:
    """Re-run this process with PYTHONHASHSEED=0, as `specc build` does (SMAC's proposals
    depend on set iteration order)."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.argv])


def run(
    base: ir.Spec, algorithm: str, out_root: Path, trials: int, seed: int, force: bool = False
) -> Records:
    """One search of ``base`` with ``algorithm``, estimator hardware, trials cached in out_root
    (``force``: search even when no sampled configuration fits the budgets)."""
    spec = base.model_copy(
        update={"search": base.search.model_copy(update={"algorithm": algorithm})}
    )
    return search(
        spec, BuildOptions(out_root=out_root, trials=trials, seed=seed, synth="never", force=force)
    )
