"""Layer sizes and hls4ml's reuse-factor rule."""

from __future__ import annotations

import importlib.util

import pytest

from specc.compiler import check_text
from specc.ir.arch import layer_sizes
from specc.ir.datasets import BUILTIN
from specc.ir.layers import valid_reuse_factor


def test_reuse_factor_rule_hand_cases() -> None:
    # 64 inputs x 32 outputs: 2048 products; rf must divide it, and for rf < n_in the
    # multiplier count (2048 / rf) must be a multiple of n_out.
    assert valid_reuse_factor(64, 32, 1)
    assert valid_reuse_factor(64, 32, 2)
    assert not valid_reuse_factor(64, 32, 3)
    assert valid_reuse_factor(64, 32, 64)
    assert not valid_reuse_factor(64, 32, 96)  # rf > n_in must be a multiple of n_in
    assert valid_reuse_factor(64, 32, 2048)
    assert not valid_reuse_factor(64, 32, 4096)
    # 16 x 10: rf = 4 -> 40 multipliers, a multiple of 10.
    assert valid_reuse_factor(16, 10, 4)
    assert not valid_reuse_factor(16, 10, 3)


@pytest.mark.skipif(importlib.util.find_spec("hls4ml") is None, reason="hls4ml not installed")
def test_reuse_factor_rule_matches_hls4ml() -> None:
    from hls4ml.backends import get_backend

    backend = get_backend("Vivado")
    for n_in, n_out in [(64, 32), (16, 10), (784, 96), (27, 8), (10, 5)]:
        ours = [rf for rf in range(1, n_in * n_out + 1) if valid_reuse_factor(n_in, n_out, rf)]
        assert ours == backend.get_valid_reuse_factors(n_in, n_out)


def _model(text: str):  # type: ignore[no-untyped-def]
    result = check_text(
        "design d\ndataset digits\n" + text + "\ntarget xc7z020clg400-1\n"
        "objectives {\n  minimize lut\n}\n"
    )
    assert result.spec is not None, result.diagnostics
    return result.spec.model


def test_mlp_layer_sizes() -> None:
    model = _model("model mlp {\n  hidden_layers = 1..2\n  neurons = {16, 32}\n}")
    sizes = {ls.name: ls.sizes for ls in layer_sizes(model, BUILTIN["digits"])}
    assert sizes == {
        "fc1": {(64, 16), (64, 32)},
        "fc2": {(16, 16), (16, 32), (32, 16), (32, 32)},
        "output": {(16, 10), (32, 10)},
    }


def test_cnn_layer_sizes() -> None:
    model = _model(
        "model cnn {\n  conv_layers = 1\n  filters = {4, 8}\n  kernel = 3\n  hidden_layers = 1\n"
        "  neurons = 16\n}"
    )
    sizes = {ls.name: ls.sizes for ls in layer_sizes(model, BUILTIN["digits"])}
    # 8x8 image, 3x3 kernel on 1 channel; max pooling 2 leaves 4x4 x filters to flatten.
    assert sizes["conv1"] == {(9, 4), (9, 8)}
    assert sizes["fc1"] == {(64, 16), (128, 16)}
    assert sizes["output"] == {(16, 10)}
