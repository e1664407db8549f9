"""The intermediate representation: a validated, frozen description of one design-space exploration.

Every node keeps the span of the spec text it came from, so later stages (the search, the
evaluator) can still point at the line a problem comes from. ``specc schema`` prints the JSON
schema of :class:`Spec`.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from specc.diagnostics import Span

__all__ = [
    "Choice",
    "Constraint",
    "Dataset",
    "Fixed",
    "FloatRange",
    "Hls",
    "IntRange",
    "LayerKnobs",
    "Model",
    "Objective",
    "Param",
    "Pow2Range",
    "Precision",
    "Search",
    "Spec",
    "Target",
    "Task",
    "Train",
]

Scalar = Union[bool, int, float, str]


class Node(BaseModel):
    """Base of every IR node: frozen, no unknown fields, a source span."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    span: Span | None = Field(default=None, description="Where in the spec this came from.")


# ---- parameter domains ------------------------------------------------------------------------


class Fixed(Node):
    """A single value: not searched."""

    kind: Literal["fixed"] = "fixed"
    value: Scalar

    def values(self) -> list[Scalar]:
        return [self.value]

    def describe(self) -> str:
        return _fmt(self.value)


class IntRange(Node):
    """Integers ``lo, lo+step, ..., <= hi``."""

    kind: Literal["int"] = "int"
    lo: int
    hi: int
    step: int = 1
    log: bool = False

    def values(self) -> list[Scalar]:
        return list(range(self.lo, self.hi + 1, self.step))

    def describe(self) -> str:
        suffix = f" step {self.step}" if self.step != 1 else (" log" if self.log else "")
        return f"{self.lo}..{self.hi}{suffix}"


class FloatRange(Node):
    """A real interval, sampled uniformly or (``log``) log-uniformly."""

    kind: Literal["float"] = "float"
    lo: float
    hi: float
    log: bool = False

    def values(self) -> None:
        return None

    def describe(self) -> str:
        return f"{_fmt(self.lo)}..{_fmt(self.hi)}" + (" log" if self.log else "")


class Pow2Range(Node):
    """Powers of two ``2^lo_exp .. 2^hi_exp``."""

    kind: Literal["pow2"] = "pow2"
    lo_exp: int
    hi_exp: int

    def values(self) -> list[Scalar]:
        return [2**e for e in range(self.lo_exp, self.hi_exp + 1)]

    def describe(self) -> str:
        return f"2^{self.lo_exp}..2^{self.hi_exp}"


class Choice(Node):
    """One of a listed set of values."""

    kind: Literal["choice"] = "choice"
    options: tuple[Scalar, ...]

    def values(self) -> list[Scalar]:
        return list(self.options)

    def describe(self) -> str:
        return "{" + ", ".join(_fmt(o) for o in self.options) + "}"


Param = Annotated[Fixed | IntRange | FloatRange | Pow2Range | Choice, Field(discriminator="kind")]


def _fmt(v: Scalar) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def is_fixed(p: Param) -> bool:
    vals = p.values()
    return vals is not None and len(vals) == 1


def size(p: Param) -> float:
    """Number of values in a domain; ``math.inf`` for a continuous one."""
    vals = p.values()
    return math.inf if vals is None else len(vals)


# ---- sections -----------------------------------------------------------------------------------


class Dataset(Node):
    """Where the training and test data come from."""

    name: Literal["digits", "mnist", "csv", "npz"]
    path: str | None = Field(None, description="csv/npz file, relative to the spec's folder.")
    label: str | int | None = Field(None, description="csv: label column (name or 0-based index).")
    x_key: str = Field("x", description="npz: array of inputs.")
    y_key: str = Field("y", description="npz: array of labels.")
    test_fraction: float = Field(0.2, description="Share of samples held out for testing.")
    normalize: Literal["none", "minmax", "standard"] = "minmax"
    seed: int = Field(0, description="Seed of the train/test split.")


class Model(Node):
    """The model family and its architecture hyper-parameters."""

    family: Literal["mlp", "cnn", "keras"]
    path: str | None = Field(None, description="keras: the trained model file.")
    weights: str | None = Field(
        None, description="keras: the weights (.h5) of a Keras 2 model.json model file."
    )
    hidden_layers: Param = Field(description="mlp: number of hidden Dense layers.")
    neurons: Param = Field(description="Width of each hidden Dense layer (searched per layer).")
    activation: Param
    conv: Literal["conv1d", "conv2d"] = "conv2d"
    conv_layers: Param = Field(description="cnn: number of convolution blocks.")
    filters: Param = Field(description="cnn: filters per convolution (searched per block).")
    kernel: Param = Field(description="cnn: kernel size (square for conv2d).")
    pooling: Param = Field(description="cnn: pooling after each convolution: max, avg or none.")
    pool_size: int = 2


class Train(Node):
    """Training hyper-parameters."""

    epochs: Param
    batch_size: Param
    optimizer: Param
    learning_rate: Param
    l1: Param
    l2: Param
    early_stopping: Param = Field(
        description="Patience in epochs on the validation loss (0 = train every epoch)."
    )
    lr_schedule: Param = Field(description="constant, plateau or cosine.")
    validation_split: float = Field(
        0.1, description="Share of the training split held out for early stopping / plateau."
    )
    seed: int = Field(
        0, description="Seed of weight initialisation and shuffling (not the search's seed)."
    )


class Task(Node):
    """One compression task of ``compress`` (``prune``, ``scale`` or ``quantize``); the tasks
    run on the trained model in the order written. ``knobs`` holds every key of the task
    (:mod:`specc.ir.schema`), searched ones as ranges or choices."""

    kind: Literal["prune", "scale", "quantize"]
    knobs: dict[str, Param]


class Precision(Node):
    """``ap_fixed<width, integer>``: total and integer bits, either of which may be searched."""

    signed: bool = True
    width: Param
    integer: Param

    def describe(self) -> str:
        name = "ap_fixed" if self.signed else "ap_ufixed"
        return f"{name}<{self.width.describe()}, {self.integer.describe()}>"


class LayerKnobs(Node):
    """Knobs that override the model-wide ones for one layer."""

    name: str
    precision: Precision | None = None
    reuse_factor: Param | None = None
    strategy: Param | None = None


class Hls(Node):
    """HLS pragmas / hardware knobs, model-wide, with per-layer overrides."""

    backend: Param
    io_type: Param
    strategy: Param
    precision: Precision
    reuse_factor: Param
    clock_period: Param = Field(description="Clock period in ns.")
    array_partition: Param = Field(
        description="hls4ml MaximumSize: config_array_partition -maximum_size (Vivado HLS)."
    )
    layers: tuple[LayerKnobs, ...] = ()


class Target(Node):
    """The FPGA part and its capacities."""

    part: str
    device: str | None = Field(None, description="The part table's device, when listed.")
    family: str
    lut: int
    ff: int
    dsp: int
    bram_18k: int

    def capacity(self, metric: str) -> int | None:
        return {"lut": self.lut, "ff": self.ff, "dsp": self.dsp, "bram": self.bram_18k}.get(metric)


class Objective(Node):
    """``minimize`` or ``maximize`` a metric of :data:`specc.metrics.METRICS`."""

    metric: str
    sense: Literal["minimize", "maximize"]


class Constraint(Node):
    """A budget: ``metric op value``. ``value`` is absolute (a percentage is resolved)."""

    metric: str
    op: Literal["<=", ">=", "<", ">", "=="]
    value: float
    percent: float | None = Field(None, description="As written, when given in % of the part.")


class Search(Node):
    """How the design space is explored."""

    algorithm: Literal["smac", "random", "separate"] = "smac"
    trials: int = 20
    seed: int = 0
    time_budget_s: float | None = None
    workers: int = 1
    fidelity_epochs: IntRange | None = Field(
        None, description="Multi-fidelity: epochs from lo (cheap) to hi (full)."
    )


class Spec(Node):
    """A whole .cds file, lowered and checked."""

    source: str = Field(description="The spec file this came from.")
    design: str
    dataset: Dataset
    model: Model
    train: Train
    compress: tuple[Task, ...] = Field(
        (), description="Compression tasks, in the order they are applied."
    )
    hls: Hls
    target: Target
    objectives: tuple[Objective, ...]
    constraints: tuple[Constraint, ...] = ()
    search: Search

    def task(self, kind: str) -> Task | None:
        """The spec's ``compress`` task of this kind, if it has one."""
        return next((t for t in self.compress if t.kind == kind), None)
