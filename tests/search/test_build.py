"""`specc build` end to end on digits (estimator hardware, tiny trainings): records, determinism,
resume after a real kill -9, a-priori rejection without training, two local Dask workers, and
the random and two-step strategies."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from specc.compiler import check_file
from specc.evaluate.estimate import PROVENANCE
from specc.options import BuildOptions
from specc.search.driver import search

pytestmark = pytest.mark.slow

SPEC = """design tiny
dataset digits
model mlp {{
  hidden_layers = 1..2
  neurons = {{8, 16, 32}}
}}
train {{
  epochs = 2
  learning_rate = 1e-3..1e-2 log
}}
hls {{
  precision = ap_fixed<{{8, 12, 16}}, 4>
  reuse_factor = {{1, 2, 4, 8}}
}}
target xc7z045ffg900-2
objectives {{
  minimize fixed_error, latency_ns
}}
constraints {{
  {budget}
}}
search {{
  algorithm = {algorithm}
  trials = {trials}
  seed = 7
}}
"""


def write_spec(
    tmp_path: Path, trials: int = 4, budget: str = "latency_ns <= 10 us", algorithm: str = "smac"
) -> Path:
    path = tmp_path / "tiny.cds"
    path.write_text(SPEC.format(trials=trials, budget=budget, algorithm=algorithm))
    return path


def rows(out: Path) -> list[dict[str, str]]:
    with (out / "tiny" / "trials.csv").open() as fh:
        return list(csv.DictReader(fh))


def evaluated(out: Path) -> list[dict[str, str]]:
    return [r for r in rows(out) if r["stage"] == "evaluated"]


def build_command(path: Path, out: Path, *extra: str) -> list[str]:
    """`specc build` as a user runs it, with the estimator for hardware."""
    return [
        sys.executable,
        "-m",
        "specc",
        "build",
        str(path),
        "--out",
        str(out),
        "--synth",
        "never",
        *extra,
    ]


def run_search(path: Path, out: Path, **kw: object):  # type: ignore[no-untyped-def]
    spec = check_file(path).spec
    assert spec is not None
    return search(spec, BuildOptions(out_root=out, synth="never", **kw))  # type: ignore[arg-type]


def test_search_records_and_determinism(tmp_path: Path) -> None:
    path = write_spec(tmp_path, trials=4)
    a = run_search(path, tmp_path / "a")
    b = run_search(path, tmp_path / "b")
    assert a.counts()["evaluated"] == b.counts()["evaluated"] == 4
    # Same spec, seed and one worker: the same trials in the same order, the same Pareto set.
    assert [r.point for r in a.items] == [r.point for r in b.items]
    assert [r.key for r in a.items] == [r.key for r in b.items]
    assert [r.key for r in a.pareto()] == [r.key for r in b.pareto()]
    table = rows(tmp_path / "a")
    assert [int(r["trial"]) for r in table] == list(range(len(a.items)))
    assert sum(r["stage"] == "evaluated" for r in table) == 4
    hv = [float(r["hypervolume"]) for r in table]
    assert hv == sorted(hv) and hv[-1] > 0
    ok = [r for r in table if r["status"] == "ok"]
    assert ok and all(r["fixed_error_provenance"] == "csim" for r in ok)
    assert all(r["latency_ns_provenance"] == PROVENANCE for r in ok)
    pareto = json.loads((tmp_path / "a" / "tiny" / "pareto.json").read_text())
    assert pareto["evaluated"] == 4 and len(pareto["pareto"]) == len(a.pareto()) >= 1
    assert pareto["objectives"] == [
        {"metric": "fixed_error", "sense": "minimize"},
        {"metric": "latency_ns", "sense": "minimize"},
    ]


def test_cli_builds_are_identical_across_processes(tmp_path: Path) -> None:
    # SMAC's proposals depend on Python's hash seed; `specc build` pins it.
    path = write_spec(tmp_path, trials=3)
    keys = []
    for name in ("a", "b"):
        env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
        proc = subprocess.run(
            build_command(path, tmp_path / name, "--quiet"),
            capture_output=True,
            text=True,
            timeout=900,
            env=env,
        )
        assert proc.returncode == 0, proc.stderr
        keys.append([r["key"] for r in rows(tmp_path / name)])
    assert keys[0] == keys[1] and len([k for k in keys[0] if k]) == 3


@pytest.mark.parametrize("algorithm", ["random", "smac"])
def test_infeasible_points_are_rejected_before_training(tmp_path: Path, algorithm: str) -> None:
    # 400 DSPs: small or reused designs fit, the large unrolled ones do not.
    path = write_spec(tmp_path, trials=6, budget="dsp <= 400", algorithm=algorithm)
    records = run_search(path, tmp_path / "out")
    pre = [r for r in records.items if r.stage == "precheck"]
    if algorithm == "random":
        # Random draws are estimated and rejected (recorded, never trained).
        assert pre, "expected some points ruled out by the estimate"
        assert all(
            r.status == "infeasible" and r.key == "" and "breaks <= 400" in r.reason for r in pre
        )
    else:
        # SMAC's candidates are filtered by the estimate before one is chosen: it never
        # proposes a point the estimate rules out.
        assert not pre
    evaluated = [r for r in records.items if r.stage == "evaluated"]
    assert all(r.metrics["dsp"].value <= 400 for r in evaluated)
    trained = [
        p for p in (tmp_path / "out" / "tiny" / "trials").iterdir() if (p / "model.keras").exists()
    ]
    # Trainings happened only for the points the estimate let through, and the budget of six
    # trials counts those (rejections cost milliseconds and are not trials).
    assert len(trained) == len(evaluated) == 6


def _stat(pid: str) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # state, ppid, pgrp, ...


def _children(pid: int) -> list[int]:
    pids = [p.name for p in Path("/proc").iterdir() if p.name.isdigit()]
    return [int(p) for p in pids if (st := _stat(p)) is not None and st[1] == str(pid)]


def _group_alive(pgid: int) -> bool:
    pids = [p.name for p in Path("/proc").iterdir() if p.name.isdigit()]
    return any((st := _stat(p)) is not None and st[2] == str(pgid) and st[0] != "Z" for p in pids)


def test_resume_after_kill(tmp_path: Path) -> None:
    path = write_spec(tmp_path, trials=4)
    out = tmp_path / "out"
    cmd = build_command(path, out, "--quiet")
    proc = subprocess.Popen(
        cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 300
    while time.time() < deadline:
        if (out / "tiny" / "trials.csv").exists() and len(evaluated(out)) >= 2:
            break
        time.sleep(0.5)
    workers = _children(proc.pid)
    assert workers, "the build runs its trials in worker processes"
    os.kill(proc.pid, signal.SIGKILL)  # kill -9 of specc alone
    proc.wait()
    # Its workers (and any g++ of theirs: each worker is its own process group) die with it.
    deadline = time.time() + 20
    while time.time() < deadline and any(_group_alive(w) for w in workers):
        time.sleep(0.2)
    assert not any(_group_alive(w) for w in workers)
    before = rows(out)
    assert 2 <= len(evaluated(out)) < 4
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    after = rows(out)
    assert len(evaluated(out)) == 4
    # The finished trials were not re-run: same keys, served from the cache.
    state = json.loads((out / "tiny" / "run.json").read_text())
    assert state["finished"]
    for old, new, rec in zip(before, after, state["records"], strict=False):
        assert new["key"] == old["key"] == rec["key"]
        if old["key"]:
            assert rec["cached"]
    assert not list((out / "tiny" / "trials").glob(".*.tmp"))


@pytest.mark.parametrize("how", ["workers", "scheduler"])
def test_two_dask_workers_on_loopback(tmp_path: Path, how: str) -> None:
    path = write_spec(tmp_path, trials=4)
    if how == "workers":
        records = run_search(path, tmp_path / "out", workers=2)
    else:
        import dask
        from dask.distributed import LocalCluster

        # An existing cluster, as a user's would be: specc only gets its address.
        with (
            dask.config.set({"distributed.worker.daemon": False}),
            LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
            ) as cluster,
        ):
            records = run_search(path, tmp_path / "out", scheduler=cluster.scheduler_address)
    assert records.counts()["evaluated"] == 4
    assert {r.status for r in records.items} <= {"ok", "infeasible"}
    assert len(evaluated(tmp_path / "out")) == 4


def test_multi_fidelity_through_the_cli_with_json_log(tmp_path: Path) -> None:
    path = tmp_path / "tiny.cds"
    path.write_text(
        SPEC.format(trials=4, budget="latency_ns <= 10 us", algorithm="smac")
        .replace("  epochs = 2\n", "")
        .replace("  seed = 7\n", "  seed = 7\n  fidelity = 1..3 epochs\n")
    )
    proc = subprocess.run(
        build_command(path, tmp_path / "out", "--log-format", "json"),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    trials = [e for e in events if e["event"] == "trial"]
    assert events[-1]["event"] == "done" and events[-1]["evaluated"] == 4
    assert len(trials) == events[-1]["records"]
    epochs = [int(r["train.epochs"]) for r in evaluated(tmp_path / "out")]
    # Hyperband starts low: at least one trial ran at fewer than the full 3 epochs.
    assert min(epochs) < 3 and all(1 <= e <= 3 for e in epochs)


@pytest.mark.parametrize("algorithm", ["random", "separate"])
def test_other_strategies(tmp_path: Path, algorithm: str) -> None:
    path = write_spec(tmp_path, trials=4, algorithm=algorithm)
    records = run_search(path, tmp_path / "out")
    assert records.counts()["evaluated"] == 4
    if algorithm == "separate":
        phases = [r.phase for r in records.items if r.stage == "evaluated"]
        assert phases == ["training", "training", "hardware", "hardware"]
        model_knobs = {
            k: v for k, v in records.items[2].point.items() if k.startswith(("model.", "train."))
        }
        best = min(
            (r for r in records.items[:2] if "float_error" in r.metrics),
            key=lambda r: r.metrics["float_error"].value,
        )
        assert model_knobs == {
            k: v for k, v in best.point.items() if k.startswith(("model.", "train."))
        }


def test_a_space_smaller_than_the_budget_ends_in_order(tmp_path: Path) -> None:
    path = tmp_path / "tiny.cds"
    path.write_text(
        "design tiny\ndataset digits\nmodel mlp {\n  hidden_layers = 1\n  neurons = 8\n}\n"
        "train {\n  epochs = 1\n}\nhls {\n  reuse_factor = {4, 8}\n}\n"
        "target xc7z020clg400-1\nobjectives {\n  minimize fixed_error, latency_ns\n}\n"
        "search {\n  trials = 5\n}\n"
    )
    records = run_search(path, tmp_path / "out")
    assert records.counts()["evaluated"] == 2
    assert records.note == "smac: every configuration of the space has been tried"


def _outputs(design_dir: Path) -> dict[str, bytes]:
    """Every file a build emits (the trial cache and the run-info file aside)."""
    return {
        p.relative_to(design_dir).as_posix(): p.read_bytes()
        for p in design_dir.rglob("*")
        if p.is_file() and p.name != "run.json" and "trials" not in p.relative_to(design_dir).parts
    }


def _build_json(path: Path, out: Path, *extra: str) -> dict[str, object]:
    proc = subprocess.run(
        build_command(path, out, "--log-format", "json", *extra),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_rebuilds_are_incremental_and_deterministic(tmp_path: Path) -> None:
    path = write_spec(tmp_path, trials=3)
    out = tmp_path / "out"
    design = out / "tiny"
    first = _build_json(path, out)
    assert first["reused"] is False and first["points"]
    emitted = _outputs(design)
    assert "report.html" in emitted and any(k.endswith("/vivado/Makefile") for k in emitted)
    mtimes = {k: (design / k).stat().st_mtime_ns for k in emitted}

    # Unchanged spec: the finished search is re-used and nothing is rewritten.
    again = _build_json(path, out)
    assert again["reused"] is True and again["written"] == 0
    assert {k: (design / k).stat().st_mtime_ns for k in emitted} == mtimes

    # The same results built again from scratch (outputs deleted, search replayed from the
    # trial cache): byte-identical outputs.
    for name in ("points", "report.html", "report.md", "trials.csv", "pareto.json"):
        target = design / name
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    replay = _build_json(path, out, "--search")
    assert replay["reused"] is False
    assert _outputs(design) == emitted

    # Only a budget changed: every trial is re-used (no training) and the outputs re-emitted.
    models = sorted(p.parent.name for p in (design / "trials").glob("*/model.keras"))
    path.write_text(path.read_text().replace("latency_ns <= 10 us", "latency_ns <= 155 ns"))
    budget = _build_json(path, out)
    assert budget["reused"] is True
    assert sorted(p.parent.name for p in (design / "trials").glob("*/model.keras")) == models
    report = (design / "report.md").read_text()
    assert "155" in (design / "spec.cds").read_text() and report != emitted["report.md"].decode()

    # `specc report` re-renders from the results alone.
    (design / "report.html").unlink()
    shutil.rmtree(design / "points")
    proc = subprocess.run(
        [sys.executable, "-m", "specc", "report", str(path), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert (design / "report.html").is_file() and list((design / "points").iterdir())
