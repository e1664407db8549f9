"""Every example is a smoke test: it checks clean and is already in canonical form."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from specc.compiler import check_file
from specc.frontend.format import format_spec
from specc.frontend.parser import parse

EXAMPLES = sorted((ROOT / "examples").rglob("*.cds"))


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_checks_clean(path: Path) -> None:
    result = check_file(path)
    assert result.ok, [f"{d.span}: {d.message}" for d in result.diagnostics]
    assert not result.diagnostics


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_is_formatted(path: Path) -> None:
    text = path.read_text()
    assert format_spec(parse(text, str(path))) == text


def test_the_seed_experiment_is_table_1_of_seed_000() -> None:
    spec = check_file(ROOT / "examples" / "mnist_zynq.cds").spec
    assert spec is not None
    assert spec.dataset.name == "mnist" and spec.model.family == "mlp"
    assert spec.target.part == "xc7z020clg400-1"
    dims = {
        "hls.clock_period": [4, 5, 6, 7],
        "model.hidden_layers": [1, 2, 3],
        "model.fc1.neurons": list(range(32, 257, 32)),
        "hls.precision.width": [12, 13, 14, 15, 16],
        "hls.precision.integer": [4, 5, 6],
        "hls.reuse_factor": [1, 2, 3, 4],
        "hls.array_partition": [2**x for x in range(1, 9)],
    }
    from specc.ir.space import dimensions

    found = {d.name: d.param.values() for d in dimensions(spec)}
    for name, values in dims.items():
        assert found[name] == values, name
    for name in ("train.learning_rate", "train.l2"):
        p = next(d.param for d in dimensions(spec) if d.name == name)
        assert (p.lo, p.hi, p.log) == (1e-7, 1e-2, True)  # type: ignore[union-attr]
    assert [o.metric for o in spec.objectives] == ["float_error", "fixed_error", "latency_ns"]
    assert sorted(c.metric for c in spec.constraints) == ["bram", "dsp", "ff", "lut"]


def _build(spec: Path, out: Path, trials: int, status: tuple[int, ...] = (0,)) -> dict[str, object]:
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "specc", "build", str(spec), "--out", str(out)),
            *("--trials", str(trials), "--synth", "never", "--log-format", "json"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode in status, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_the_seed_experiment_fits_no_zynq_7020_by_the_estimate() -> None:
    # The probe a build runs before training (the end-to-end build is the slow test below; the
    # not-searched run and its report: tests/search/test_feasibility.py).
    from specc.search.feasibility import feasible_share, no_fit_note

    spec = check_file(ROOT / "examples" / "mnist_zynq.cds").spec
    assert spec is not None
    fits, least = feasible_share(spec, seed=spec.search.seed, first=True)
    assert fits == 0 and least["dsp"] > 220
    note = no_fit_note(spec, least)
    assert note.startswith("not searched: none of 1000 random configurations fits")
    assert re.search(r"dsp [0-9,]+ against <= 220", note)


@pytest.mark.slow
def test_the_seed_experiment_on_its_zynq_stops_before_training(tmp_path: Path) -> None:
    # Table 1's space has no design that fits a Zynq-7020 by the estimate (README, results):
    # the build says so in seconds instead of ruling out 1000 points one by one.
    # Exit status 4: the search was refused (CI can tell it from a build with results).
    done = _build(ROOT / "examples" / "mnist_zynq.cds", tmp_path / "out", trials=20, status=(4,))
    assert done["records"] == 0 and done["points"] == []
    assert str(done["note"]).startswith("not searched: none of 1000 random configurations fits")
    assert re.search(r"dsp [0-9,]+ against <= 220", str(done["note"]))
    report = (tmp_path / "out" / "mnist_zynq" / "report.html").read_text()
    assert "not searched" in report and "Nothing to plot" in report and "<svg" not in report


# The examples whose trials take seconds, built with a tiny budget (mnist_zynq is checked above
# and measured by bench/joint_vs_separate.py).
FAST = [
    "digits_mlp.cds",
    "digits_qat.cds",
    "cnn_digits.cds",
    "keras_digits.cds",
    "breast_cancer_csv.cds",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", FAST)
def test_fast_example_builds(tmp_path: Path, name: str) -> None:
    # Two trials may find no design within the budgets: exit status 3, reports written all the same.
    done = _build(ROOT / "examples" / name, tmp_path / "out", trials=2, status=(0, 3))
    assert done["evaluated"] == 2 and done["failed"] == 0, done
    assert bool(done["pareto"]) == bool(done["points"])
    design = tmp_path / "out" / name.removesuffix(".cds")
    assert (design / "report.html").is_file() and (design / "trials.csv").is_file()
    for point in done["points"]:  # type: ignore[attr-defined]
        assert (design / "points" / point / "vivado" / "Makefile").is_file()


def test_ci_workflow_checks_every_spec_and_builds_changed_ones() -> None:
    import yaml

    flow = yaml.safe_load((ROOT / "examples" / "ci" / "specc.yml").read_text())
    steps = flow["jobs"]["specs"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "specc check" in runs and 'specc build "$spec"' in runs
    assert any(
        s.get("uses", "").startswith("actions/cache") and s["with"]["path"] == "out/" for s in steps
    )
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in steps)
    assert all("${{" not in s.get("run", "") for s in steps)  # expressions only through env


def test_ci_change_detection_lists_the_specs_a_push_changed(tmp_path: Path) -> None:
    import yaml

    flow = yaml.safe_load((ROOT / "examples" / "ci" / "specc.yml").read_text())
    step = next(s for s in flow["jobs"]["specs"]["steps"] if s.get("id") == "changed")

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=tmp_path, check=True, capture_output=True, text=True
        ).stdout.strip()

    git("init", "-q")
    git("config", "user.email", "ci@example.com")
    git("config", "user.name", "ci")
    for name in ("a.cds", "b.cds", "notes.txt"):
        (tmp_path / name).write_text("x\n")
    git("add", ".")
    git("commit", "-qm", "one")
    before = git("rev-parse", "HEAD")
    (tmp_path / "b.cds").write_text("y\n")
    (tmp_path / "notes.txt").write_text("y\n")
    git("commit", "-qam", "two")

    def changed(before: str) -> tuple[list[str], str]:
        output = tmp_path / "github_output"
        output.write_text("")
        env = {**os.environ, "EVENT": "push", "BEFORE": before, "BASE_REF": ""}
        env["GITHUB_OUTPUT"] = str(output)
        subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
        )
        return (tmp_path / "changed.txt").read_text().split(), output.read_text().strip()

    assert changed(before) == (["b.cds"], "count=1")
    # A new branch (GitHub sends an all-zero "before"): every spec is built.
    assert changed("0" * 40) == (["a.cds", "b.cds"], "count=2")
