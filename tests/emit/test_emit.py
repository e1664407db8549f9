"""Emitting a Pareto point from a (trimmed) real trial folder: golden files, byte-identical
re-emits, links that resolve, `make -C vivado` with fake Xilinx tools, and FuseSoC's own set-up
of the generated core."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import FIXTURES, GOLDEN, assert_golden
from specc.compiler import check_file
from specc.emit.project import emit
from specc.evaluate.results import TrialResult
from specc.search.records import Record, Records

CASE = GOLDEN / "ok_emit_point"
KEY = "f9a96e24587e867515d2"
# A real Vivado utilisation report (tests/fixtures/synthesis/SOURCE.md says where it came from).
REPORT = FIXTURES / "synthesis" / "vivado_2020.1_xc7z020_dense16x5_synth.rpt"


def emitted(
    tmp_path: Path, backend: str = "vivado", comment: str = ""
) -> tuple[Records, Path, Path]:
    """The golden spec's one-trial run, emitted under tmp_path/out/tiny."""
    spec_file = tmp_path / "tiny.cds"
    spec_file.write_text((CASE / "input.cds").read_text() + comment)
    spec = check_file(spec_file).spec
    assert spec is not None
    out = tmp_path / "out" / "tiny"
    shutil.copytree(FIXTURES / "trial", out / "trials" / KEY, ignore=shutil.ignore_patterns("*.md"))
    result = TrialResult.model_validate_json((out / "trials" / KEY / "metrics.json").read_text())
    records = Records(spec, out)
    point = {**result.point, "hls.backend": backend}
    records.add(Record(0, KEY, "ok", "evaluated", point, dict(result.metrics), seconds=3.0))
    emit(spec, spec_file.read_text(), "tiny.cds", records)
    return records, out, out / "points" / records.items[0].point_id


def test_point_folder_matches_the_golden_files(tmp_path: Path) -> None:
    _, out, point = emitted(tmp_path)
    assert point.name == "t000_f9a96e24"
    golden = CASE / "project"
    wanted = [
        "tiny.core",
        "metrics.json",
        "report.md",
        "hls/run_hls.sh",
        *[f"vivado/{p.name}" for p in sorted((point / "vivado").iterdir())],
    ]
    if os.environ.get("SPECC_UPDATE_GOLDEN") == "1":
        shutil.rmtree(golden, ignore_errors=True)
    for rel in wanted:
        (golden / rel).parent.mkdir(parents=True, exist_ok=True)
        assert_golden(golden / rel, (point / rel).read_text())
    assert sorted(p.name for p in (golden / "vivado").iterdir()) == sorted(
        p.name for p in (point / "vivado").iterdir()
    )
    assert_golden(golden / "overall-report.md", (out / "report.md").read_text())
    # the hls4ml project is the trial's, byte for byte
    for f in (out / "trials" / KEY / "hls").rglob("*"):
        if f.is_file():
            assert (point / "hls" / f.relative_to(out / "trials" / KEY / "hls")).read_bytes() == (
                f.read_bytes()
            )
    assert (point / "model.keras").read_bytes() == (
        out / "trials" / KEY / "model.keras"
    ).read_bytes()


def test_emitting_again_rewrites_nothing(tmp_path: Path) -> None:
    records, out, _ = emitted(tmp_path)
    snapshot = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    again = emit(records.spec, (tmp_path / "tiny.cds").read_text(), "tiny.cds", records)
    assert again.applied.written == [] and again.applied.removed == []
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == snapshot


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def test_every_link_in_the_reports_resolves(tmp_path: Path) -> None:
    _, out, point = emitted(tmp_path)
    pages = [out / "report.html", point / "report.html"]
    checked = 0
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text())
        assert parser.links, page
        for link in parser.links:
            assert "://" not in link, link  # a report works offline
            assert (page.parent / link).exists(), f"{page.name}: {link}"
            checked += 1
    assert checked >= 10
    html = (out / "report.html").read_text()
    assert 'class="estimate"' in html and "<svg" in html and "budget" in html


@pytest.mark.parametrize(("backend", "tool"), [("vivado", "vivado_hls"), ("vitis", "vitis_hls")])
def test_make_runs_hls_then_vivado_with_the_point_settings(
    tmp_path: Path, backend: str, tool: str
) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    _, _, point = emitted(tmp_path, backend)
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    (bin_dir / tool).symlink_to(FIXTURES / "bin" / "fake_hls")
    (bin_dir / "vivado").symlink_to(FIXTURES / "bin" / "fake_vivado")
    log = tmp_path / "calls.jsonl"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "SPECC_FAKE_HLS_LOG": str(log),
        "SPECC_FAKE_HLS_REPORT": str(
            FIXTURES
            / "synthesis"
            / sorted(p.name for p in (FIXTURES / "synthesis").glob("*.xml"))[0]
        ),
        "SPECC_FAKE_VIVADO_REPORT": str(REPORT),
    }
    run = subprocess.run(
        ["make", "-C", str(point / "vivado")], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert [c["tool"] for c in calls] == [tool, "vivado", "vivado", "vivado"]
    hls = calls[0]
    assert Path(hls["cwd"]) == point / "hls"
    if backend == "vivado":
        assert hls["argv"] == [
            "-f",
            "build_prj.tcl",
            "reset=1 csim=0 synth=1 cosim=0 validation=0 export=1 vsynth=0",
        ]
    else:  # Vitis HLS reads its options from build_opt.tcl
        assert hls["argv"] == ["-f", "build_prj.tcl"]
        assert "export     1" in (point / "hls" / "build_opt.tcl").read_text()
    assert calls[1]["argv"] == ["-notrace", "-mode", "batch", "-source", "tiny.tcl"]
    assert calls[2]["argv"][-3:] == ["tiny_synth.tcl", "tiny_netlist.tcl", "tiny.xpr"]
    assert calls[3]["argv"][-2:] == ["impl.tcl", "tiny.xpr"]
    assert (point / "vivado" / "reports" / "utilization.rpt").read_bytes() == REPORT.read_bytes()
    assert "create_clock -period 5.000 -name ap_clk" in (point / "vivado" / "clock.xdc").read_text()
    assert "set_property part xc7z045ffg900-2" in (point / "vivado" / "tiny.tcl").read_text()
    # Only targets that can work for an out-of-context design: no bitstream, no programming.
    makefile = (point / "vivado" / "Makefile").read_text()
    targets = {line.split(":")[0] for line in makefile.splitlines() if ":" in line[:40]}
    assert {"all", "pre_build", "synth", "post_build", "build-gui"} <= targets
    assert not {"pgm", "run", "tiny.bit"} & targets
    for name in ("pgm", "tiny.bit"):
        bad = subprocess.run(["make", "-C", str(point / "vivado"), "-n", name], env=env,
                             capture_output=True, text=True)  # fmt: skip
        assert bad.returncode != 0


def test_fusesoc_sets_up_the_generated_core(tmp_path: Path) -> None:
    pytest.importorskip("fusesoc")
    _, _, point = emitted(tmp_path)
    vlnv = f"specc:tiny:{point.name}:0.1.0"
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "fusesoc"),
            "--cores-root",
            str(point),
            "run",
            "--setup",
            "--target",
            "default",
            vlnv,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    work = next(tmp_path.glob("build/*/default"))
    makefile = (work / "Makefile").read_text()
    # the hook's folder exists where FuseSoC exported the core's files
    hls = re.search(r"sh (\S+)/run_hls.sh", makefile)
    assert hls is not None, makefile
    assert (work / hls.group(1) / "build_prj.tcl").is_file()
    assert (work / hls.group(1) / "run_hls.sh").is_file()
    assert "hls_ip.tcl" in makefile and "pnr" not in makefile


def test_chromium_renders_the_report(tmp_path: Path) -> None:
    browser = next(
        (b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None
    )
    if browser is None:
        pytest.skip("no headless Chromium on this machine")
    _, out, _ = emitted(tmp_path)
    args = [browser, "--headless", "--no-sandbox", "--disable-gpu"]
    page = (out / "report.html").as_uri()
    dom = subprocess.run(
        [*args, "--dump-dom", page], capture_output=True, text=True, timeout=120
    ).stdout
    assert dom.count("<svg") == 2  # the Pareto plot of the two objectives, hypervolume
    assert "t000_f9a96e24" in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [*args, "--window-size=1280,1600", f"--screenshot={shot}", page],
        capture_output=True,
        timeout=120,
    )
    assert shot.stat().st_size > 20_000  # a page with tables and plots, not a blank one


def test_spec_text_cannot_break_out_of_the_reports(tmp_path: Path) -> None:
    _, out, _ = emitted(tmp_path, comment="# </pre><script>alert(1)</script>\n# ```\n")
    html = (out / "report.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = (out / "report.md").read_text()
    assert "\n````\n" in md  # the fence is longer than the spec's own backticks
