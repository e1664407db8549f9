"""Points: defaults, --set parsing, inactive knobs dropped."""

from __future__ import annotations

import pytest

from specc.compiler import check_text
from specc.evaluate.point import PointError, default_value, parse_assignment, resolve
from specc.ir import model as ir

SPEC = """design d
dataset digits
model mlp {
  hidden_layers = 1..3
  neurons = {8, 16, 32}
}
train {
  learning_rate = 1e-4..1e-2 log
}
hls {
  precision = ap_fixed<8..16, 3..6>
  reuse_factor = 2^0..2^3
}
target xc7z020clg400-1
objectives {
  minimize lut
}
"""


@pytest.fixture(scope="module")
def spec() -> ir.Spec:
    result = check_text(SPEC)
    assert result.spec is not None, result.diagnostics
    return result.spec


def test_defaults_are_middles_of_domains() -> None:
    assert default_value(ir.IntRange(lo=1, hi=3)) == 2
    assert default_value(ir.FloatRange(lo=1e-4, hi=1e-2, log=True)) == pytest.approx(1e-3)
    assert default_value(ir.Choice(options=(8, 16))) == 8
    assert default_value(ir.Pow2Range(lo_exp=0, hi_exp=3)) == 2


def test_resolve_drops_inactive_layers(spec: ir.Spec) -> None:
    cfg = resolve(spec, {"model.hidden_layers": 1, "model.fc1.neurons": 32})
    assert cfg.widths == [32]
    assert "model.fc2.neurons" not in cfg.values
    deep = resolve(spec, {"model.hidden_layers": 3})
    assert deep.widths == [8, 8, 8]


def test_equal_designs_resolve_equal(spec: ir.Spec) -> None:
    a = resolve(spec, {"model.hidden_layers": 1, "model.fc2.neurons": 32})
    b = resolve(spec, {"model.hidden_layers": 1})
    assert a == b


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hls.reuse=2", "unknown knob 'hls.reuse'; did you mean 'hls.reuse_factor'?"),
        ("hls.reuse_factor=3", "hls.reuse_factor=3 is outside the spec's domain 2^0..2^3"),
        ("hls.reuse_factor=two", "hls.reuse_factor: expected a number, got 'two'"),
        (
            "model.hidden_layers",
            "'model.hidden_layers' is not name=value (e.g. hls.reuse_factor=2)",
        ),
        (
            "train.learning_rate=1",
            "train.learning_rate=1 is outside the spec's domain 0.0001..0.01 log",
        ),
    ],
)
def test_bad_assignments(spec: ir.Spec, text: str, message: str) -> None:
    with pytest.raises(PointError) as err:
        parse_assignment(spec, text)
    assert str(err.value) == message


def test_good_assignments_are_typed(spec: ir.Spec) -> None:
    assert parse_assignment(spec, "hls.reuse_factor=4") == ("hls.reuse_factor", 4)
    assert parse_assignment(spec, "train.learning_rate=0.001") == ("train.learning_rate", 0.001)
    assert parse_assignment(spec, "hls.precision.width=12") == ("hls.precision.width", 12)


def test_precision_combination_is_checked(spec: ir.Spec) -> None:
    cfg = resolve(spec, {"hls.precision.width": 8, "hls.precision.integer": 6})
    assert cfg.precision() == (8, 6)
