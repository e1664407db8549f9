"""The part table and the counting of search spaces."""

from __future__ import annotations

import pytest

from specc.compiler import check_text
from specc.ir.parts import DEVICES, lookup
from specc.ir.space import count, dimensions


@pytest.mark.parametrize("device", DEVICES, ids=lambda d: d.name)
def test_every_example_part_resolves_to_its_device(device) -> None:  # type: ignore[no-untyped-def]
    assert lookup(device.example_part) == device
    assert lookup(device.name) == device


def test_lookup_rejects_near_misses() -> None:
    assert lookup("xc7z02clg400-1") is None
    assert lookup("xc7z020-bogus") is None
    assert lookup("xc7z007sclg225-2").name == "xc7z007s"  # type: ignore[union-attr]


def test_datasheet_capacities_of_the_seed_part() -> None:
    dev = lookup("xc7z020clg400-1")
    assert dev is not None
    assert (dev.lut, dev.ff, dev.dsp, dev.bram_18k) == (53_200, 106_400, 220, 280)


def _spec(body: str):  # type: ignore[no-untyped-def]
    result = check_text(
        "design d\ndataset digits\n" + body + "\ntarget xc7z020clg400-1\n"
        "objectives {\n  minimize lut\n}\n"
    )
    assert result.spec is not None, result.diagnostics
    return result.spec


def test_fixed_spec_has_one_configuration() -> None:
    spec = _spec("model mlp")
    assert dimensions(spec) == []
    assert count([]) == (1, [])


def test_conditional_widths_are_counted_where_active() -> None:
    spec = _spec(
        "model mlp {\n  hidden_layers = 1..3\n  neurons = {8, 16}\n}\n"
        "hls {\n  reuse_factor = {1, 2}\n  layer fc3 {\n    reuse_factor = {1, 2, 4}\n  }\n}"
    )
    total, continuous = count(dimensions(spec))
    # depth 1: 2 widths; depth 2: 2*2; depth 3: 2*2*2 widths x 3 reuse factors of fc3.
    assert total == (2 + 4 + 8 * 3) * 2
    assert continuous == []


def test_precision_ranges_are_two_dimensions() -> None:
    spec = _spec("model mlp\nhls {\n  precision = ap_fixed<12..16, 4..6>\n}")
    names = [d.name for d in dimensions(spec)]
    assert names == ["hls.precision.width", "hls.precision.integer"]
    assert count(dimensions(spec))[0] == 15
