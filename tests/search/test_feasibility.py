"""Before the first training, a search checks that some configuration fits the budgets at all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from specc.build import build
from specc.compiler import check_text
from specc.ir import model as ir
from specc.options import BuildOptions
from specc.search.driver import MAX_REJECTED_PER_TRIAL, search
from specc.search.feasibility import feasible_share

SPEC = """design tiny
dataset digits
model mlp {{
  hidden_layers = 1..2
  neurons = {{16, 32, 64}}
}}
train {{
  epochs = 2
}}
hls {{
  precision = ap_fixed<{{8, 16}}, 4>
  reuse_factor = {{1, 2, 4}}
}}
target xc7z020clg400-1
objectives {{
  minimize fixed_error, latency_ns
}}
constraints {{
  dsp <= {dsp}
}}
search {{
  algorithm = random
  trials = 1
}}
"""


def spec_with(dsp: int) -> ir.Spec:
    spec = check_text(SPEC.format(dsp=dsp), "tiny.cds", Path(".")).spec
    assert spec is not None
    return spec


def test_feasible_share_counts_configurations_that_pass_the_estimate() -> None:
    # The smallest estimate over the same 40 draws does not depend on the budget...
    none_fit, least = feasible_share(spec_with(1), n=40)
    some_fit, same = feasible_share(spec_with(220), n=40)
    assert none_fit == 0 and least == same and 1 < least["dsp"] <= 220
    # ... and the count is of the draws under the budget, at least the one the minimum came from.
    assert 1 <= some_fit < 40
    assert feasible_share(spec_with(220), n=40, first=True)[0] == 1


def test_a_space_where_nothing_fits_is_not_searched(tmp_path: Path) -> None:
    # Through the whole build (search, then emit), in-process: the report says why.
    options = BuildOptions(out_root=tmp_path, synth="never")
    outcome = build(spec_with(1), SPEC.format(dsp=1), "tiny.cds", options)
    records = outcome.records
    assert records.items == [] and records.finished and outcome.emitted.points == []
    assert records.note.startswith("not searched: none of 1000 random configurations fits")
    assert "(smallest estimates: dsp " in records.note and " against <= 1)" in records.note
    state = json.loads((tmp_path / "tiny" / "run.json").read_text())
    assert state["finished"] and state["note"] == records.note
    assert not (tmp_path / "tiny" / "trials").exists()  # nothing trained
    report = (tmp_path / "tiny" / "report.html").read_text()
    assert "not searched" in report and "Nothing to plot" in report and "<svg" not in report


def test_force_searches_anyway_and_rules_out_point_after_point(tmp_path: Path) -> None:
    records = search(spec_with(1), BuildOptions(out_root=tmp_path, synth="never", force=True))
    assert len(records.items) == MAX_REJECTED_PER_TRIAL  # trials = 1
    assert all(r.stage == "precheck" and r.status == "infeasible" for r in records.items)
    assert records.note.startswith(f"stopped after {MAX_REJECTED_PER_TRIAL} points ruled out")


@pytest.mark.slow
def test_relaxing_the_budgets_of_a_run_that_was_not_searched_searches(tmp_path: Path) -> None:
    spec_file = tmp_path / "tiny.cds"
    cmd = [sys.executable, "-m", "specc", "build", str(spec_file), "--out", str(tmp_path)]
    cmd += ["--synth", "never", "--log-format", "json"]
    done = []
    for dsp, status in ((1, 4), (1, 4), (220, 0)):
        spec_file.write_text(SPEC.format(dsp=dsp))
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        assert proc.returncode == status, proc.stderr  # 4: the search was refused
        done.append(json.loads(proc.stdout.splitlines()[-1]))
    assert [d["records"] for d in done[:2]] == [0, 0]
    assert all(str(d["note"]).startswith("not searched") for d in done[:2])
    assert done[2]["evaluated"] == 1 and not done[2]["reused"] and done[2]["note"] == ""
