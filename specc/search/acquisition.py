"""Budgets inside SMAC's acquisition (seed 000's constraint models, HyperPower's a-priori check).

Two kinds of budget, two mechanisms:

- **Budgets the estimator can judge** (DSP, LUT, latency, ... before any training): SMAC's
  candidates are filtered by the a-priori estimate *before* one is chosen
  (:class:`FeasibleMaximizer`), so an estimate-infeasible point is never proposed, never costs a
  penalty round-trip, and never teaches the surrogate a made-up cost. The initial design is
  filtered the same way.
- **Budgets only a trial can judge** (fixed-point accuracy, synthesised resources): a random
  forest classifier learns, from the evaluated trials, the probability that a point meets them
  (:class:`FeasibilityModel`), and :class:`ConstrainedEI` multiplies expected improvement by it
  (constrained expected improvement, Gardner et al. 2014): improvement only counts where the
  design is likely to be feasible.

Everything here imports SMAC; it is loaded only when a SMAC search starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from smac.acquisition.function import EI
from smac.acquisition.maximizer import LocalAndSortedRandomSearch

__all__ = ["ConstrainedEI", "FeasibilityModel", "FeasibleMaximizer", "encode"]

#: Below this many evaluated designs of each kind (feasible, infeasible) the classifier is not
#: trusted and every point counts as feasible.
MIN_PER_CLASS = 2
#: The smallest probability of feasibility used: a classifier trained on a few dozen designs is
#: sometimes wrong with certainty, and a zero would rule a region out for good.
FLOOR = 0.02
#: The probability of meeting the trial-only budgets above which a design counts as likely to:
#: SMAC's candidates that are likely come first, whatever their expected improvement.
LIKELY = 0.5
#: Candidates estimated per proposal at most.
MAX_CHECKS = 300
#: Random points drawn to find one the estimate admits, for SMAC's random interleaving.
RANDOM_TRIES = 200


def encode(configs: list[Any]) -> np.ndarray:
    """Configurations as SMAC encodes them for its surrogate (inactive knobs as -1)."""
    return np.nan_to_num(np.array([c.get_array() for c in configs], dtype=np.float64), nan=-1.0)


class FeasibilityModel:
    """P(a design meets the budgets only a trial can judge), learned from evaluated designs."""

    def __init__(self, seed: int):
        self.seed = seed
        self.x: list[np.ndarray] = []
        self.y: list[bool] = []
        self._forest: Any = None

    def add(self, config: Any, feasible: bool) -> None:
        self.x.append(encode([config])[0])
        self.y.append(feasible)
        self._forest = None

    @property
    def active(self) -> bool:
        ok = sum(self.y)
        return ok >= MIN_PER_CLASS and len(self.y) - ok >= MIN_PER_CLASS

    def probability(self, x: np.ndarray) -> np.ndarray:
        """P(feasible) of each row of an encoded array (1 while the model is not trusted)."""
        if not self.active:
            return np.ones(len(x))
        if self._forest is None:
            from sklearn.ensemble import RandomForestClassifier

            self._forest = RandomForestClassifier(
                n_estimators=16,
                min_samples_leaf=2,
                max_features=None,
                random_state=self.seed,
                n_jobs=1,
            ).fit(np.array(self.x), np.array(self.y))
        proba = self._forest.predict_proba(np.nan_to_num(x, nan=-1.0))
        column = list(self._forest.classes_).index(True)
        return np.asarray(np.maximum(proba[:, column], FLOOR))


class ConstrainedEI(EI):
    """Expected improvement weighted by the probability of meeting the trial-only budgets."""

    def __init__(self, feasibility: FeasibilityModel, xi: float = 0.0, log: bool = False):
        super().__init__(xi=xi, log=log)
        self.feasibility = feasibility

    @property
    def name(self) -> str:
        return "Constrained Expected Improvement"

    def _compute(self, X: np.ndarray) -> np.ndarray:
        ei = super()._compute(X)
        return np.asarray(ei * self.feasibility.probability(X).reshape(-1, 1))


class FeasibleMaximizer(LocalAndSortedRandomSearch):
    """SMAC's acquisition maximizer whose candidates (best first, random ones interleaved) are
    passed on only when ``admissible`` accepts them: the a-priori estimate meets every budget it
    can judge. Candidates are checked lazily, so only as many are estimated as are looked at.

    SMAC's own list holds only the ends of its local searches (about ten); when the estimate
    rules all of them out, the sorted random candidates follow, so the best admissible one of
    those is proposed instead of an unfiltered random point. Designs already evaluated are
    passed over here too (SMAC gives up on a list after 16 of them in a row)."""

    def __init__(self, *args: Any, admissible: Callable[[Any], bool], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.admissible = admissible

    def _maximize(self, previous_configs: list[Any], n_points: int) -> list[tuple[float, Any]]:
        local = super()._maximize(previous_configs, n_points)
        more = self._random_search._maximize(previous_configs, n_points=1000, _sorted=True)
        return list(local) + list(more)

    def maximize(  # type: ignore[override]
        self, previous_configs: list[Any], n_points: int | None = None, random_design: Any = None
    ) -> Iterator[Any]:
        seen = set(previous_configs)
        # SMAC's own interleaving asks its random design before every candidate, so each
        # candidate the estimate rules out is another chance of a random point: most proposals
        # ended up random. Here the random design is asked once per proposal, as SMAC means it,
        # and a random point must also be likely to meet the trial-only budgets.
        if random_design is not None:
            if random_design.check(1):
                config = self._random_config(seen)
                if config is not None:
                    yield config
            random_design.next_iteration()
        candidates = [
            c for c in super().maximize(previous_configs, n_points, None) if c not in seen
        ]
        if not candidates:
            return
        likely = self._likely(candidates)
        # Best first among the designs likely to meet the trial-only budgets; only when the
        # estimate rules all of those out, the others. At most MAX_CHECKS estimates per
        # proposal: in a space where nothing fits (``--force``), SMAC then falls back to a
        # random point, which the search loop rules out and records.
        ordered = [c for c, ok in zip(candidates, likely, strict=True) if ok]
        ordered += [c for c, ok in zip(candidates, likely, strict=True) if not ok]
        for config in ordered[:MAX_CHECKS]:
            if self.admissible(config):
                yield config

    def _likely(self, configs: list[Any]) -> list[bool]:
        feasibility = getattr(self._acquisition_function, "feasibility", None)
        if feasibility is None:
            return [True] * len(configs)
        return [bool(p >= LIKELY) for p in feasibility.probability(encode(configs))]

    def _random_config(self, seen: set[Any]) -> Any:
        for config in self._configspace.sample_configuration(RANDOM_TRIES):
            if config in seen or not self.admissible(config):
                continue
            if self._likely([config])[0]:
                config.origin = "Random Search (admissible, likely feasible)"
                return config
        return None
