"""ConfigSpace translation, Pareto sets, hypervolume and budget checks (fast)."""

from __future__ import annotations

import pytest

from conftest import ROOT
from specc.compiler import check_text, load
from specc.evaluate.results import Metric
from specc.search.pareto import badness, hypervolume, pareto_indices, reference
from specc.search.records import violations
from specc.search.space import configspace, to_point


def test_configspace_mirrors_the_spec() -> None:
    spec = load(ROOT / "examples" / "mnist_zynq.cds")
    cs = configspace(spec, seed=0)
    names = sorted(cs.keys())
    assert names == sorted(
        [
            "hls.array_partition",
            "hls.clock_period",
            "hls.precision.integer",
            "hls.precision.width",
            "hls.reuse_factor",
            "model.fc1.neurons",
            "model.fc2.neurons",
            "model.fc3.neurons",
            "model.hidden_layers",
            "train.l2",
            "train.learning_rate",
        ]
    )
    assert list(cs["hls.array_partition"].sequence) == [2, 4, 8, 16, 32, 64, 128, 256]
    assert list(cs["model.fc1.neurons"].sequence) == list(range(32, 257, 32))
    assert cs["train.learning_rate"].log
    conditions = {str(c) for c in cs.conditions}
    assert conditions == {
        "model.fc2.neurons | model.hidden_layers > 1",
        "model.fc3.neurons | model.hidden_layers > 2",
    }


def test_sampled_configurations_are_legal_points() -> None:
    from specc.evaluate.point import resolve

    spec = load(ROOT / "examples" / "cnn_digits.cds")
    cs = configspace(spec, seed=3)
    for config in cs.sample_configuration(50):
        cfg = resolve(spec, to_point(config))  # raises on anything out of domain
        assert len(cfg.filters) == cfg.get("model.conv_layers")


def test_two_step_subspaces() -> None:
    spec = load(ROOT / "examples" / "mnist_zynq.cds")
    train = configspace(spec, 0, only=("model.", "train."))
    assert all(n.startswith(("model.", "train.")) for n in train.keys())
    hw = configspace(spec, 0, only=("hls.",), fixed={"hls.reuse_factor": 2})
    assert "hls.reuse_factor" not in hw.keys() and "hls.clock_period" in hw.keys()


def test_hypervolume_exact_small_cases() -> None:
    assert hypervolume([]) == 0.0
    assert hypervolume([(0.5, 0.5)]) == pytest.approx(0.25)
    assert hypervolume([(0.5, 0.5), (0.25, 0.75)]) == pytest.approx(0.3125)
    assert hypervolume([(0.5, 0.5, 0.5)]) == pytest.approx(0.125)
    assert hypervolume([(0.2, 0.2), (1.5, 0.0)]) == pytest.approx(0.64)  # outside adds nothing
    # Adding a dominated point changes nothing.
    assert hypervolume([(0.5, 0.5), (0.6, 0.6)]) == pytest.approx(0.25)


def test_pareto_indices() -> None:
    assert pareto_indices([(1, 2), (2, 1), (2, 2), (1, 2)]) == [0, 1]


SPEC = """design d
dataset digits
model mlp
target xc7z020clg400-1
objectives {
  minimize fixed_error, latency_ns
  maximize float_accuracy
}
constraints {
  dsp <= 110
  latency_ns <= 500
}
"""


def test_badness_and_reference_point() -> None:
    result = check_text(SPEC)
    assert result.spec is not None
    spec = result.spec
    assert reference(spec, "dsp") == 110
    assert reference(spec, "lut") == 53_200  # no budget: the part's capacity
    assert reference(spec, "latency_ns") == 500
    b = badness(spec, {"fixed_error": 0.1, "latency_ns": 250, "float_accuracy": 0.9})
    assert b == pytest.approx([0.1, 0.5, 0.1])


def test_violations_name_the_budget_and_provenance() -> None:
    result = check_text(SPEC)
    assert result.spec is not None
    metrics = {
        "dsp": Metric(value=150, provenance="estimate:specc-0.1.0"),
        "latency_ns": Metric(value=100, provenance="estimate:specc-0.1.0"),
    }
    assert violations(result.spec, metrics) == ["dsp 150 breaks <= 110 (estimate:specc-0.1.0)"]
