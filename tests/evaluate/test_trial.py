"""One trial end to end (train -> hls4ml -> C simulation -> hardware metrics), its cache, the
synthesis path with fake HLS tools, and every failure category, each injected for real."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import ROOT
from specc.compiler import check_file
from specc.evaluate.estimate import PROVENANCE
from specc.evaluate.trial import run_trial
from specc.ir import model as ir
from specc.options import Limits

pytestmark = pytest.mark.slow

FIXTURES = ROOT / "tests" / "fixtures"
MLP = """design t
dataset {dataset}
model {model}
train {{
  epochs = {epochs}
  learning_rate = 3e-3
}}
hls {{
{hls}
}}
target xc7z020clg400-1
objectives {{
  minimize fixed_error, lut
}}
"""


def make_spec(
    tmp_path: Path,
    dataset: str = "digits",
    model: str = "mlp {\n  hidden_layers = 1\n  neurons = 16\n}",
    hls: str = "  precision = ap_fixed<16, 6>",
    epochs: int = 8,
) -> ir.Spec:
    path = tmp_path / "t.cds"
    path.write_text(MLP.format(dataset=dataset, model=model, hls=hls, epochs=epochs))
    result = check_file(path)
    assert result.spec is not None, [d.message for d in result.diagnostics]
    return result.spec


def fake_path(tmp_path: Path, **tools: str) -> str:
    """A PATH with fake tools first: name -> fixture script."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir(exist_ok=True)
    for name, script in tools.items():
        (bin_dir / name).symlink_to(FIXTURES / "bin" / script)
    return f"{bin_dir}{os.pathsep}{os.environ['PATH']}"


def test_digits_trial_end_to_end_and_cache(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, hls="  precision = ap_fixed<{4, 16}, {2, 4}>")
    out = tmp_path / "out" / "t"
    good = run_trial(
        spec, {"hls.precision.width": 16, "hls.precision.integer": 4}, out, synth="never"
    )
    starved = run_trial(
        spec, {"hls.precision.width": 4, "hls.precision.integer": 2}, out, synth="never"
    )
    assert good.status == starved.status == "ok", (good.failure, starved.failure)
    m, s = good.metrics, starved.metrics
    assert m["float_accuracy"].provenance == "keras"
    assert m["fixed_accuracy"].provenance == "csim"
    assert all(
        m[k].provenance == PROVENANCE
        for k in ("latency_cycles", "ii", "latency_ns", "dsp", "lut", "ff", "bram")
    )
    assert m["float_accuracy"].value > 0.85
    # At a sensible precision the C simulation tracks the float model; starved, it falls apart.
    assert abs(m["fixed_accuracy"].value - m["float_accuracy"].value) <= 0.03
    assert s["fixed_accuracy"].value < s["float_accuracy"].value - 0.2
    assert m["latency_ns"].value == m["latency_cycles"].value * 5
    assert [row.name for row in good.layers] == ["fc1", "fc1_relu", "output", "softmax"]
    folder = out / "trials" / good.key
    for name in (
        "metrics.json",
        "model.keras",
        "log.txt",
        "point.json",
        "hls/build_prj.tcl",
        "hls/firmware/myproject.cpp",
    ):
        assert (folder / name).exists(), name
    assert json.loads((folder / "metrics.json").read_text())["status"] == "ok"
    assert set(good.timings) >= {"data", "train", "convert", "compile", "simulate", "estimate"}

    start = time.perf_counter()
    again = run_trial(
        spec, {"hls.precision.width": 16, "hls.precision.integer": 4}, out, synth="never"
    )
    assert again.cached and time.perf_counter() - start < 2
    assert again.metrics == good.metrics

    # A folder without metrics.json (an interrupted write) is not a finished trial.
    (folder / "metrics.json").unlink()
    (out / "trials" / f".{good.key}.999.tmp").mkdir()
    redone = run_trial(
        spec, {"hls.precision.width": 16, "hls.precision.integer": 4}, out, synth="never"
    )
    assert not redone.cached and redone.status == "ok"
    assert (folder / "metrics.json").is_file()


@pytest.mark.parametrize(
    ("backend", "tool", "report", "argv", "provenance"),
    [
        (
            "vitis",
            "vitis_hls",
            "vitis_hls_2021.1_xc7z007s_jet_tagging_csynth.xml",
            ["-f", "build_prj.tcl"],
            "synth:vitis_hls 2021.1",
        ),
        (
            "vivado",
            "vivado_hls",
            "vivado_hls_2020.1_xc7z020_dense16x5_csynth.xml",
            [
                "-f",
                "build_prj.tcl",
                "reset=True csim=False synth=True cosim=False validation=False "
                "export=False vsynth=False fifo_opt=False",
            ],
            "synth:vivado_hls 2020.1",
        ),
    ],
)
def test_synthesis_with_fake_tool(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    tool: str,
    report: str,
    argv: list[str],
    provenance: str,
) -> None:
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("PATH", fake_path(tmp_path, **{tool: "fake_hls"}))
    monkeypatch.setenv("SPECC_FAKE_HLS_LOG", str(log))
    monkeypatch.setenv("SPECC_FAKE_HLS_REPORT", str(FIXTURES / "synthesis" / report))
    spec = make_spec(tmp_path, hls=f"  backend = {backend}", epochs=2)
    result = run_trial(spec, None, tmp_path / "out" / "t")
    assert result.status == "ok", result.failure
    (call,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert call["tool"] == tool and call["argv"] == argv
    assert call["cwd"] == str(
        tmp_path / "out" / "t" / "trials" / f".{result.key}.{os.getpid()}.tmp" / "hls"
    )
    assert "build_prj.tcl" in call["files"] and "firmware" in call["files"]
    got = {
        k: (v.value, v.provenance)
        for k, v in result.metrics.items()
        if k in ("latency_cycles", "ii", "dsp", "lut", "ff", "bram", "clock_ns", "latency_ns")
    }
    expected = {  # the numbers in the report file, exactly
        "vitis_hls": {
            "latency_cycles": 58,
            "ii": 1,
            "dsp": 814,
            "lut": 72661,
            "ff": 85255,
            "bram": 5,
            "clock_ns": 3.236,
        },
        "vivado_hls": {
            "latency_cycles": 10,
            "ii": 8,
            "dsp": 73,
            "lut": 2532,
            "ff": 7969,
            "bram": 0,
            "clock_ns": 4.049,
        },
    }[tool]
    expected["latency_ns"] = expected["latency_cycles"] * 5
    assert got == {k: (float(v), provenance) for k, v in expected.items()}
    assert result.metrics["fixed_accuracy"].provenance == "csim"


def _failure(result):  # type: ignore[no-untyped-def]
    assert result.status == "failed"
    assert result.failure is not None
    return result.failure.category, result.failure.message


def test_failure_nan_loss(tmp_path: Path) -> None:
    import numpy as np

    x = np.random.default_rng(0).random((60, 4))
    x[:, 1] *= 3e38  # finite in float32, but its products are not
    np.savez(tmp_path / "d.npz", x=x, y=np.arange(60) % 3)
    spec = make_spec(tmp_path, dataset='npz "d.npz" {\n  normalize = none\n}', epochs=2)
    category, message = _failure(run_trial(spec, None, tmp_path / "out", synth="never"))
    assert category == "nan_loss" and "not finite" in message
    # A value that is not finite is the data's fault, named where it is, before any training.
    x[3, 1] = np.inf
    np.savez(tmp_path / "d.npz", x=x, y=np.arange(60) % 3)
    category, message = _failure(run_trial(spec, None, tmp_path / "out2", synth="never"))
    assert category == "data" and "x[3, 1] (sample 3) is inf" in message


def test_failure_data(tmp_path: Path) -> None:
    # `check` refuses such a file (tests/ir/test_edges.py); here it changes after the check.
    (tmp_path / "d.csv").write_text("a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n")
    spec = make_spec(tmp_path, dataset='csv "d.csv"', epochs=1)
    (tmp_path / "d.csv").write_text("a,b,label\n1,2,x\n3,oops,y\n5,6,x\n7,8,y\n")
    category, message = _failure(run_trial(spec, None, tmp_path / "out", synth="never"))
    assert category == "data" and "not a number" in message


def _keras_file(tmp_path: Path, extra: str | None = None) -> None:
    import keras

    inputs = keras.Input((64,), name="features")
    h = keras.layers.Dense(30, name="fc1")(inputs)
    if extra == "unit_norm":
        h = keras.layers.UnitNormalization(name="norm")(h)
    h = keras.layers.Dense(10, name="output")(h)
    out = keras.layers.Activation("softmax", name="softmax")(h)
    keras.Model(inputs, out).save(tmp_path / "m.keras")


def test_failure_conversion(tmp_path: Path) -> None:
    # `check` names a layer hls4ml cannot convert (tests/evaluate/test_keras_files.py); a
    # file that changes after the check fails its trials as `conversion`.
    _keras_file(tmp_path)
    spec = make_spec(tmp_path, model='keras "m.keras"')
    _keras_file(tmp_path, "unit_norm")
    category, message = _failure(run_trial(spec, None, tmp_path / "out", synth="never"))
    assert category == "conversion" and "UnitNormalization" in message


def test_failure_invalid_reuse_factor_is_not_silently_changed(tmp_path: Path) -> None:
    _keras_file(tmp_path)
    # 64x30 = 1920 products: 7 divides neither, so hls4ml would quietly use another value.
    spec = make_spec(
        tmp_path, model='keras "m.keras"', hls="  strategy = resource\n  reuse_factor = 7"
    )
    category, message = _failure(run_trial(spec, None, tmp_path / "out", synth="never"))
    assert category == "invalid" and "fc1: 7 ->" in message


def test_failure_compile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", fake_path(tmp_path, **{"g++": "fake_gxx"}))
    spec = make_spec(tmp_path, epochs=1)
    category, message = _failure(run_trial(spec, None, tmp_path / "out", synth="never"))
    assert category == "compile" and "did not build" in message


def test_failure_synthesis_tool_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", fake_path(tmp_path, vitis_hls="fake_hls"))
    monkeypatch.setenv("SPECC_FAKE_HLS_FAIL", "1")
    spec = make_spec(tmp_path, hls="  backend = vitis", epochs=1)
    category, message = _failure(run_trial(spec, None, tmp_path / "out"))
    assert category == "synthesis" and "vitis_hls exited with 1" in message
    assert "Compilation errors found" in message


def test_failure_timeout_and_memory_are_recorded_and_retried(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, epochs=1)
    out = tmp_path / "out"
    category, message = _failure(run_trial(spec, None, out, Limits(timeout_s=2), synth="never"))
    assert (category, message) == ("timeout", "ran past 2 s")
    category, _ = _failure(run_trial(spec, None, out, Limits(memory_mb=300), synth="never"))
    assert category == "memory"
    # Neither is a property of the design: the next run tries again (and here succeeds).
    ok = run_trial(spec, None, out, Limits(timeout_s=600), synth="never")
    assert ok.status == "ok" and not ok.cached
    assert [p.name for p in (out / "trials").iterdir()] == [ok.key]
    shutil.rmtree(out)


def test_a_warm_worker_pays_only_for_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One worker, several trials: the second trial of a model trains nothing, and a variant
    that changes only the reuse factor or the clock is not simulated again; a timeout replaces
    the worker and the next trial runs on a fresh one."""
    from specc.evaluate.worker import Worker

    spec = make_spec(
        tmp_path,
        model="mlp {\n  hidden_layers = 1\n  neurons = {16, 32}\n}",
        hls="  reuse_factor = {1, 2, 4}\n  clock_period = 4..6 ns",
        epochs=2,
    )
    monkeypatch.chdir(tmp_path)
    out = Path("out")  # relative, as `specc build` is usually given it
    worker = Worker(8192)
    try:
        first = run_trial(spec, {"hls.reuse_factor": 1}, out, synth="never", worker=worker)
        assert first.status == "ok" and "train" in first.timings
        assert first.reused == []  # a fresh worker: data loaded, model trained, library compiled
        pid = worker.proc.pid
        start = time.perf_counter()
        variant = run_trial(
            spec,
            {"hls.reuse_factor": 4, "hls.clock_period": 6.0},
            out,
            synth="never",
            worker=worker,
        )
        assert time.perf_counter() - start < 3
        assert variant.status == "ok" and variant.key != first.key
        assert "train" not in variant.timings
        assert set(variant.reused) == {"data", "model", "csim"}
        assert variant.metrics["fixed_accuracy"] == first.metrics["fixed_accuracy"]
        assert variant.metrics["latency_ns"] != first.metrics["latency_ns"]
        assert worker.proc.pid == pid  # the same warm process
        assert (out / "trials" / variant.key / "model.keras").is_file()
        assert (out / "trials" / variant.key / "hls" / "firmware" / "parameters.h").is_file()

        # The model cache outlives the worker: a new worker loads the model instead of training.
        worker.stop()
        again = run_trial(spec, {"hls.reuse_factor": 2}, out, synth="never", worker=worker)
        assert "train" not in again.timings and "model" in again.reused

        timed_out = run_trial(
            spec,
            {"model.fc1.neurons": 32},
            out,
            Limits(timeout_s=0.5),
            synth="never",
            worker=worker,
        )
        assert timed_out.failure is not None and timed_out.failure.category == "timeout"
        assert worker.proc is None  # killed with its process group
        after = run_trial(
            spec,
            {"hls.reuse_factor": 2, "hls.clock_period": 4.0},
            out,
            synth="never",
            worker=worker,
        )
        assert after.status == "ok" and not after.cached and worker.proc is not None
    finally:
        worker.stop()
