"""Proposers: where the next point to evaluate comes from (SMAC3 through ask/tell, random
sampling), behind one small protocol the search loop drives."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from specc.evaluate.point import Scalar
from specc.ir import model as ir
from specc.search.space import to_point

__all__ = ["Exhausted", "FixedKnobs", "Proposer", "RandomProposer", "SmacProposer"]


class Proposer(Protocol):
    """Asks for points and is told their costs (lower is better, one per objective).

    ``feasible`` says whether an evaluated design met the budgets only a trial can judge (None:
    not evaluated, nothing to learn about them). ``remember`` tells a design evaluated before
    this proposer existed (the search's history) as if it had been asked.
    """

    def ask(self) -> tuple[Any, dict[str, Scalar]]: ...
    def tell(self, token: Any, costs: list[float], feasible: bool | None = None) -> None: ...
    def remember(self, point: dict[str, Scalar], costs: list[float], feasible: bool) -> None: ...


@contextlib.contextmanager
def _quiet_numpy() -> Iterator[None]:
    """SMAC's surrogate takes means of empty slices early in a run; numpy's RuntimeWarnings about
    it are SMAC internals, not something a user can act on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


class Exhausted(Exception):
    """The proposer has no configuration left to ask (the space is smaller than the budget)."""


def _never_called(config: Any, seed: int = 0, budget: float | None = None) -> float:
    raise RuntimeError("specc drives SMAC through ask/tell")


class SmacProposer:
    """SMAC3 (random forest surrogate; ParEGO over several objectives) through ask/tell, with
    the budgets inside the acquisition (:mod:`specc.search.acquisition`).

    Args:
        n_trials: designs this search may still evaluate (sizes the initial design).
        admissible: the a-priori check of a point (its estimate meets every budget the estimate
            can judge); candidates it refuses are never proposed.
        history: designs already evaluated; the initial design shrinks by as many.
    """

    def __init__(
        self,
        cs: Any,
        objectives: list[str],
        n_trials: int,
        seed: int,
        out_dir: Path,
        fidelity: ir.IntRange | None,
        admissible: Callable[[dict[str, Scalar]], bool] | None = None,
        history: int = 0,
    ):
        from smac import HyperparameterOptimizationFacade as HPO
        from smac import MultiFidelityFacade as MF
        from smac import Scenario
        from smac.initial_design import SobolInitialDesign
        from smac.model.random_forest import RandomForest
        from smac.multi_objective.parego import ParEGO

        from specc.search.acquisition import ConstrainedEI, FeasibilityModel, FeasibleMaximizer

        self.cs = cs
        self.multi = len(objectives) > 1
        self.fidelity = fidelity
        budgets: dict[str, Any] = {}
        if fidelity is not None:
            budgets = {"min_budget": fidelity.lo, "max_budget": fidelity.hi}
        n_init = max(0, max(2, min(n_trials // 4, 8)) - history)
        scenario = Scenario(
            cs,
            name="smac",
            output_directory=out_dir,
            deterministic=True,
            # SMAC only sizes its initial design from this; specc counts the trials itself.
            n_trials=max(n_trials, 32 * max(n_init, 1), 64),
            seed=seed,
            objectives=objectives if self.multi else "cost",
            **budgets,
        )
        facade: Any = MF if fidelity is not None else HPO
        check = admissible or (lambda point: True)
        self._admissible: dict[Any, bool] = {}

        def admissible_config(config: Any) -> bool:
            if config not in self._admissible:
                self._admissible[config] = check(to_point(config))
            return self._admissible[config]

        # The initial design: SMAC's Sobol sequence, without the points the estimate rules out.
        sobol = SobolInitialDesign(scenario, n_configs=16 * max(n_init, 1), max_ratio=1.0)
        initial = [c for c in sobol.select_configurations() if admissible_config(c)][:n_init]
        intensifier: Any
        if fidelity is not None:
            # ParEGO with the default intensifier asserts under multi-fidelity (STACK.md).
            intensifier = MF.get_intensifier(scenario, incumbent_selection="highest_budget")
        else:
            intensifier = HPO.get_intensifier(scenario, max_config_calls=1)
        self.feasibility = FeasibilityModel(seed)
        self._remembered = False
        self.smac = facade(
            scenario,
            _never_called,
            initial_design=facade.get_initial_design(
                scenario, n_configs=0, additional_configs=initial
            ),
            intensifier=intensifier,
            # SMAC's forest, as its facade makes it, with two changes that make an ask ~20x
            # cheaper (STACK.md): one thread (the default, all cores through joblib, spends most
            # of an ask waiting on a busy machine) and no leaf cap (2**20 by default, which makes
            # scikit-learn's best-first builder take 1.4 s per fit on 40 points; 19 ms without).
            model=RandomForest(
                configspace=cs,
                log_y=True,
                n_trees=10,
                ratio_features=1.0,
                min_samples_split=2,
                min_samples_leaf=1,
                max_depth=2**20,
                max_leaf_nodes=None,  # type: ignore[arg-type]
                bootstrapping=True,
                seed=seed,
                n_jobs=1,
            ),
            acquisition_function=ConstrainedEI(self.feasibility, log=fidelity is None),
            acquisition_maximizer=FeasibleMaximizer(
                cs, challengers=2000, seed=seed, admissible=admissible_config
            ),
            # One proposal per surrogate fit: every result is used before the next proposal.
            config_selector=facade.get_config_selector(scenario, retrain_after=1),
            multi_objective_algorithm=ParEGO(scenario) if self.multi else None,
            overwrite=True,
            logging_level=40,
        )

    def ask(self) -> tuple[Any, dict[str, Scalar]]:
        from smac.main.exceptions import ConfigurationSpaceExhaustedException

        if self._remembered:
            # The intensifier learns the seeds in use from the run history only here; without
            # this it would run remembered designs again under a seed of its own.
            self.smac.intensifier.__post_init__()
            self._remembered = False
        try:
            with _quiet_numpy():
                info = self.smac.ask()
        except ConfigurationSpaceExhaustedException:
            raise Exhausted from None
        point = to_point(info.config)
        if info.budget is not None:
            point["train.epochs"] = round(info.budget)
        return info, point

    def tell(self, token: Any, costs: list[float], feasible: bool | None = None) -> None:
        from smac.runhistory.dataclasses import TrialValue

        if feasible is not None:
            self.feasibility.add(token.config, feasible)
        with _quiet_numpy():
            self.smac.tell(token, TrialValue(cost=costs if self.multi else costs[0]))

    def remember(self, point: dict[str, Scalar], costs: list[float], feasible: bool) -> None:
        from ConfigSpace import Configuration
        from smac.runhistory.dataclasses import TrialInfo

        budget = None
        if self.fidelity is not None:
            budget = float(point.get("train.epochs", self.fidelity.hi))
        knobs = {k: v for k, v in point.items() if k in self.cs}
        info = TrialInfo(Configuration(self.cs, values=knobs), seed=0, budget=budget)
        self.tell(info, costs, feasible)
        self._remembered = True


class RandomProposer:
    def __init__(self, cs: Any, fidelity: ir.IntRange | None):
        self.cs = cs
        self.epochs = fidelity.hi if fidelity is not None else None

    def ask(self) -> tuple[Any, dict[str, Scalar]]:
        point = to_point(self.cs.sample_configuration())
        if self.epochs is not None:
            point["train.epochs"] = self.epochs
        return None, point

    def tell(self, token: Any, costs: list[float], feasible: bool | None = None) -> None:
        pass

    def remember(self, point: dict[str, Scalar], costs: list[float], feasible: bool) -> None:
        pass


class FixedKnobs:
    """A proposer over a sub-space, with the other knobs fixed (the two-step flow's hardware
    phase asks only hardware knobs; the model is the best of phase one)."""

    def __init__(self, inner: Proposer, fixed: dict[str, Scalar]):
        self.inner = inner
        self.fixed = fixed

    def ask(self) -> tuple[Any, dict[str, Scalar]]:
        token, point = self.inner.ask()
        return token, {**self.fixed, **point}

    def tell(self, token: Any, costs: list[float], feasible: bool | None = None) -> None:
        self.inner.tell(token, costs, feasible)

    def remember(self, point: dict[str, Scalar], costs: list[float], feasible: bool) -> None:
        if all(point.get(k) == v for k, v in self.fixed.items()):
            self.inner.remember(
                {k: v for k, v in point.items() if k not in self.fixed}, costs, feasible
            )
