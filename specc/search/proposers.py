"""Proposers: where the next point to evaluate comes from (SMAC3 through ask/tell, random
sampling), behind one small protocol the search loop drives."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from specc.evaluate.point import Scalar
from specc.ir import model as ir
from specc.search.space import to_point

__all__ = ["Exhausted", "FixedKnobs", "Proposer", "RandomProposer", "SmacProposer"]


class Proposer(Protocol):
    """Asks for points and is told their costs (lower is better, one per objective)."""

    def ask(self) -> tuple[Any, dict[str, Scalar]]: ...
    def tell(self, token: Any, costs: list[float]) -> None: ...


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
    def __init__(
        self,
        cs: Any,
        objectives: list[str],
        n_trials: int,
        seed: int,
        out_dir: Path,
        fidelity: ir.IntRange | None,
    ):
        from smac import HyperparameterOptimizationFacade as HPO
        from smac import MultiFidelityFacade as MF
        from smac import Scenario
        from smac.multi_objective.parego import ParEGO

        self.multi = len(objectives) > 1
        budgets: dict[str, Any] = {}
        if fidelity is not None:
            budgets = {"min_budget": fidelity.lo, "max_budget": fidelity.hi}
        scenario = Scenario(
            cs,
            name="smac",
            output_directory=out_dir,
            deterministic=True,
            n_trials=n_trials,
            seed=seed,
            objectives=objectives if self.multi else "cost",
            **budgets,
        )
        facade: Any = MF if fidelity is not None else HPO
        n_init = max(2, min(n_trials // 4, 8))  # of the evaluated budget, not of the asks
        intensifier: Any
        if fidelity is not None:
            # ParEGO with the default intensifier asserts under multi-fidelity (STACK.md).
            intensifier = MF.get_intensifier(scenario, incumbent_selection="highest_budget")
        else:
            intensifier = HPO.get_intensifier(scenario, max_config_calls=1)
        self.smac = facade(
            scenario,
            _never_called,
            initial_design=facade.get_initial_design(scenario, n_configs=n_init),
            intensifier=intensifier,
            multi_objective_algorithm=ParEGO(scenario) if self.multi else None,
            overwrite=True,
            logging_level=40,
        )

    def ask(self) -> tuple[Any, dict[str, Scalar]]:
        from smac.main.exceptions import ConfigurationSpaceExhaustedException

        try:
            with _quiet_numpy():
                info = self.smac.ask()
        except ConfigurationSpaceExhaustedException:
            raise Exhausted from None
        point = to_point(info.config)
        if info.budget is not None:
            point["train.epochs"] = round(info.budget)
        return info, point

    def tell(self, token: Any, costs: list[float]) -> None:
        from smac.runhistory.dataclasses import TrialValue

        with _quiet_numpy():
            self.smac.tell(token, TrialValue(cost=costs if self.multi else costs[0]))


class RandomProposer:
    def __init__(self, cs: Any, fidelity: ir.IntRange | None):
        self.cs = cs
        self.epochs = fidelity.hi if fidelity is not None else None

    def ask(self) -> tuple[Any, dict[str, Scalar]]:
        point = to_point(self.cs.sample_configuration())
        if self.epochs is not None:
            point["train.epochs"] = self.epochs
        return None, point

    def tell(self, token: Any, costs: list[float]) -> None:
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

    def tell(self, token: Any, costs: list[float]) -> None:
        self.inner.tell(token, costs)
