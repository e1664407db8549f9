"""A search's history: the finished trials in ``out/<design>/trials/`` that belong to the current
spec's space.

A trial belongs when its searched knobs lie in the current space and its cache key, computed
under the current spec, is the folder it is stored in: the key covers everything that determines
a trial's result (fixed knobs, data, model file, part, training seed, versions, where hardware
numbers come from) and nothing about goals (objectives, budgets, trial count, search seed). So a
search started after any change to the goals re-uses every recorded design, and one started
after a change to, say, the data re-uses none.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from specc.evaluate.cache import read_cached
from specc.evaluate.point import PointError, Scalar, resolve
from specc.evaluate.results import TrialResult
from specc.evaluate.trial import TrialRunner
from specc.ir import model as ir
from specc.ir.space import dimensions
from specc.options import BuildOptions

__all__ = ["Past", "history"]


@dataclass(frozen=True)
class Past:
    """A recorded trial of the current space, as the search's point and its result."""

    point: dict[str, Scalar]
    result: TrialResult


def _searched_knobs(spec: ir.Spec) -> set[str]:
    """The knobs a search asks for (a point holds these; the rest come from the spec)."""
    names = {d.name for d in dimensions(spec)}
    if spec.search.fidelity_epochs is not None:
        names.add("train.epochs")
    return names


def history(spec: ir.Spec, options: BuildOptions, order: list[str] | None = None) -> list[Past]:
    """Every finished trial of this spec's space (failures that a search retries, such as
    timeouts, are not history: the design is evaluated again when it is asked for).

    Args:
        order: trial keys in the order a previous run recorded them (its ``run.json``); those
            come first, in that order, so a re-run numbers its trials as before. The others
            follow oldest first (a file's time is the only order a copied cache keeps).
    """
    rank = {key: i for i, key in enumerate(order or [])}
    trials = options.out_root / spec.design / "trials"
    if not trials.is_dir():
        return []
    runner = TrialRunner(spec, options.out_root / spec.design, options.limits, options.synth)
    searched = _searched_knobs(spec)
    found: list[tuple[tuple[int, float], str, Past]] = []
    for folder in trials.iterdir():
        if folder.name.startswith("."):
            continue
        result = read_cached(folder)
        if result is None:
            continue
        point = {k: v for k, v in result.point.items() if k in searched}
        try:
            cfg = resolve(spec, point)
        except PointError:
            continue  # a knob value outside the current space
        if runner.key(cfg) != folder.name:
            continue  # something the result depends on differs
        when = (rank.get(folder.name, len(rank)), _mtime(folder / "metrics.json"))
        found.append((when, folder.name, Past(point, result)))
    found.sort(key=lambda t: (t[0], t[1]))
    return [past for _, _, past in found]


def _mtime(path: Path) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0
