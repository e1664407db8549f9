"""The estimator: structural rules, the a-priori check, and agreement with real reports."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from specc.compiler import load
from specc.evaluate.estimate import LayerShape, estimate_design, estimate_layer
from specc.evaluate.precheck import precheck

SHARED = ROOT.parent / "shared"


def test_shared_multipliers_are_one_dsp_each() -> None:
    # 64x32 at reuse 16 under the latency strategy: ceil(2048 / 16) = 128 shared multipliers.
    est = estimate_layer(LayerShape("fc", "dense", 64, 32, reuse=16, weight_bits=16, input_bits=16))
    assert est.dsp == 128
    assert est.ii == 16 or est.ii == est.latency_cycles + 1


def test_narrow_products_use_no_dsp() -> None:
    est = estimate_layer(LayerShape("fc", "dense", 64, 32, weight_bits=6, input_bits=6))
    assert est.dsp == 0 and est.lut > 0


def test_pruned_zeros_remove_multipliers() -> None:
    full = estimate_layer(LayerShape("fc", "dense", 64, 32, reuse=16))
    pruned = estimate_layer(LayerShape("fc", "dense", 64, 32, reuse=16, zeros=1024))
    assert pruned.dsp == full.dsp // 2


def test_softmax_takes_one_table_per_class() -> None:
    # Every xc7z007s report: BRAM_18K of the stable softmax == number of classes.
    assert estimate_layer(LayerShape("softmax", "softmax", n_out=10)).bram == 10


def test_wide_products_take_two_dsps_on_7series() -> None:
    # 18x26 fits a 27x18 UltraScale DSP but not a 25x18 DSP48E1.
    shape = LayerShape("fc", "dense", 8, 8, reuse=8, weight_bits=18, input_bits=26)
    assert estimate_layer(shape, "7series").dsp == 2 * estimate_layer(shape, "ultrascale+").dsp


def test_bigger_reuse_trades_dsp_for_latency() -> None:
    def design(r: int):  # type: ignore[no-untyped-def]
        return estimate_design(
            [
                LayerShape("fc1", "dense", 64, 32, reuse=r),
                LayerShape("out", "dense", 32, 10, reuse=r),
            ]
        )

    fast, slow = design(1), design(32)
    assert slow.dsp < fast.dsp and slow.latency_cycles > fast.latency_cycles


def test_precheck_is_fast_and_needs_no_heavy_imports() -> None:
    code = (
        "import sys, time\n"
        "from specc.compiler import load\nfrom specc.evaluate.precheck import precheck\n"
        f"spec = load({str(ROOT / 'examples' / 'digits_mlp.cds')!r})\n"
        "t = time.perf_counter()\n"
        "for rf in (1, 2, 4):\n    m = precheck(spec, {'hls.reuse_factor': rf})\n"
        "print((time.perf_counter() - t) / 3)\n"
        "print(sorted(x for x in ('tensorflow', 'hls4ml', 'keras', 'smac') if x in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    ).stdout.splitlines()
    assert float(out[0]) < 0.05  # milliseconds, not seconds
    assert out[1] == "[]"


def test_precheck_metrics_carry_estimate_provenance() -> None:
    metrics = precheck(load(ROOT / "examples" / "digits_mlp.cds"), {"hls.reuse_factor": 4})
    assert set(metrics) == {"latency_cycles", "ii", "latency_ns", "dsp", "lut", "ff", "bram"}
    assert all(m.provenance == "estimate:specc-0.1.0" for m in metrics.values())
    assert metrics["latency_ns"].value == metrics["latency_cycles"].value * 5


@pytest.mark.skipif(not (SHARED / "data" / "synthesis").is_dir(), reason="../shared not beside")
def test_estimator_matches_xc7z007s_reports_within_reason() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import estimator_accuracy as acc

    cases, _ = acc.xc7z007s(SHARED)
    assert len(cases) == 18
    within = {m: 0 for m in ("latency_cycles", "dsp", "lut", "bram")}
    for case in cases:
        est = acc.estimate(case)
        for m in within:
            r = case.report[m]
            if r and 1 / 1.5 <= est[m] / r <= 1.5:
                within[m] += 1
    # Pinned from `python bench/estimator_accuracy.py`; a model change that loses accuracy fails.
    assert within["latency_cycles"] >= 15
    assert within["dsp"] >= 13
    assert within["lut"] >= 11
    assert within["bram"] == 18


def test_estimate_is_deterministic() -> None:
    spec = load(ROOT / "examples" / "mnist_zynq.cds")
    t = time.perf_counter()
    a = precheck(spec, {"model.hidden_layers": 3})
    b = precheck(spec, {"model.hidden_layers": 3})
    assert a == b and time.perf_counter() - t < 1
    assert Path(spec.source).name == "mnist_zynq.cds"


def test_precheck_reads_the_layers_of_a_keras_file(tmp_path: Path) -> None:
    spec = load(ROOT / "examples" / "keras_digits.cds")
    metrics = precheck(spec, {"hls.reuse_factor": 4, "hls.precision.width": 8})
    assert metrics["dsp"].provenance.startswith("estimate:")
    # 64-32-16-10 at reuse 4: the same estimate as the same MLP described by a spec
    mlp = tmp_path / "mlp.cds"
    mlp.write_text(
        (ROOT / "examples" / "keras_digits.cds")
        .read_text()
        .replace(
            'model keras "data/digits_mlp.keras"',
            "model mlp {\n  hidden_layers = 2\n  neurons = {16, 32}\n}",
        )
    )
    same = load(mlp)
    point = {
        "hls.reuse_factor": 4,
        "hls.precision.width": 8,
        "model.fc1.neurons": 32,
        "model.fc2.neurons": 16,
    }
    assert metrics["dsp"] == precheck(same, point)["dsp"]
    assert metrics["latency_cycles"] == precheck(same, point)["latency_cycles"]
