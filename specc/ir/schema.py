"""What each section of a spec may say: its keys, their value types, bounds and defaults.

The grammar (grammar/specc.lark) fixes the shape of a spec; this table fixes its vocabulary. It is
the one place to add a key: lowering, ``specc fmt`` ordering and the documentation read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specc.ir.arch import HIDDEN_ACTIVATIONS

__all__ = ["DATASETS", "FAMILIES", "MAX_SEED", "SECTION_KEYS", "TASKS", "UNITS", "Key", "keys_for"]

# Seeds are 32-bit: numpy, scikit-learn and SMAC take nothing larger.
MAX_SEED = 2**32 - 1
# The largest part in the table has ~4 M flip-flops; a capacity far past that is a typo.
_MAX_CAPACITY = 100_000_000


@dataclass(frozen=True)
class Key:
    """One key of a section.

    Args:
        name: the key as written.
        type: ``int``, ``float``, ``enum``, ``str``, ``label`` (str or int), ``period`` (ns),
            ``duration`` (s), ``fraction`` (0..1, or a percentage), ``precision``.
        default: value when the key is absent (None: no default, the key is optional).
        doc: one line for ``specc schema`` readers and error hints.
        searchable: whether a range or choice is allowed (a search dimension).
        choices: the allowed words of an ``enum``.
        lo, hi: inclusive bounds of a number.
        lo_open: ``lo`` itself is excluded.
    """

    name: str
    type: str
    default: Any
    doc: str
    searchable: bool = True
    choices: tuple[str, ...] = ()
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False


DATASETS = ("digits", "mnist", "csv", "npz")
FAMILIES = ("mlp", "cnn", "keras")
#: The compression tasks of ``compress`` (see specc/evaluate/compress.py).
TASKS = ("prune", "scale", "quantize")
ACTIVATIONS = HIDDEN_ACTIVATIONS

# Unit -> (dimension, factor to the canonical unit: ns for periods, s for durations).
UNITS: dict[str, tuple[str, float]] = {
    "ps": ("period", 1e-3),
    "ns": ("period", 1.0),
    "us": ("period", 1e3),
    "s": ("duration", 1.0),
    "min": ("duration", 60.0),
    "h": ("duration", 3600.0),
    "MHz": ("frequency", 1e6),
    "GHz": ("frequency", 1e9),
    "%": ("percent", 0.01),
    "epochs": ("epochs", 1.0),
}

_SPLIT = (
    Key(
        "test_fraction",
        "fraction",
        0.2,
        "share of samples held out for testing",
        False,
        lo=0.0,
        hi=0.9,
        lo_open=True,
    ),
    Key(
        "normalize",
        "enum",
        "minmax",
        "input scaling fitted on the training split",
        False,
        choices=("none", "minmax", "standard"),
    ),
    Key("seed", "int", 0, "seed of the train/test split", False, lo=0, hi=MAX_SEED),
)
_DENSE = (
    Key("hidden_layers", "int", 2, "number of hidden Dense layers", lo=1, hi=16),
    Key(
        "neurons", "int", 32, "width of each hidden Dense layer (searched per layer)", lo=1, hi=4096
    ),
    Key("activation", "enum", "relu", "activation of hidden layers", choices=ACTIVATIONS),
)

SECTION_KEYS: dict[str, tuple[Key, ...]] = {
    "dataset:digits": _SPLIT,
    "dataset:mnist": _SPLIT,
    "dataset:csv": (
        *_SPLIT,
        Key("label", "label", -1, "label column: header name or 0-based index (-1: last)", False),
    ),
    "dataset:npz": (
        *_SPLIT,
        Key("x", "str", "x", "name of the input array in the .npz", False),
        Key("y", "str", "y", "name of the label array in the .npz", False),
    ),
    "model:mlp": _DENSE,
    "model:cnn": (
        Key("conv", "enum", "conv2d", "convolution kind", False, choices=("conv1d", "conv2d")),
        Key("conv_layers", "int", 1, "number of convolution blocks", lo=1, hi=4),
        Key("filters", "int", 8, "filters of each convolution (searched per block)", lo=1, hi=256),
        Key("kernel", "int", 3, "kernel size (square for conv2d)", lo=1, hi=11),
        Key(
            "pooling",
            "enum",
            "max",
            "pooling after each convolution",
            choices=("max", "avg", "none"),
        ),
        Key("pool_size", "int", 2, "pooling window", False, lo=2, hi=4),
        Key("hidden_layers", "int", 1, "number of Dense layers in the head", lo=0, hi=8),
        _DENSE[1],
        _DENSE[2],
    ),
    "model:keras": (
        Key(
            "weights",
            "str",
            None,
            "weights file (.h5) of a Keras 2 model.json model file",
            False,
        ),
    ),
    "train": (
        Key("epochs", "int", 10, "training epochs", lo=1, hi=10_000),
        Key("batch_size", "int", 32, "mini-batch size", lo=1, hi=65_536),
        Key("optimizer", "enum", "adam", "optimizer", choices=("adam", "sgd", "rmsprop")),
        Key("learning_rate", "float", 1e-3, "learning rate", lo=0.0, hi=10.0, lo_open=True),
        Key("l1", "float", 0.0, "L1 kernel regularisation", lo=0.0, hi=1.0),
        Key("l2", "float", 0.0, "L2 kernel regularisation", lo=0.0, hi=1.0),
        Key(
            "early_stopping",
            "int",
            0,
            "patience: stop after this many epochs without a better validation loss (0: off)",
            lo=0,
            hi=10_000,
        ),
        Key(
            "lr_schedule",
            "enum",
            "constant",
            "learning-rate schedule: constant, plateau (halve on a stalled validation loss) "
            "or cosine (decay to 0 over the epochs)",
            choices=("constant", "plateau", "cosine"),
        ),
        Key(
            "validation_split",
            "fraction",
            0.1,
            "share of the training split held out for early stopping and the plateau schedule",
            False,
            lo=0.0,
            hi=0.5,
            lo_open=True,
        ),
        Key(
            "seed",
            "int",
            0,
            "seed of weight initialisation and shuffling",
            False,
            lo=0,
            hi=MAX_SEED,
        ),
    ),
    # Compression tasks (the blocks of ``compress``), applied in the order written.
    "compress:prune": (
        Key("sparsity", "fraction", 0.5, "final share of zero weights", lo=0.0, hi=0.99),
        Key("steps", "int", 1, "pruning rounds, sparsity rising to the final share", lo=1, hi=20),
        Key("epochs", "int", 5, "fine-tuning epochs after each round", lo=0, hi=10_000),
        Key(
            "rewind",
            "enum",
            "false",
            "after each round, reset the surviving weights to their early values "
            "(lottery-ticket rewinding) before fine-tuning",
            choices=("false", "true"),
        ),
    ),
    "compress:scale": (
        Key(
            "factor",
            "fraction",
            1.0,
            "share of each hidden layer's units (or filters) kept: the strongest ones",
            lo=0.01,
            hi=1.0,
        ),
        Key("epochs", "int", 5, "fine-tuning epochs after shrinking", lo=0, hi=10_000),
    ),
    "compress:quantize": (
        Key(
            "method",
            "enum",
            "ptq",
            "ptq (round after training), qat (train with fixed ap_fixed<W, I> quantisers) "
            "or hgq (HGQ: learn a width per weight, regularised by beta)",
            choices=("ptq", "qat", "hgq"),
        ),
        Key(
            "beta",
            "float",
            1e-5,
            "hgq: weight of the resource (EBOPs) term in the loss",
            lo=0.0,
            hi=1.0,
        ),
        Key("epochs", "int", 10, "quantisation-aware training epochs", lo=0, hi=10_000),
    ),
    "hls": (
        Key("backend", "enum", "vivado", "hls4ml backend", choices=("vivado", "vitis")),
        Key(
            "io_type",
            "enum",
            "parallel",
            "io_parallel or io_stream",
            choices=("parallel", "stream"),
        ),
        Key("strategy", "enum", "latency", "hls4ml strategy", choices=("latency", "resource")),
        Key("precision", "precision", (16, 6), "default fixed-point type of weights and results"),
        Key("reuse_factor", "int", 1, "multiplications shared by one multiplier", lo=1, hi=65_536),
        Key("clock_period", "period", 5, "clock period (ns)", lo=0.5, hi=100.0),
        Key(
            "array_partition",
            "int",
            4096,
            "largest array HLS partitions completely (config_array_partition -maximum_size)",
            lo=1,
            hi=1 << 20,
        ),
    ),
    "layer": (
        Key("precision", "precision", None, "fixed-point type of this layer"),
        Key("reuse_factor", "int", None, "reuse factor of this layer", lo=1, hi=65_536),
        Key("strategy", "enum", None, "strategy of this layer", choices=("latency", "resource")),
    ),
    "target": (
        Key("lut", "int", None, "LUTs of the part", False, lo=1, hi=_MAX_CAPACITY),
        Key("ff", "int", None, "flip-flops of the part", False, lo=1, hi=_MAX_CAPACITY),
        Key("dsp", "int", None, "DSP slices of the part", False, lo=0, hi=_MAX_CAPACITY),
        Key("bram_18k", "int", None, "18 Kb block RAMs of the part", False, lo=0, hi=_MAX_CAPACITY),
    ),
    "search": (
        Key(
            "algorithm",
            "enum",
            "smac",
            "smac (Bayesian), random, or separate (two-step flow)",
            False,
            choices=("smac", "random", "separate"),
        ),
        Key("trials", "int", 20, "number of trials", False, lo=1, hi=100_000),
        Key(
            "seed",
            "int",
            0,
            "seed of the search (which designs it proposes)",
            False,
            lo=0,
            hi=MAX_SEED,
        ),
        Key(
            "time_budget",
            "duration",
            None,
            "wall-time budget of the search",
            False,
            lo=1.0,
            hi=366 * 86400.0,
        ),
        Key("workers", "int", 1, "trials evaluated in parallel", False, lo=1, hi=1024),
        Key(
            "fidelity",
            "int",
            None,
            "epochs range for multi-fidelity search (e.g. 2..20 epochs)",
            lo=1,
            hi=10_000,
        ),
    ),
}


def keys_for(section: str, label: str | None = None) -> tuple[Key, ...]:
    """The keys of a section (``dataset`` and ``model`` depend on their label, ``compress``
    on the task)."""
    if section in ("dataset", "model", "compress"):
        return SECTION_KEYS.get(f"{section}:{label}", ())
    return SECTION_KEYS.get(section, ())
