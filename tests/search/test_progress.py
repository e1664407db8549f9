"""What a build shows while it runs: plain lines and a heartbeat without a terminal, counts that
add up in the summary."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import ROOT
from specc.compiler import load
from specc.evaluate.results import Metric
from specc.search import progress
from specc.search.progress import Progress, mode_for, summary
from specc.search.records import Record, Records


def _records(tmp_path: Path) -> Records:
    return Records(load(ROOT / "examples" / "digits_mlp.cds"), tmp_path)


def _record(records: Records, status: str, stage: str = "evaluated", **metrics: float) -> Record:
    rec = Record(
        index=len(records.items),
        key=f"k{len(records.items)}",
        status=status,
        stage=stage,
        point={},
        metrics={k: Metric(value=v, provenance="csim") for k, v in metrics.items()},
        reason="dsp 300 against <= 220" if status == "infeasible" else "",
        seconds=4.2,
    )
    return records.add(rec)


def test_without_a_terminal_each_evaluated_design_is_a_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert mode_for(False, "text") == "plain"  # pytest's stderr is not a terminal
    records = _records(tmp_path)
    shown = Progress(3, "plain")
    try:
        shown.update(_record(records, "infeasible", "precheck"), records)
        shown.update(_record(records, "ok", fixed_error=0.03, latency_ns=155.0), records)
        shown.update(_record(records, "infeasible", fixed_error=0.2, latency_ns=90.0), records)
    finally:
        shown.stop()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2  # the design ruled out before training is counted, not listed
    assert lines[0].startswith("[1/3 0:00] trial 1 ok (4.2 s)  fixed_error 0.0300")
    assert "latency_ns 155" in lines[0] and "(1 ruled out by the estimate so far)" in lines[0]
    assert lines[1].startswith("[2/3 0:00] trial 2 infeasible") and "dsp 300" in lines[1]


def test_a_long_trial_gets_a_heartbeat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "HEARTBEAT_S", 0.2)
    shown = Progress(5, "plain")
    time.sleep(1.5)  # the heartbeat thread wakes every min(HEARTBEAT_S, 5 s)
    shown.stop()
    err = capsys.readouterr().err
    assert "still running: trial 1 of 5" in err


def test_the_summary_counts_add_up(tmp_path: Path) -> None:
    records = _records(tmp_path)
    for _ in range(3):
        _record(records, "infeasible", "precheck")
    _record(records, "ok", fixed_error=0.03, latency_ns=155.0)
    _record(records, "infeasible", fixed_error=0.2, latency_ns=90.0)
    c = records.counts()
    assert c["evaluated"] + c["ruled_out"] == c["proposals"] == 5
    assert c["ok"] + c["over_budget"] + c["failed"] == c["evaluated"] == 2
    first = summary(records, tmp_path).splitlines()[0]
    assert "2 designs evaluated (1 ok, 1 over budget, 0 failed) and 3 ruled out" in first
    assert "Pareto set: 1 design," in summary(records, tmp_path)


def test_the_report_is_rewritten_while_the_build_runs(tmp_path: Path) -> None:
    from specc.emit.project import LiveReport

    records = _records(tmp_path)
    live = LiveReport(records.spec, "design x\n", "x.cds", total=20, interval_s=3600)
    _record(records, "ok", fixed_error=0.03, latency_ns=155.0, lut=1200.0)
    live.update(records)
    html = (tmp_path / "report.html").read_text()
    assert "This build is running</b> (1 of 20 designs evaluated" in html
    assert '<meta http-equiv="refresh" content="10">' in html and "<svg" in html
    _record(records, "ok", fixed_error=0.02, latency_ns=255.0, lut=1500.0)
    live.update(records)  # within the interval: not rewritten
    assert (tmp_path / "report.html").read_text() == html
    live.update(records, force=True, state="stopped")
    html = (tmp_path / "report.html").read_text()
    assert "This build was stopped</b> after 2 evaluated designs" in html
    assert "refresh" not in html
